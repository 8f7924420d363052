"""The same POST twice at once leaves what one send leaves (issue 12), for every route that changes state.

A double tap, a retry on a flaky phone connection or a webhook delivered twice sends the same
request twice, often at the same moment. For every POST route in `app.url_map` there is a case
here: a valid request on one shared world. Each case sends it once to a live server and notes the
whole database, puts the world back, sends it twice from two threads on two connections at once,
and checks that the database holds the same (row counts, slot counts, states, the audit log) and
that neither answer is a server error. While the two race, the app's writes are held back a moment
(tests/support/racing.py), so both requests read before either writes.

A new state-changing route fails `test_every_state_changing_route_has_a_case` until it gets a case
here (or, with its reason, a place in EXEMPT).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pprint import pformat

import pyotp
import pytest
from sqlalchemy import select

from accompany import create_app
from accompany.clock import set_clock
from accompany.database import db
from accompany.models import (
    AppointmentKind,
    AppointmentStatus,
    BondStatus,
    ChecklistStep,
    Claim,
    FundEntryKind,
    Language,
    LocationKind,
    LoginSession,
    MessageState,
    OnCallTurn,
    OutboundMessage,
    Outcome,
    RecipientKind,
    Role,
    RotaSpan,
    ShiftRole,
    User,
    UserStatus,
)
from accompany.services.casework import letters, referrals
from accompany.services.casework.fund import record_entry
from accompany.services.detention.cases import open_case
from accompany.services.detention.on_call import add_turn
from accompany.services.messaging import family_texts
from accompany.services.messaging.inbound import receive_text
from accompany.services.people.accounts import invite_user
from accompany.services.people.password_reset import RESET_WINDOW, request_reset
from accompany.services.people.phone_codes import start_phone_check
from accompany.services.scheduling.calendar import new_token
from accompany.services.scheduling.claims import claim_slot
from accompany.timezones import to_local
from tests.conftest import NOW, config_for
from tests.support.browser import serve
from tests.support.browsing import hidden_inputs
from tests.support.factories import Factory
from tests.support.racing import Request, Stage, differences
from tests.support.routes import RULES
from tests.support.texting import code_texted_to
from tests.support.twilio_webhooks import AUTH_TOKEN, PUBLIC_BASE_URL, inbound_params, sign

PASSWORD = Factory.PASSWORD
NEW_PASSWORD = "a brand new long password"
BOSTON = "America/New_York"
FAMILY_PHONE = "+16175550142"
NEW_NUMBER = "+18575550164"  # the number Pia typed in her profile, waiting for its code
RITA_PHONE = "+16175550165"  # Rita forgot her password: a code went to her confirmed number
STATUS_SID = "SM" + "5" * 32
INBOUND_SID = "SM" + "7" * 32

# Random or derived values that differ from run to run whatever the app does: only whether they are
# set is compared. (Row versions count writes; what was written is compared column by column.)
OPAQUE = {
    "users.password_hash", "users.totp_secret", "users.calendar_token", "users.version",
    "invitations.token_hash", "login_sessions.token_hash", "recovery_codes.code_hash",
    "outbound_messages.dedupe_key", "outbound_messages.claim_token", "urgent_calls.code",
    "outbound_messages.params.code",
    "families.version", "appointments.version", "detention_cases.version", "detention_cases.code",
    "detention_cases.open_code", "shifts.version", "claims.version", "locations.version",
    "form_submissions.token", "phone_codes.request_hash",
    "letter_drives.version", "legal_providers.version", "legal_referrals.version",
    "needs.version", "tasks.version", "task_takers.version",  # casework (issue 14)
    "bonds.version",
    "checklist_steps.version",  # detention response: the checklist
}

# Routes whose valid send changes nothing in the database.
CHANGES_NOTHING = {"coordinator.import_appointments"}  # the upload only shows a preview

# Routes where a second identical send rightly does something a first one did not.
EXEMPT = {
    "auth.login": "each send is a sign-in of its own: a new session row and cookie per send, as on two devices",
    "auth.second_step": "a code from the app is accepted once; the same code sent again is refused and counted "
                        "as a failed try, as it must be when someone else replays it",
}

# Routes whose second send rightly leaves a record of its own in these tables, and why; the rest
# of the state must still be what one send leaves.
RECORDS_EACH_SEND = {
    "auth.signup": ({"login_throttles", "audit_events"},
                    "a throttle counts every sign-up from an address; the second send finds the account the "
                    "first made and is audited as a sign-up for an existing account, and must be answered "
                    "exactly like a new one, so that no one can tell which emails have accounts"),
    "auth.forgot_password": ({"login_throttles"}, "a throttle counts every reset asked for from an address"),
}


@dataclass
class World:
    """Who and what the cases act on: record ids, each role's browser cookies, tokens and secrets."""

    ids: dict[str, int]
    cookies: dict[str, dict]
    secrets: dict[str, str]


@dataclass
class Scene:
    stage: Stage
    world: World
    start: dict  # the database's state before any case sent anything


