"""Every route of the app and who may reach it (DESIGN §3), with one of every record to try
them on: shared by tests/test_access_matrix.py and tests/test_fuzz.py."""

from __future__ import annotations

from datetime import timedelta

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from accompany import create_app
from accompany.crypto import phone_index
from accompany.models import ChecklistStep, FundEntryKind, MessageState, OutboundMessage, RecipientKind, RotaSpan
from accompany.services.casework import letters, referrals
from accompany.services.casework.fund import record_entry
from accompany.services.detention.cases import open_case
from accompany.services.detention.on_call import add_turn, org_today
from accompany.services.messaging.inbound import receive_text
from accompany.services.people.accounts import invite_user
from tests.conftest import config_for, from_now, log_in

ROLES = ("anon", "pending", "volunteer", "holder", "coordinator", "admin")
OK, NOT_FOUND, LOGIN, REFUSED = "ok", "404", "login", "403"


def _roles(**answers) -> dict[str, str]:
    assert set(answers) == set(ROLES)
    return answers


PUBLIC = _roles(anon=OK, pending=OK, volunteer=OK, holder=OK, coordinator=OK, admin=OK)
SIGNED_IN = _roles(anon=LOGIN, pending=OK, volunteer=OK, holder=OK, coordinator=OK, admin=OK)
PROFILE = _roles(anon=LOGIN, pending=OK, volunteer=OK, holder=OK, coordinator=NOT_FOUND, admin=NOT_FOUND)
# A volunteer waiting for approval is sent to their home page, which says so.
BOARD = _roles(anon=LOGIN, pending=OK, volunteer=OK, holder=OK, coordinator=NOT_FOUND, admin=NOT_FOUND)
HOLDER = _roles(anon=LOGIN, pending=OK, volunteer=NOT_FOUND, holder=OK, coordinator=NOT_FOUND,
                admin=NOT_FOUND)
STAFF = _roles(anon=LOGIN, pending=NOT_FOUND, volunteer=NOT_FOUND, holder=NOT_FOUND, coordinator=OK, admin=OK)
ADMIN = _roles(anon=LOGIN, pending=NOT_FOUND, volunteer=NOT_FOUND, holder=NOT_FOUND, coordinator=NOT_FOUND,
               admin=OK)
TWILIO = _roles(anon=REFUSED, pending=REFUSED, volunteer=REFUSED, holder=REFUSED, coordinator=REFUSED,
                admin=REFUSED)  # unsigned: only Twilio's signature opens these

