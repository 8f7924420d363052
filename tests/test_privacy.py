"""What someone holding a copy of the database, or of the logs, could read: no family's name,
phone number, notes or texts (DESIGN §4)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import select, text

from accompany.demo import seed_demo
from accompany.models import (
    Bond,
    DetentionOutcome,
    Family,
    FundEntry,
    InboundMessage,
    LegalReferral,
    LetterAsk,
    Need,
    OutboundMessage,
    Role,
    Shift,
    SupportLetter,
    Task,
    TaskTaker,
    User,
    UserStatus,
)
from accompany.services.detention.cases import close_case, open_case, set_where_held
from accompany.services.messaging import family_texts
from accompany.services.messaging.dispatch import send_due
from accompany.services.messaging.sms.gateway import RetryableError, current_gateway
from tests.conftest import NOW, csrf_token, from_now, log_in
from tests.support.texting import code_texted_to
from tests.support.twilio_webhooks import AUTH_TOKEN, PUBLIC_BASE_URL, inbound_params, post_signed


def dump_every_table(db) -> str:
    """Every row of every table as the database holds it: what a leaked backup shows."""
    lines = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')).all():
            lines.append(f"{table.name}: " + " | ".join(str(value) for value in row))
    return "\n".join(lines)


def admin_of_demo(db) -> User:
    return db.session.scalars(select(User).where(User.role == Role.ADMIN).order_by(User.id)).first()


def phone_forms(e164: str) -> list[str]:
    """The ways a US number can be written: +16175550142, 6175550142, 617-555-0142, 555-0142..."""
    digits = e164[2:]
    return [e164, digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            f"{digits[3:6]}-{digits[6:]}", digits[3:]]


def test_a_seeded_database_dumped_as_raw_sql_holds_no_family_name_phone_note_or_text(app, db):
    seed_demo(now=NOW)
    # Detention response (issue 15): a case's sealed note, where held and outcome note.
    detained = db.session.scalars(select(Family).order_by(Family.id)).first()
    case, _ = open_case(detained, now=NOW, by=None, note="Taken at the window by two officers")
    set_where_held(case, location=None, note="Plymouth County, unit B", by=None, now=NOW)
    close_case(case, DetentionOutcome.RELEASED_ON_BOND, note="Bond paid by the fund", by=admin_of_demo(db), now=NOW)
    db.session.commit()
    gateway = current_gateway()
    send_due(gateway, clock=lambda: NOW + timedelta(days=1), rate=0)  # bodies are kept (sealed) once sent
    assert gateway.sent, "the demo has texts to send"

    families = db.session.scalars(select(Family)).all()
    secrets = []
    for family in families:
        secrets += [family.name, family.notes, family.consent_given_by, *phone_forms(family.phone)]
    for user in db.session.scalars(select(User).where(User.phone.is_not(None))):
        secrets += phone_forms(user.phone)
    secrets += [m.body for m in db.session.scalars(select(OutboundMessage).where(OutboundMessage.body.is_not(None)))]
    secrets += [m.body for m in db.session.scalars(select(InboundMessage))]
    # Casework: community contacts' and letter writers' names, legal referral notes.
    casework = [ask.contact_name for ask in db.session.scalars(select(LetterAsk))]
    casework += [letter.writer_name for letter in db.session.scalars(select(SupportLetter))]
    casework += [referral.notes for referral in db.session.scalars(select(LegalReferral))]
    assert len([value for value in casework if value]) >= 6, "the demo has letters, contacts and referral notes"
    secrets += casework
    secrets += [case.report_note, case.held_note, case.outcome_note]
    # casework (issue 14): need notes, task details and volunteers' reports are sealed too
    casework = [n.notes for n in db.session.scalars(select(Need))]
    casework += [t.details for t in db.session.scalars(select(Task))]
    casework += [t.report for t in db.session.scalars(select(TaskTaker))]
    assert len([c for c in casework if c]) >= 8, "the demo has casework notes, details and a report"
    secrets += casework
    # Casework: who was bonded, who signed, the bond's references, and the fund's donors.
    bonds = db.session.scalars(select(Bond)).all()
    assert bonds and any(bond.obligor_name for bond in bonds) and any(bond.receipt_ref for bond in bonds)
    secrets += [value for bond in bonds for value in (bond.person, bond.obligor_name, bond.receipt_ref,
                                                      bond.cancellation_ref)]
    donors = [entry.donor for entry in db.session.scalars(select(FundEntry)) if entry.donor]
    assert len(donors) >= 4
    secrets += donors
    secrets = [s for s in secrets if s and len(s) >= 4]
    assert len(secrets) > 200 and any("555" in s for s in secrets)

    dump = dump_every_table(db)
    assert "Hola, ¿me pueden llamar?" not in dump and "Recordatorio" not in dump
    leaks = sorted({secret for secret in secrets if secret in dump})
    assert leaks == []


# -- logs ------------------------------------------------------------------------------------------

FAMILY_NAME = "Zelmira Quintanilla"
FAMILY_PHONE = "+16175550187"
VOLUNTEER_PHONE = "+16175550166"


def test_a_whole_scenario_logged_at_debug_holds_no_number_name_or_text(app, make, db, caplog):
    """Sign-up, an appointment, a claim, reminders sent and retried, an inbound STOP, a forged
    webhook, a bad form and a missing page, with every logger at DEBUG."""
    caplog.set_level(logging.DEBUG)
    app.config.update(PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN, SMS_RATE_PER_SECOND=0)
    client = app.test_client()
    token = csrf_token(client, "/signup")
    response = client.post("/signup", data={
        "csrf_token": token, "name": "Lucía Gómez-Ibarra", "email": "lucia@example.org", "phone": "617-555-0166",
        "password": "a long enough password", "confirm": "a long enough password", "languages": ["es"],
        "has_car": "y", "home_area": "Chelsea",
    })
    assert response.status_code == 302
    volunteer = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert volunteer is not None and volunteer.phone is None  # theirs once the code texted to it comes back
    code = code_texted_to(VOLUNTEER_PHONE)
    log_in(client, volunteer, "a long enough password")  # signing up logs nobody in
    assert client.post("/my/profile/phone/confirm", data={"code": code, "back": "home",
                                                         "csrf_token": csrf_token(client, "/")}).status_code == 302
    db.session.expire_all()
    volunteer = db.session.get(User, volunteer.id)
    assert volunteer.phone == VOLUNTEER_PHONE
    volunteer.status, volunteer.sms_opt_in = UserStatus.ACTIVE, True
    coordinator = make.coordinator(name="Grace Oduya", phone="617-555-0122", sms_opt_in=True)
    family = make.family(name=FAMILY_NAME, phone="617-555-0187", notes="Her brother drives on weekends")
    appointment = make.appointment(family=family, starts_at=from_now(days=2))
    shift = make.shift(appointment, meeting_point=f"{FAMILY_NAME}'s home, 12 Elm St")
    family_texts.plan_family_reminders(appointment, now=from_now())
    db.session.commit()

    volunteer_client = app.test_client()
    log_in(volunteer_client, volunteer, "a long enough password")
    token = csrf_token(volunteer_client, "/shifts")
    assert volunteer_client.post(f"/shifts/{shift.id}/claim", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).filled == 1

    gateway = current_gateway()
    gateway.fail_next(RetryableError(code="20429", message="Too many requests"))
    send_due(gateway, clock=lambda: from_now(days=1, hours=12))
    send_due(gateway, clock=lambda: from_now(days=1, hours=13))
    bodies = [body for _, body in gateway.sent]
    assert bodies, "texts went out"

    assert post_signed(app.test_client(), "/sms/inbound", inbound_params(FAMILY_PHONE, "PARAR")).status_code == 200
    forged = inbound_params(FAMILY_PHONE, "START please")
    assert app.test_client().post("/sms/inbound", data=forged, headers={"X-Twilio-Signature": "x"}).status_code == 403
    client = app.test_client()
    log_in(client, coordinator)
    assert client.get("/coordinator/families/999999").status_code == 404
    token = csrf_token(client, "/coordinator/families/new")
    assert client.post("/coordinator/families/new", data={"csrf_token": token, "name": FAMILY_NAME,
                                                          "phone": "617-555-01"}).status_code == 200

    logged = caplog.text
    assert "outbox run" in logged and "inbound text" in logged and "refused Twilio webhook" in logged
    for part in FAMILY_NAME.split() + ["Lucía", "Gómez", "Elm St", "brother drives", "lucia@example.org"]:
        assert part not in logged, part
    for number in (FAMILY_PHONE, VOLUNTEER_PHONE, "+16175550122"):
        for form in phone_forms(number)[:-1]:  # the last four digits alone may appear
            assert form not in logged, form
    assert not re.search(r"\d{7,}", re.sub(r"(SM|MG|AC|CA)[0-9a-f]{32}|\d{4}-\d{2}-\d{2}[ T][\d:.+]+", "", logged))
    for body in bodies:
        assert body not in logged
        assert body[:40] not in logged
    assert code not in logged


def test_a_server_error_logs_the_route_and_the_failed_statement_but_no_value(app, make, db, caplog):
    """A 500 is logged with its exception. A database error's message quotes its statement:
    never the values bound to it (here an email, a name and a password hash), nor PostgreSQL's
    DETAIL quoting the duplicate email, nor the token in the request's path."""
    volunteer = make.volunteer(name="Lucía Gómez-Ibarra", email="lucia@example.org")
    db.session.commit()
    token = "k" * 40

    @app.get("/invite/<token>/twice")
    def sign_up_twice(token):
        db.session.add(User(email=volunteer.email, name=volunteer.name, password_hash=volunteer.password_hash,
                            role=volunteer.role, status=UserStatus.PENDING, created_at=from_now()))
        db.session.flush()  # the same email again: the unique constraint refuses it

    caplog.set_level(logging.DEBUG)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: logged, and a 500 page
    assert app.test_client().get(f"/invite/{token}/twice").status_code == 500

    logged = caplog.text
    for secret in ("Lucía", "Gómez", "lucia@example.org", volunteer.password_hash[:20], token):
        assert secret not in logged, secret
    assert "Exception on /invite/<token>/twice [GET]" in logged
    assert "IntegrityError" in logged and "INSERT INTO users" in logged
    assert "uq_users_email" in logged or "UNIQUE constraint failed: users.email" in logged