def _texted_codes(make: Factory) -> tuple[dict[str, object], dict[str, str]]:
    """Texted first, while the outbox holds nothing else to send: Pia's new number waiting for the
    code we texted to it, and the code Rita asked for to set a new password (her browser's token)."""
    pia = make.volunteer(name="Pia Phone", email="pia@example.org", phone="617-555-0163", sms_opt_in=True)
    start_phone_check(pia, NEW_NUMBER, now=NOW)
    rita = make.volunteer(name="Rita Reset", email="rita@example.org", phone=RITA_PHONE, sms_opt_in=True)
    token = request_reset(rita.email, now=NOW, address=None)
    db.session.commit()
    secrets = {"phone_code": code_texted_to(NEW_NUMBER), "reset_code": code_texted_to(RITA_PHONE),
               "reset_token": token}
    return {"pia": pia, "rita": rita}, secrets


def _build(make: Factory) -> tuple[dict[str, int], dict[str, str]]:
    """One of everything each case needs, all at once (every run starts again from it)."""
    coded, secrets = _texted_codes(make)
    admin = make.admin(name="Ada Admin", email="ada@example.org")
    coordinator = make.coordinator(name="Carmen Coordinator", email="carmen@example.org", phone="617-555-0120",
                                   sms_opt_in=True)
    make.coordinator(name="Enzo Enroller", email="enzo@example.org")
    make.coordinator(name="Tess Twostep", email="tess@example.org")
    codeuser = make.coordinator(name="Cody Code", email="cody@example.org", totp_secret=pyotp.random_base32(),
                                two_factor_enabled_at=NOW - timedelta(days=3))
    pending = make.pending_volunteer(name="Pat Pending")
    disabled = make.user(Role.VOLUNTEER, UserStatus.DISABLED, name="Dee Disabled", approved_at=NOW - timedelta(days=9))
    val = make.volunteer(name="Val Volunteer", email="val@example.org", phone="617-555-0161", sms_opt_in=True,
                         languages=["es"])
    hal = make.volunteer(name="Hal Holder", email="hal@example.org", phone="617-555-0162", sms_opt_in=True,
                         calendar_token=new_token())
    family = make.family(name="Rosa M.", phone=FAMILY_PHONE, consent_given_by="herself",
                         consent_method="verbally at intake", consent_at=NOW - timedelta(days=30))
    quiet = make.family(name="Lia C.", phone="617-555-0144", language=Language.PORTUGUESE)
    closed = make.family(name="Ana B.", phone="617-555-0143", closed_at=NOW - timedelta(days=1))
    court = make.location(name="Boston Immigration Court")
    office = make.location(name="Burlington ICE Office", kind=LocationKind.ICE_OFFICE, town="Burlington")
    upcoming = make.appointment(family, court, starts_at=NOW + timedelta(days=3))
    held = make.shift(upcoming, slots=2)
    claim_slot(held, hal, now=NOW)
    open_shift = make.shift(upcoming, role=ShiftRole.RIDE_HOME, starts_at=upcoming.starts_at + timedelta(hours=4))
    started = make.appointment(family, court, starts_at=NOW - timedelta(minutes=30))
    past_shift = make.shift(started, starts_at=NOW - timedelta(hours=1))
    make.claim(past_shift, hal)
    draft = make.appointment(family, court, starts_at=NOW + timedelta(days=10), status=AppointmentStatus.DRAFT)
    detained = make.appointment(family, court, starts_at=NOW - timedelta(days=2), status=AppointmentStatus.CLOSED,
                                outcome=Outcome.DETAINED, closed_at=NOW - timedelta(days=2))

    def message(state: MessageState, **fields) -> OutboundMessage:
        row = OutboundMessage(
            dedupe_key=f"double:{state.value}", kind="family_reminder_3d", recipient_kind=RecipientKind.FAMILY,
            family=family, appointment_id=upcoming.id, not_before=NOW - timedelta(hours=1),
            send_before=NOW + timedelta(days=1), state=state, created_at=NOW - timedelta(hours=2),
            **{"attempts": 1, **fields},
        )
        db.session.add(row)
        db.session.flush()
        return row

    planned = message(MessageState.PENDING, attempts=0)
    failed = message(MessageState.FAILED, error_code="30003")
    unknown = message(MessageState.UNKNOWN, handed_at=NOW - timedelta(hours=1))
    message(MessageState.SENT, provider_sid=STATUS_SID, sent_at=NOW - timedelta(hours=1))
    text = receive_text(FAMILY_PHONE, "Can someone call me?", provider_sid="SM" + "3" * 32, now=NOW).message
    _, invitation = invite_user("nora@example.org", Role.COORDINATOR, by=admin, now=NOW)
    # Casework: a hearing without a letter drive, one with a drive (Hal asked), a provider, a referral.
    hearing = make.appointment(family, court, kind=AppointmentKind.INDIVIDUAL_HEARING, starts_at=HEARING)
    drive_hearing = make.appointment(quiet, court, kind=AppointmentKind.BOND_HEARING, starts_at=HEARING)
    drive = letters.start_drive(drive_hearing, letters.DriveDetails(target=3, deadline=DEADLINE,
                                                                    owner_id=coordinator.id), by=coordinator, now=NOW)
    hal_ask = letters.ask_volunteer(drive, hal.id, by=coordinator, now=NOW)
    provider = referrals.create_provider(referrals.ProviderDetails(name="PAIR Project", services=("asylum",)),
                                         by=coordinator, now=NOW)
    referral = referrals.refer_family(family, referrals.ReferralDetails(provider_id=provider.id,
                                                                                            sent_on=_local(NOW).date()),
                                      by=coordinator, now=NOW)
    # Detention response (issue 15): Carmen on call, Otto who may be, and an open case for Dora's
    # family, whose texts it holds (one is waiting).
    add_turn(coordinator, starts_on=to_local(NOW, BOSTON).date(), span=RotaSpan.WEEK, position=1, now=NOW)
    otto = make.coordinator(name="Otto Oncall", email="otto@example.org", phone="617-555-0178", sms_opt_in=True)
    dora = make.family(name="Dora K.", phone="617-555-0146", consent_given_by="herself",
                       consent_method="verbally at intake", consent_at=NOW - timedelta(days=30))
    dora_visit = make.appointment(dora, court, starts_at=NOW + timedelta(days=8))
    case, _ = open_case(dora, now=NOW - timedelta(minutes=5), by=coordinator, appointment=dora_visit)
    family_texts.plan_family_reminders(dora_visit, now=NOW - timedelta(days=1))
    # casework (issue 14): a need owned by Carmen, a task Hal holds, and one open to take
    need = make.need(family, owner_id=coordinator.id, notes="Needs a bed for a child")
    held_task = make.task(need, title="Drive a mattress Saturday", due_on=(NOW + timedelta(days=1)).date())
    make.task_taker(held_task, hal)
    open_task = make.task(need, title="Call shelters in Chelsea", wanted=2)
    # Casework: the fund holds a gift; bonds raising money, released, and waiting for their refund.
    gift = record_entry(FundEntryKind.GIFT, 750_000, day=NOW.date(), today=NOW.date(), donor="Dora Donor",
                        by=coordinator, now=NOW)
    raising_bond = make.bond(family, status=BondStatus.RAISING)
    released_bond = make.bond(family, status=BondStatus.RELEASED)
    asked_bond = make.bond(family, status=BondStatus.REFUND_REQUESTED, cancelled_on=NOW.date())
    db.session.commit()
    held_claim = db.session.scalar(select(Claim).where(Claim.shift_id == held.id, Claim.volunteer_id == hal.id))
    rows = dict(admin=admin, coordinator=coordinator, codeuser=codeuser, pending=pending, disabled=disabled, val=val,
                hal=hal, family=family, quiet=quiet, closed=closed, court=court, office=office, upcoming=upcoming,
                held=held, held_claim=held_claim, open_shift=open_shift, past_shift=past_shift, draft=draft,
                detained=detained, planned=planned, failed=failed, unknown=unknown, text=text, hearing=hearing,
                drive=drive, hal_ask=hal_ask, provider=provider, referral=referral,
                case=case, otto=otto, turn=_turn_of(coordinator), **coded,
                need=need, held_task=held_task, open_task=open_task, gift=gift,
                raising_bond=raising_bond, released_bond=released_bond, asked_bond=asked_bond,
                case_step=case.steps[1], template_step=_first_template_step())
    ids = {name: row.id for name, row in rows.items()}
    return {**ids, "key": text.from_hash}, {"invitation": invitation, "code": codeuser.totp_secret, **secrets}