ACCESS: dict[str, dict[str, str]] = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.signup": PUBLIC,
    "auth.signed_up": PUBLIC,  # the same page after every sign-up: it names nobody
    "auth.accept_invitation": PUBLIC,  # the token is the key
    "auth.forgot_password": PUBLIC,  # the same answer for every email or number; signed-in people go home
    "auth.reset_password": PUBLIC,  # only with the token the browser got when it asked
    "volunteer.calendar_feed": PUBLIC,  # the token is the key
    "home.index": PUBLIC,  # a welcome page with the way in, or the person's own home
    "auth.set_language": PUBLIC,  # the language picker on every page, before logging in too
    "auth.logout": _roles(anon=LOGIN, pending=LOGIN, volunteer=LOGIN, holder=LOGIN, coordinator=LOGIN,
                          admin=LOGIN),  # everyone lands on the login page
    "auth.change_password": SIGNED_IN,
    "volunteer.profile": PROFILE,
    "volunteer.board_page": BOARD,
    "volunteer.claim": BOARD,
    "volunteer.calendar": BOARD,
    "volunteer.reset_calendar": BOARD,
    "volunteer.my_shifts_page": BOARD,
    "volunteer.held_shift": HOLDER,
    "volunteer.release": HOLDER,
    "volunteer.report": HOLDER,
    "auth.second_step": SIGNED_IN | {"anon": LOGIN},  # only after the right password; signed-in people go home
    "auth.two_factor": STAFF,
    "auth.disable_two_factor": STAFF,
    "auth.log_out_everywhere": _roles(anon=LOGIN, pending=LOGIN, volunteer=LOGIN, holder=LOGIN, coordinator=LOGIN,
                                      admin=LOGIN),  # everyone, signed out everywhere, lands on the login page
    "volunteer.delete_account": PROFILE,
    "volunteer.confirm_phone": PROFILE,
    "volunteer.new_phone_code": PROFILE,
    "volunteer.cancel_phone_change": PROFILE,
    "admin.invitations": ADMIN,
    "admin.accounts": ADMIN,
    "admin.reset_two_factor": ADMIN,
    "webhooks.inbound_text": TWILIO,
    "webhooks.delivery_status": TWILIO,
    # Casework: letters of support and legal referrals (staff only; volunteers see none of it).
    "coordinator.new_letter_drive": STAFF,
    "coordinator.letter_drive": STAFF,
    "coordinator.edit_letter_drive": STAFF,
    "coordinator.ask_for_letter": STAFF,
    "coordinator.record_letter": STAFF,
    "coordinator.close_letter_drive": STAFF,
    "coordinator.legal_providers": STAFF,
    "coordinator.new_legal_provider": STAFF,
    "coordinator.edit_legal_provider": STAFF,
    "coordinator.new_referral": STAFF,
    "coordinator.edit_referral": STAFF,
    # Detention response (issue 15): a volunteer reports from a shift they hold and sees only that
    # report's confirmation; every coordinator route (the list, a case, the rota) is for staff.
    "volunteer.report_detention": HOLDER,
    "volunteer.reported_detention": HOLDER,
    # the checklist of what follows a detention: its template and ticking a case's steps (staff)
    "coordinator.detention_checklist": STAFF,
    "coordinator.new_checklist_step": STAFF,
    "coordinator.edit_checklist_step": STAFF,
    "coordinator.switch_checklist_step": STAFF,
    "coordinator.tick_case_step": STAFF,
    # casework (issue 14): a volunteer sees a task's family only while holding it
    "volunteer.take_task": BOARD,
    "volunteer.my_tasks_page": BOARD,
    "volunteer.held_task": HOLDER,
    "volunteer.give_back_task": HOLDER,
    "volunteer.task_done": HOLDER,
}
STAFF_PREFIX = "coordinator."  # every coordinator route is for staff only


def expected_access(endpoint: str) -> dict[str, str] | None:
    if endpoint in ACCESS:
        return ACCESS[endpoint]
    return STAFF if endpoint.startswith(STAFF_PREFIX) else None


def _rules():
    app = create_app(config_for("sqlite://"))
    return sorted((rule.endpoint, rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))


RULES = _rules()
# The routes a person's form posts to (the webhooks are Twilio's).
FORM_POSTS = [rule for rule in RULES if rule[2] == "POST" and not rule[0].startswith("webhooks.")]


def form_field_names() -> list[str]:
    """Every field name any form in the app has (the forms are imported with the app)."""
    names, pending = set(), list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        names.update(name for name in dir(form) if isinstance(getattr(form, name, None), UnboundField))
    names.discard("csrf_token")
    return sorted(names)


FIELDS = form_field_names()


def build_world(app, make, db):
    """One of everything, and a signed-in client for each kind of person."""
    admin = make.admin(name="Ada Admin")
    coordinator = make.coordinator(name="Carmen Coordinator")
    pending = make.pending_volunteer(name="Pat Pending")
    volunteer = make.volunteer(name="Val Volunteer", phone="617-555-0161", sms_opt_in=True)
    holder = make.volunteer(name="Hal Holder", phone="617-555-0162", sms_opt_in=True, calendar_token="t" * 40)
    family = make.family(name="Rosa M.", phone="617-555-0142")
    appointment = make.appointment(family=family, starts_at=from_now(days=3))
    shift = make.shift(appointment)
    claim = make.claim(shift, holder)
    open_shift = make.shift(appointment, starts_at=appointment.starts_at + timedelta(hours=4))
    message = OutboundMessage(
        dedupe_key="access:test", kind="family_reminder_3d", recipient_kind=RecipientKind.FAMILY, family=family,
        appointment_id=appointment.id, not_before=from_now(), send_before=from_now(days=1),
        state=MessageState.FAILED, attempts=1, created_at=from_now(),
    )
    db.session.add(message)
    _, invitation_token = invite_user("new.coordinator@example.org", "coordinator", by=admin, now=from_now())
    receive_text("+16175550142", "Can someone call me?", provider_sid=None, now=from_now())
    # Casework: a letter drive for a hearing (the holder asked), a provider and a referral.
    hearing = make.appointment(family=family, starts_at=from_now(days=20))
    drive = letters.start_drive(hearing, letters.DriveDetails(target=3, deadline=letters.default_deadline(hearing),
                                                              owner_id=coordinator.id), by=coordinator, now=from_now())
    letters.ask_volunteer(drive, holder.id, by=coordinator, now=from_now())
    provider = referrals.create_provider(referrals.ProviderDetails(name="PAIR Project"), by=coordinator,
                                         now=from_now())
    referral = referrals.refer_family(family, referrals.ReferralDetails(
        provider_id=provider.id, sent_on=letters.default_deadline(hearing) - timedelta(days=30)),
        by=coordinator, now=from_now())
    # Detention response (issue 15): a case the holder reported from their shift, and a turn on call.
    case, _ = open_case(family, now=from_now(), by=holder, shift=shift, note="seen at the window")
    turn = add_turn(make.coordinator(name="Otto Oncall", phone="617-555-0177", sms_opt_in=True),
                    starts_on=org_today(from_now()), span=RotaSpan.WEEK, position=1, now=from_now())
    # casework (issue 14): a need with a task the holder holds, and one open to take
    need = make.need(family, owner_id=coordinator.id, notes="Needs a bed for a child")
    held_task = make.task(need, title="Drive a mattress Saturday")
    make.task_taker(held_task, holder)
    open_task = make.task(need, title="Call shelters in Chelsea", wanted=2)
    # Casework: a bond for the family and a line of the fund.
    bond = make.bond(family=family, person="Luis M.", obligor_name="Tío Pedro")
    entry = record_entry(FundEntryKind.GIFT, 50_000, day=from_now().date(), today=from_now().date(), donor="Dora Donor",
                         by=coordinator, now=from_now())
    db.session.commit()
    people = {"pending": pending, "volunteer": volunteer, "holder": holder, "coordinator": coordinator,
              "admin": admin}

    def client_for(role: str):
        client = app.test_client()
        if role != "anon":
            log_in(client, people[role])
        return client

    values = {
        "shift_id": shift.id, "claim_id": claim.id, "family_id": family.id, "appointment_id": appointment.id,
        "location_id": appointment.location_id, "user_id": volunteer.id, "message_id": message.id,
        "key": phone_index("+16175550142"), "filename": "css/app.css",
        "drive_id": drive.id, "provider_id": provider.id, "referral_id": referral.id,
        "case_id": case.id, "turn_id": turn.id, "step_id": _first_template_step(db),
        "case_step_id": case.steps[0].id,
        "need_id": need.id, "task_id": held_task.id,
        # Casework.
        "bond_id": bond.id, "entry_id": entry.id,
    }
    return client_for, values, {"open_shift": open_shift.id, "invitation": invitation_token,
                             "calendar": "t" * 40, "open_task": open_task.id}


def _first_template_step(db) -> int:
    return db.session.scalar(select(ChecklistStep.id).order_by(ChecklistStep.position, ChecklistStep.id))


def url_for_rule(endpoint: str, rule: str, values: dict, extra: dict) -> str:
    if endpoint == "auth.accept_invitation":
        values = {**values, "token": extra["invitation"]}
    elif endpoint == "volunteer.calendar_feed":
        values = {**values, "token": extra["calendar"]}
    elif endpoint == "volunteer.claim":
        values = {**values, "shift_id": extra["open_shift"]}
    elif endpoint == "volunteer.take_task":
        values = {**values, "task_id": extra["open_task"]}
    url = rule
    for name, value in values.items():
        for converter in ("id:", "path:", ""):
            url = url.replace(f"<{converter}{name}>", str(value))
    assert "<" not in url, f"no test value for a part of {rule}"
    return url


def outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location:
        return LOGIN
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code == 403:
        return REFUSED
    assert response.status_code < 500, response.status_code
    return OK