def _first_template_step() -> ChecklistStep:
    return db.session.scalar(select(ChecklistStep).order_by(ChecklistStep.position, ChecklistStep.id))


def _turn_of(user: User) -> OnCallTurn:
    return db.session.scalar(select(OnCallTurn).where(OnCallTurn.user_id == user.id))


def _asked_for_reset(app, token: str) -> dict:
    """The cookies of the browser that asked for a password reset code and got `token`."""
    session = {"password_reset": {"token": token, "until": (NOW + RESET_WINDOW).timestamp()}}
    return {app.config["SESSION_COOKIE_NAME"]: app.session_interface.get_signing_serializer(app).dumps(session)}


def _sign_in(stage: Stage, email: str, *, then: str = "/password") -> dict:
    """A browser's cookies after logging in as `email` and opening `then` (which gives it a CSRF token)."""
    browser = stage.browser()
    token = hidden_inputs(browser.get(stage.base_url + "/login", timeout=60).text)["csrf_token"]
    answer = browser.post(stage.base_url + "/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=60)
    assert answer.status_code == 302, answer.text
    assert browser.get(stage.base_url + then, timeout=60).status_code == 200
    return browser.cookies.get_dict()


@pytest.fixture(scope="module")
def scene(db_kind, postgres, tmp_path_factory):
    """A live server on its own database, holding the world every case starts from."""
    if db_kind == "postgresql":
        url = postgres.create_database("accompany_double_submit")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('double') / 'double.sqlite'}"
    app = create_app(config_for(url, PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN))
    set_clock(NOW)
    with app.app_context():
        db.create_all()
        ids, secrets = _build(Factory(now=NOW))
    with serve(app) as base_url:
        stage = Stage(app, base_url)
        cookies = {"anon": {}}
        for role, email in (("admin", "ada@example.org"), ("coordinator", "carmen@example.org"),
                            ("enroller", "enzo@example.org"), ("twofa", "tess@example.org"),
                            ("volunteer", "val@example.org"), ("holder", "hal@example.org"),
                            ("phoner", "pia@example.org"), ("forgetful", "rita@example.org")):
            cookies[role] = _sign_in(stage, email, then="/account/two-factor" if role == "enroller" else "/password")
        cookies["halfway"] = _sign_in(stage, "cody@example.org", then="/login/code")
        cookies["resetter"] = _asked_for_reset(app, secrets["reset_token"])  # Rita's other browser
        with app.app_context():  # Tess turns two-step login on after logging in
            tess = db.session.scalar(select(User).where(User.email == "tess@example.org"))
            tess.totp_secret, tess.two_factor_enabled_at = pyotp.random_base32(), NOW
            secrets["tess"] = tess.totp_secret
            enzo = db.session.scalar(select(User).where(User.email == "enzo@example.org"))
            secrets["enroll"] = db.session.scalar(select(LoginSession.two_factor_setup_secret).where(
                LoginSession.user_id == enzo.id))  # the key belongs to the browser that opened the setup page
            db.session.commit()
        stage.keep_world()
        stage.install_write_delay()
        yield Scene(stage, World(ids, cookies, secrets), start=stage.state(OPAQUE))
        set_clock(None)
    with app.app_context():
        db.engine.dispose()


# -- the cases: one valid request per state-changing route ----------------------------------------------


def _local(moment):
    return to_local(moment, BOSTON)


def form(stage: Stage, w: World, who: str, page: str, path: str, **data) -> Request:
    """What a browser posts from the form on `page`: its hidden fields (CSRF token, one-time key,
    `seen`...) and what the person filled in."""
    browser = stage.browser(w.cookies[who])
    answer = browser.get(stage.base_url + page, allow_redirects=False, timeout=60)
    assert answer.status_code == 200, (page, answer.status_code)
    return Request(path, {**hidden_inputs(answer.text), **data}, cookies=browser.cookies.get_dict())


def button(page: str, path: str, who: str = "coordinator", **data):
    """The form on `page` posted to `path`; "{name}" in either, or in a value, is the world's record id."""
    def request(stage, w):
        filled = {name: value.format(**w.ids) for name, value in data.items()}
        return form(stage, w, who, page.format(**w.ids), path.format(**w.ids), **filled)
    return request


def twilio(path: str, params: dict) -> callable:
    def request(stage, w):
        return Request(path, params, headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, params)})
    return request


def _family_fields(**changes) -> dict:
    return {"name": "Rosa M.", "phone": "617-555-0142", "language": "es", "town": "Chelsea", "sms_consent": "y",
            "consent_given_by": "herself", "consent_method": "verbally at intake", "wording": "discreet", **changes}


def _shift_fields(starts, hours: int = 3, **changes) -> dict:
    local = _local(starts)
    return {"role": "companion", "day": local.date().isoformat(), "starts": local.strftime("%H:%M"),
            "ends": (local + timedelta(hours=hours)).strftime("%H:%M"), "meeting_point": "Front steps",
            "slots": "1", "language": "", "notes": "", **changes}


def _appointment_fields(w: World, starts, **changes) -> dict:
    local = _local(starts)
    return {"family_id": str(w.ids["family"]), "location_id": str(w.ids["court"]), "kind": "master_calendar",
            "day": local.date().isoformat(), "time": local.strftime("%H:%M"), "mode": "in_person", "judge": "",
            "interpreter_language": "", "notes": "", "verified_on": "", "verified_by": "", **changes}


UPCOMING = NOW + timedelta(days=3)
HEARING = NOW + timedelta(days=20)
DEADLINE = _local(NOW + timedelta(days=13)).date()  # a week before the hearing
TODAY = _local(NOW).date().isoformat()
TODAY = NOW.date().isoformat()  # 10:00 in Boston: the same day there
CSV = ("family,location,kind,date,time,needs,judge,interpreter,mode,notes\r\n"
       f"Lia C.,Boston Immigration Court,master calendar,{(NOW + timedelta(days=14)).date()},08:30,"
       "ride there; companion,,Portuguese,in person,\r\n")


def _import_upload(stage, w):
    request = form(stage, w, "coordinator", "/coordinator/import", "/coordinator/import")
    request.files = {"file": ("court-dates.csv", CSV.encode(), "text/csv")}
    return request


def _import_confirm(stage, w):
    upload = _import_upload(stage, w)
    browser = stage.browser(upload.cookies)
    preview = browser.post(stage.base_url + upload.path, data=upload.data, files=upload.files, timeout=60)
    assert preview.status_code == 200 and 'name="content"' in preview.text, preview.text[-2000:]
    return Request("/coordinator/import/confirm", hidden_inputs(preview.text), cookies=browser.cookies.get_dict())


def _inbox(path: str, **data):
    return button("/coordinator/inbox/{key}", f"/coordinator/inbox/{{key}}/{path}", **data)


def _code(secret_name: str, who: str, page: str, path: str):
    def request(stage, w):
        return form(stage, w, who, page, path, code=pyotp.TOTP(w.secrets[secret_name]).at(NOW))
    return request


CASES = {
    "admin.invitations": button("/admin/invitations", "/admin/invitations", "admin",
                                email="second.coordinator@example.org", role="coordinator"),
    "admin.reset_two_factor": button("/admin/accounts", "/admin/accounts/{codeuser}/reset-two-factor", "admin"),
    "auth.accept_invitation": lambda stage, w: form(stage, w, "anon", f"/invite/{w.secrets['invitation']}",
                                                    f"/invite/{w.secrets['invitation']}", name="Nora New",
                                                    password=NEW_PASSWORD, confirm=NEW_PASSWORD),
    "auth.change_password": button("/password", "/password", "volunteer", current=PASSWORD, password=NEW_PASSWORD,
                                   confirm=NEW_PASSWORD),
    "auth.disable_two_factor": button("/account/two-factor", "/account/two-factor/disable", "twofa",
                                      password=PASSWORD),
    "auth.log_out_everywhere": button("/password", "/account/log-out-everywhere", "volunteer"),
    "auth.forgot_password": button("/password/forgot", "/password/forgot", "anon", account="rita@example.org"),
    "auth.login": button("/login", "/login", "anon", email="val@example.org", password=PASSWORD),
    "auth.logout": button("/password", "/logout", "volunteer"),
    "auth.reset_password": lambda stage, w: form(stage, w, "resetter", "/password/reset", "/password/reset",
                                                 code=w.secrets["reset_code"], password=NEW_PASSWORD,
                                                 confirm=NEW_PASSWORD),
    "auth.second_step": _code("code", "halfway", "/login/code", "/login/code"),
    # The language picker, signed in: the account's one language (issue 17).
    "auth.set_language": button("/password", "/language", "volunteer", language="fr", return_to="/password"),
    "auth.signup": button("/signup", "/signup", "anon", name="Sam Signup", email="sam@example.org",
                          password=NEW_PASSWORD, confirm=NEW_PASSWORD, phone="617-555-0177", languages="es",
                          sms_opt_in="y"),
    "auth.two_factor": _code("enroll", "enroller", "/account/two-factor", "/account/two-factor"),
    "coordinator.approve": button("/coordinator/volunteers", "/coordinator/volunteers/{pending}/approve"),
    "coordinator.assign_volunteer": button("/coordinator/shifts/{open_shift}/assign",
                                           "/coordinator/shifts/{open_shift}/assign", volunteer_id="{val}"),
    "coordinator.cancel_appointment": button("/coordinator/appointments/{upcoming}",
                                             "/coordinator/appointments/{upcoming}/cancel"),
    "coordinator.cancel_message": button("/coordinator/messages", "/coordinator/messages/{planned}/cancel"),
    "coordinator.clear_alert": button("/coordinator/appointments/{detained}",
                                      "/coordinator/appointments/{detained}/clear-alert"),
    "coordinator.close_appointment": button("/coordinator/appointments/{upcoming}",
                                            "/coordinator/appointments/{upcoming}/close", outcome="detained",
                                            notes="Taken at the hearing"),
    "coordinator.close_family": button("/coordinator/families/{quiet}", "/coordinator/families/{quiet}/close"),
    "coordinator.confirm_draft": button("/coordinator/appointments/{draft}", "/coordinator/appointments/{draft}/confirm"),
    "coordinator.confirm_import": _import_confirm,
    "coordinator.deactivate_volunteer": button("/coordinator/volunteers/{hal}",
                                               "/coordinator/volunteers/{hal}/deactivate"),
    "coordinator.decline": button("/coordinator/volunteers", "/coordinator/volunteers/{pending}/decline"),
    "coordinator.edit_appointment": lambda stage, w: form(
        stage, w, "coordinator", f"/coordinator/appointments/{w.ids['upcoming']}/edit",
        f"/coordinator/appointments/{w.ids['upcoming']}/edit", **_appointment_fields(w, UPCOMING, judge="Judge Cruz")),
    "coordinator.edit_family": button("/coordinator/families/{family}/edit", "/coordinator/families/{family}/edit",
                                      **_family_fields(town="Revere")),
    "coordinator.edit_location": button("/coordinator/locations/{court}/edit", "/coordinator/locations/{court}/edit",
                                        name="Boston Immigration Court", kind="immigration_court",
                                        address="15 New Sudbury St, Boston, MA 02203", town="Boston", timezone=BOSTON,
                                        arrival_notes="The line forms at 7:30."),
    "coordinator.edit_shift": button("/coordinator/shifts/{open_shift}/edit", "/coordinator/shifts/{open_shift}/edit",
                                     **_shift_fields(UPCOMING + timedelta(hours=3, minutes=30), role="ride_home",
                                                     meeting_point="Side door")),
    "coordinator.import_appointments": _import_upload,
    "coordinator.mark_conversation_handled": _inbox("handled"),
    "coordinator.new_appointment": lambda stage, w: form(
        stage, w, "coordinator", "/coordinator/appointments/new", "/coordinator/appointments/new",
        **_appointment_fields(w, NOW + timedelta(days=5), family_id=str(w.ids["quiet"])), needs="companion"),
    "coordinator.new_family": button("/coordinator/families/new", "/coordinator/families/new",
                                     **_family_fields(name="Teo D.", phone="617-555-0145", language="pt")),
    "coordinator.new_location": button("/coordinator/locations/new", "/coordinator/locations/new",
                                       name="Suffolk County Jail", kind="detention_center",
                                       address="20 Bradston St, Boston, MA 02118", town="Boston", timezone=BOSTON),
    "coordinator.new_shift": button("/coordinator/appointments/{upcoming}/shifts/new",
                                    "/coordinator/appointments/{upcoming}/shifts/new",
                                    **_shift_fields(UPCOMING - timedelta(minutes=45), role="interpreter", language="es")),
    "coordinator.opt_out_conversation": _inbox("opt-out"),
    "coordinator.reactivate_volunteer": button("/coordinator/volunteers/{disabled}",
                                               "/coordinator/volunteers/{disabled}/reactivate"),
    "coordinator.release_claim": button("/coordinator/volunteers/{hal}", "/coordinator/claims/{held_claim}/release"),
    "coordinator.remove_shift": button("/coordinator/appointments/{upcoming}", "/coordinator/shifts/{held}/remove"),
    "coordinator.reopen_family": button("/coordinator/families/{closed}", "/coordinator/families/{closed}/reopen"),
    "coordinator.reply_to_conversation": _inbox("reply", text="We will call you this afternoon."),
    "coordinator.reschedule_appointment": button(
        "/coordinator/appointments/{upcoming}", "/coordinator/appointments/{upcoming}/reschedule",
        day=_local(UPCOMING + timedelta(days=1)).date().isoformat(), time=_local(UPCOMING).strftime("%H:%M")),
    "coordinator.retry_message": button("/coordinator/messages?view=problems", "/coordinator/messages/{failed}/retry"),
    "coordinator.settle_arrived": button("/coordinator/messages?view=problems", "/coordinator/messages/{unknown}/arrived"),
    "coordinator.settle_not_arrived": button("/coordinator/messages?view=problems",
                                             "/coordinator/messages/{unknown}/not-arrived"),
    "coordinator.toggle_location": button("/coordinator/locations/{office}", "/coordinator/locations/{office}/toggle",
                                          active="0"),
    "coordinator.urgent_call": button("/coordinator/shifts/{open_shift}/assign", "/coordinator/shifts/{open_shift}/urgent"),
    "coordinator.verify_appointment": button("/coordinator/appointments/{upcoming}",
                                             "/coordinator/appointments/{upcoming}/verify", how="eoir_portal",
                                             note="Same date on the portal"),
    # Casework: letters of support and legal referrals.
    "coordinator.new_letter_drive": button("/coordinator/appointments/{hearing}/letter-drive",
                                           "/coordinator/appointments/{hearing}/letter-drive", target="3",
                                           deadline=DEADLINE.isoformat(), owner_id="{coordinator}"),
    "coordinator.edit_letter_drive": button("/coordinator/letter-drives/{drive}/edit",
                                            "/coordinator/letter-drives/{drive}/edit", target="5",
                                            deadline=(DEADLINE - timedelta(days=1)).isoformat(),
                                            owner_id="{coordinator}"),
    "coordinator.ask_for_letter": button("/coordinator/letter-drives/{drive}", "/coordinator/letter-drives/{drive}/asks",
                                         volunteer_id="{val}"),
    "coordinator.record_letter": button("/coordinator/letter-drives/{drive}", "/coordinator/letter-drives/{drive}/letters",
                                        ask_id="{hal_ask}", received_on=TODAY),
    "coordinator.close_letter_drive": button("/coordinator/letter-drives/{drive}",
                                             "/coordinator/letter-drives/{drive}/close"),
    "coordinator.new_legal_provider": button("/coordinator/legal-providers/new", "/coordinator/legal-providers/new",
                                             name="Lawyers for Civil Rights", services="removal_defense",
                                             taking_cases="y"),
    "coordinator.edit_legal_provider": button("/coordinator/legal-providers/{provider}/edit",
                                              "/coordinator/legal-providers/{provider}/edit", name="PAIR Project",
                                              services="asylum", phone="617-555-0100"),
    "coordinator.new_referral": button("/coordinator/families/{family}/referrals/new",
                                       "/coordinator/families/{family}/referrals/new", provider_id="{provider}",
                                       sent_on=TODAY, notes="Asked for a consultation"),
    "coordinator.edit_referral": button("/coordinator/referrals/{referral}/edit", "/coordinator/referrals/{referral}/edit",
                                        status="accepted", notes="Taken on"),
    "volunteer.cancel_phone_change": button("/my/profile", "/my/profile/phone/cancel?back=profile", "phoner"),
    "volunteer.claim": button("/shifts", "/shifts/{open_shift}/claim", "volunteer"),
    "volunteer.confirm_phone": lambda stage, w: form(stage, w, "phoner", "/my/profile", "/my/profile/phone/confirm",
                                                     code=w.secrets["phone_code"], back="profile"),
    "volunteer.delete_account": button("/my/profile", "/my/profile/delete", "holder", delete_password=PASSWORD),
    "volunteer.new_phone_code": button("/my/profile", "/my/profile/phone/new-code?back=profile", "phoner"),
    "volunteer.profile": button("/my/profile", "/my/profile", "volunteer", name="Val Volunteer", phone="617-555-0161",
                                sms_opt_in="y", languages="es", home_area="Somerville"),
    "volunteer.release": button("/my/shifts/{held}", "/my/shifts/{held}/release", "holder"),
    "volunteer.report": button("/my/shifts/{past_shift}/report", "/my/shifts/{past_shift}/report", "holder",
                               outcome="rescheduled", next_date=(NOW + timedelta(days=30)).date().isoformat(),
                               hours="3.5", notes="The judge set a new date."),
    "volunteer.reset_calendar": button("/my/calendar", "/my/calendar/reset", "holder"),
    # Detention response (issue 15).
    "coordinator.acknowledge_detention": button("/coordinator/detentions/{case}",
                                                "/coordinator/detentions/{case}/acknowledge"),
    "coordinator.resume_detention_texts": button("/coordinator/detentions/{case}",
                                                 "/coordinator/detentions/{case}/resume"),
    "coordinator.cancel_detention_texts": button("/coordinator/detentions/{case}",
                                                 "/coordinator/detentions/{case}/cancel-texts"),
    "coordinator.switch_detention_number": button("/coordinator/detentions/{case}",
                                                  "/coordinator/detentions/{case}/number", phone="617-555-0147"),
    "coordinator.detention_where_held": button("/coordinator/detentions/{case}",
                                               "/coordinator/detentions/{case}/where", location_id="",
                                               held_note="Plymouth, per the family's lawyer"),
    "coordinator.close_detention": button("/coordinator/detentions/{case}", "/coordinator/detentions/{case}/close",
                                          outcome="released_on_bond", note="Bond paid"),
    "coordinator.report_family_detention": button("/coordinator/families/{quiet}",
                                                  "/coordinator/families/{quiet}/detained", note="Taken at home"),
    "coordinator.report_appointment_detention": button("/coordinator/appointments/{upcoming}",
                                                       "/coordinator/appointments/{upcoming}/detained", note=""),
    "coordinator.add_on_call_turn": button("/coordinator/on-call", "/coordinator/on-call", user_id="{otto}",
                                           starts_on=to_local(NOW, BOSTON).date().isoformat(), span="day",
                                           position="2"),
    "coordinator.remove_on_call_turn": button("/coordinator/on-call", "/coordinator/on-call/{turn}/remove"),
    "volunteer.report_detention": button("/my/shifts/{past_shift}", "/my/shifts/{past_shift}/detained", "holder",
                                         note="At the check-in window"),
    "coordinator.new_checklist_step": button("/coordinator/detentions/checklist/new",
                                             "/coordinator/detentions/checklist/new", title="Call the consulate",
                                             need_kind="", due_days="1", position="10"),
    "coordinator.edit_checklist_step": button("/coordinator/detentions/checklist/{template_step}/edit",
                                              "/coordinator/detentions/checklist/{template_step}/edit",
                                              title="Find out where they are held", need_kind="", due_days="0",
                                              position="1"),
    "coordinator.switch_checklist_step": button("/coordinator/detentions/checklist",
                                                "/coordinator/detentions/checklist/{template_step}/switch", active="0"),
    "coordinator.tick_case_step": button("/coordinator/detentions/{case}",
                                         "/coordinator/detentions/steps/{case_step}/tick", done="1"),
    # Casework: the bond fund.
    "coordinator.new_bond": button("/coordinator/bonds/new", "/coordinator/bonds/new", family_id="{family}",
                                   person="Luis M.", amount="$7,500.00", set_by="ice", set_on=TODAY,
                                   facility_id="None", facility_other="Plymouth", obligor_id="None", obligor_name=""),
    "coordinator.edit_bond": button("/coordinator/bonds/{released_bond}/edit", "/coordinator/bonds/{released_bond}/edit",
                                    person="Luis M.", obligor_id="None", obligor_name="Tío Pedro", receipt_ref="CEB-1",
                                    cancellation_ref=""),
    "coordinator.move_bond": button("/coordinator/bonds/{released_bond}", "/coordinator/bonds/{released_bond}/move",
                                    to="ongoing", day=TODAY, cancellation_ref=""),
    "coordinator.pay_bond": button("/coordinator/bonds/{raising_bond}", "/coordinator/bonds/{raising_bond}/pay",
                                   day=TODAY, paid_how="online", receipt_ref="CEB-1"),
    "coordinator.refund_bond": button("/coordinator/bonds/{asked_bond}", "/coordinator/bonds/{asked_bond}/refund",
                                      day=TODAY, amount=""),
    "coordinator.record_fund_entry": button("/coordinator/fund", "/coordinator/fund/entries", kind="gift",
                                            amount="250", day=TODAY, donor="Dora Donor"),
    "coordinator.reverse_fund_entry": button("/coordinator/fund", "/coordinator/fund/entries/{gift}/reverse"),
    "webhooks.delivery_status": twilio("/sms/status", {"MessageSid": STATUS_SID, "MessageStatus": "delivered"}),
    "webhooks.inbound_text": twilio("/sms/inbound", {**inbound_params(FAMILY_PHONE, "1"), "MessageSid": INBOUND_SID,
                                                     "SmsSid": INBOUND_SID, "SmsMessageSid": INBOUND_SID}),
    # casework (issue 14)
    "coordinator.new_need": button("/coordinator/families/{family}/needs/new", "/coordinator/families/{family}/needs/new",
                                   kind="transport", status="open", owner_id="{coordinator}",
                                   due_on=(NOW + timedelta(days=3)).date().isoformat(), appointment_id="",
                                   notes="Rides to the clinic"),
    "coordinator.edit_need": button("/coordinator/needs/{need}/edit", "/coordinator/needs/{need}/edit",
                                    kind="housing", status="in_progress", owner_id="{coordinator}",
                                    due_on=(NOW + timedelta(days=2)).date().isoformat(), appointment_id="",
                                    notes="A bed by Friday"),
    "coordinator.new_task": button("/coordinator/needs/{need}/tasks/new", "/coordinator/needs/{need}/tasks/new",
                                   title="Collect letters", due_on=(NOW + timedelta(days=4)).date().isoformat(),
                                   wanted="2", language=""),
    "coordinator.edit_task": button("/coordinator/tasks/{open_task}/edit", "/coordinator/tasks/{open_task}/edit",
                                    title="Call shelters in Revere", due_on=(NOW + timedelta(days=5)).date().isoformat(),
                                    wanted="3", language="es"),
    "coordinator.remove_task": button("/coordinator/needs/{need}", "/coordinator/tasks/{open_task}/remove"),
    "volunteer.take_task": button("/shifts", "/tasks/{open_task}/take", "volunteer"),
    "volunteer.give_back_task": button("/my/tasks/{held_task}", "/my/tasks/{held_task}/give-back", "holder"),
    "volunteer.task_done": button("/my/tasks/{held_task}/done", "/my/tasks/{held_task}/done", "holder",
                                  report="Delivered it; the family has a bed now."),
}


STATE_CHANGING = sorted({endpoint for endpoint, _, method in RULES if method in ("POST", "PUT", "PATCH", "DELETE")})


def test_every_state_changing_route_has_a_case():
    assert sorted(CASES) == STATE_CHANGING, "add a case (or an exemption with its reason) for each new route"
    assert set(EXEMPT) <= set(CASES)


def _run(scene: Scene, endpoint: str, *, twice: bool):
    """The world put back, the clock at NOW, and the case's request sent once or twice at once:
    the answers' status codes and the database's state after."""
    stage = scene.stage
    stage.restore()
    set_clock(NOW)
    request = CASES[endpoint](stage, scene.world)
    answers = stage.send_twice(request) if twice else stage.send_once(request)
    return answers, stage.state(OPAQUE)


@pytest.mark.parametrize("endpoint", STATE_CHANGING)
def test_the_same_post_twice_at_once_leaves_what_one_leaves(scene, endpoint):
    once, after_one = _run(scene, endpoint, twice=False)
    assert once[0] < 400, f"the single send failed: {once}"
    if endpoint not in CHANGES_NOTHING:
        assert differences(scene.start, after_one), "the case's single send changed nothing: is it valid?"
    twice, after_two = _run(scene, endpoint, twice=True)
    assert all(answer < 500 for answer in twice), f"a server error: {twice}"
    if endpoint in EXEMPT:
        return
    found = {table: change for table, change in differences(after_one, after_two).items()
             if table not in RECORDS_EACH_SEND.get(endpoint, ((), ""))[0]}
    assert not found, "two sends left another state than one:\n" + pformat(found, width=150)
