"""Purging families past retention (DESIGN §4): who is due, what is kept, what is erased, the
carrier's records deleted through the real Twilio SDK, dry runs and legal holds."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from twilio.base.exceptions import TwilioRestException

from accompany.crypto import EncryptedText, keyring
from accompany.models import (
    AppointmentStatus,
    AuditEvent,
    Claim,
    Family,
    InboundMessage,
    MessageState,
    OptOut,
    OutboundMessage,
    Outcome,
    RecipientKind,
    Shift,
)
from accompany.services.messaging.sms.console import ConsoleGateway
from accompany.services.messaging.sms.fake import FakeGateway
from accompany.services.messaging.sms.gateway import DeleteError, current_gateway, init_gateway
from accompany.services.messaging.sms.twilio_backend import TwilioGateway
from accompany.services.privacy import retention
from accompany.services.privacy.retention import (
    FamilyAlreadyPurged,
    FamilyOnLegalHold,
    LegalHoldOn,
    RetentionDaysInvalid,
    purge_due_families,
    purge_family,
)
from tests.conftest import NOW, from_now
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

NAME = "Rosalinda Quispe"
PHONE = "+16175550142"
# Everything that says who the family was, in the forms it could take in a row.
SECRETS = (
    "Rosalinda", "Quispe", "6175550142", "617-555-0142", "(617) 555-0142", "5550142",
    "12 Elm St", "Jorge", "asylum office letter", "Quiero confirmar", "Hola familia", "Meet at the door",
    "was nervous", "Ring the bell twice", "came with her lawyer",
)


def _sid(n: int) -> str:
    return "SM" + f"{n:032x}"


@pytest.fixture(autouse=True)
def no_hold(app):
    """Whatever the shell running the tests says, these start with the global hold off."""
    app.config["LEGAL_HOLD"] = False
    app.config["RETENTION_DAYS"] = 365


# -- building an old family with everything a family leaves behind ---------------------------------------


def _outbound(db, *, key, body, at, family=None, user=None, appointment=None, shift=None, sid=None,
              state=MessageState.DELIVERED, kind="family_reminder_1d"):
    row = OutboundMessage(
        dedupe_key=key, kind=kind,
        recipient_kind=RecipientKind.FAMILY if family is not None else RecipientKind.VOLUNTEER,
        family=family, user=user, appointment_id=appointment.id if appointment else None,
        shift_id=shift.id if shift else None, params={}, not_before=at, send_before=at + timedelta(hours=4),
        state=state, attempts=0 if state == MessageState.PENDING else 1,
        sent_at=None if state == MessageState.PENDING else at, provider_sid=sid, body=body, created_at=at,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _inbound(db, *, body, at, phone=PHONE, family=None, appointment=None, sid=None):
    from accompany.crypto import phone_index

    row = InboundMessage(
        provider_sid=sid, from_hash=phone_index(phone), from_phone=phone, body=body, received_at=at,
        family_id=family.id if family else None, appointment_id=appointment.id if appointment else None,
        kind="other", answered_with=None,
    )
    db.session.add(row)
    db.session.flush()
    return row


class Old:
    """An old family with an appointment, a shift, a claim with a report, and texts both ways."""

    def __init__(self, make, db, *, now=NOW, ago=timedelta(days=400), sids=(1, 2, 3, 4), name=NAME,
                 phone="617-555-0142"):
        when = now - ago
        self.family = family = make.family(
            name=name, phone=phone, notes="Lives at 12 Elm St; asylum office letter in March",
            consent_given_by="her son Jorge", consent_method="verbally, Jorge translating",
            consent_at=when - timedelta(days=30),
        )
        family.created_at = when - timedelta(days=60)
        self.appointment = appointment = make.appointment(
            family=family, starts_at=when, notes="Jorge comes too", status=AppointmentStatus.CLOSED,
            outcome=Outcome.HELD, outcome_notes="She came with her lawyer", judge="Judge Example",
        )
        self.shift = shift = make.shift(appointment, meeting_point="Rosalinda's home, 12 Elm St",
                                        notes="Ring the bell twice")
        self.volunteer = make.volunteer(phone="617-555-0161", sms_opt_in=True)
        self.claim = make.claim(shift, self.volunteer)
        self.claim.report_outcome, self.claim.report_hours = Outcome.HELD, Decimal("3.5")
        self.claim.report_notes, self.claim.reported_at = "Rosalinda was nervous", when
        sent = when - timedelta(days=1)
        self.to_family = _outbound(db, key=f"f{family.id}:1", body="Hola familia, cita mañana 9:00",
                                   at=sent, family=family, appointment=appointment,
                                   sid=_sid(sids[0]) if sids[0] else None)
        self.to_volunteer = _outbound(db, key=f"f{family.id}:2", body="Meet at the door of 12 Elm St",
                                      at=sent, user=self.volunteer, appointment=appointment, shift=shift,
                                      kind="volunteer_soon", sid=_sid(sids[1]) if sids[1] else None)
        self.pending = _outbound(db, key=f"f{family.id}:3", body=None, at=now + timedelta(days=1),
                                 family=family, state=MessageState.PENDING, kind="staff_reply")
        self.reply = _inbound(db, body="Quiero confirmar, soy Rosalinda", at=sent, family=family,
                              appointment=appointment, sid=_sid(sids[2]) if sids[2] else None,
                              phone=family.phone)
        # Texted after the family was closed: no family was linked, only the number says whose.
        self.orphan = _inbound(db, body="Hola, soy Rosalinda Quispe otra vez", at=when + timedelta(days=2),
                               sid=_sid(sids[3]) if sids[3] else None, phone=family.phone)
        db.session.flush()

    @property
    def sids(self) -> set[str]:
        return {row.provider_sid for row in (self.to_family, self.to_volunteer, self.reply, self.orphan)
                if row.provider_sid}


# -- reading the database as it is stored ---------------------------------------------------------------


def database_text(db) -> str:
    """Every value in every table, read with raw SQL, sealed columns decrypted: what someone with
    the database and the keys could read."""
    db.session.flush()
    ring = keyring()
    parts = []
    for table in db.metadata.sorted_tables:
        sealed = {column.name for column in table.columns if isinstance(column.type, EncryptedText)}
        result = db.session.execute(text(f'SELECT * FROM "{table.name}"'))
        names = list(result.keys())
        for row in result:
            for name, value in zip(names, row):
                if value is not None and name in sealed:
                    value = ring.decrypt(value)
                parts.append(f"{table.name}.{name}={value}")
    return "\n".join(parts)


def table_rows(db) -> dict[str, list[tuple]]:
    """Every row of every table as stored (for "nothing changed")."""
    db.session.flush()
    return {
        table.name: sorted(map(tuple, db.session.execute(text(f'SELECT * FROM "{table.name}"'))), key=repr)
        for table in db.metadata.sorted_tables
    }


def _reload(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


# -- what is erased, what is kept ------------------------------------------------------------------------


def test_a_family_past_retention_is_anonymized_and_its_numbers_kept(make, db):
    old = Old(make, db)
    gateway = FakeGateway()

    run = purge_due_families(now=NOW, gateway=gateway)

    assert run.family_ids == [old.family.id]
    family = _reload(db, Family, old.family.id)
    assert family.name == f"Purged family {family.id}"
    assert (family.phone, family.phone_hash, family.notes, family.consent_given_by) == (None,) * 4
    assert (family.sms_consent, family.consent_at, family.consent_method) == (False, None, "")
    assert family.purged_at == NOW and family.closed_at == NOW
    assert family.language is not None and family.town == "Chelsea"  # not who, only where and how
    # The statistics survive: the appointment, its shift and the claim with its report.
    appointment = family.appointments[0]
    assert (appointment.kind, appointment.starts_at, appointment.status, appointment.outcome) == (
        old.appointment.kind, NOW - timedelta(days=400), AppointmentStatus.CLOSED, Outcome.HELD)
    assert appointment.notes is None and appointment.outcome_notes is None
    shift = db.session.get(Shift, old.shift.id)
    assert (shift.role, shift.slots, shift.filled) == (old.shift.role, 1, 1)
    assert shift.meeting_point == "" and shift.notes == ""
    claim = db.session.get(Claim, old.claim.id)
    assert claim.volunteer_id == old.volunteer.id
    assert (claim.report_outcome, claim.report_hours, claim.report_notes) == (Outcome.HELD, Decimal("3.5"), None)
    # Texts: rows kept (how many went, and when), words gone; the pending one will not go.
    sent = db.session.get(OutboundMessage, old.to_family.id)
    assert sent.state == MessageState.DELIVERED and sent.sent_at is not None and sent.body is None
    assert db.session.get(OutboundMessage, old.to_volunteer.id).body is None
    assert db.session.get(OutboundMessage, old.pending.id).state == MessageState.CANCELLED
    for row_id in (old.reply.id, old.orphan.id):
        inbound = db.session.get(InboundMessage, row_id)
        assert (inbound.body, inbound.from_phone, inbound.family_id) == ("", "", family.id)
        assert inbound.from_hash != old.family.phone_hash and len(inbound.from_hash) == 64
        assert inbound.handled_at is not None
    assert run.families[0].texts == 5 and run.families[0].cancelled == 1


def test_after_a_purge_no_trace_of_the_family_is_left_in_the_database(make, db):
    old = Old(make, db)
    phone_hash = old.family.phone_hash
    other = make.family(name="Ana Other", phone="617-555-0199", notes="Ana works nights")
    make.appointment(family=other, starts_at=NOW - timedelta(days=30), notes="Ana's cousin drives")
    _inbound(db, body="Ana says thank you", at=NOW - timedelta(days=29), family=other, phone=other.phone)
    before = database_text(db)
    stored = [secret for secret in SECRETS if secret not in ("617-555-0142", "(617) 555-0142")]  # kept as E.164
    assert [secret for secret in stored if secret not in before] == []  # the check below can see them
    assert phone_hash in before

    purge_due_families(now=NOW, gateway=FakeGateway())
    db.session.flush()

    after = database_text(db)
    for secret in SECRETS:
        assert secret not in after, f"{secret!r} is still in the database"
    assert phone_hash not in after
    # The family within retention keeps everything.
    for kept in ("Ana Other", other.phone_hash, "6175550199", "Ana works nights", "Ana's cousin", "Ana says"):
        assert kept in after


def test_an_opt_out_of_the_number_stays_after_the_purge(make, db):
    old = Old(make, db)
    phone_hash = old.family.phone_hash
    db.session.add(OptOut(phone_hash=phone_hash, active=True, keyword="stop", opted_out_at=NOW))
    purge_due_families(now=NOW, gateway=FakeGateway())
    # The number said STOP: a new family with it must not be texted because this one was purged.
    assert db.session.scalar(select(OptOut.active).where(OptOut.phone_hash == phone_hash)) is True


def test_the_purge_audit_event_holds_ids_and_counts_only(make, db):
    old = Old(make, db)
    gateway = FakeGateway()
    gateway.fail_next_delete(DeleteError("Twilio answered HTTP 500"))
    purge_due_families(now=NOW, gateway=gateway)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "family.purged"))
    assert (event.subject_type, event.subject_id, event.actor_id) == ("Family", old.family.id, None)
    assert event.details == {"appointments": 1, "texts_sent": 3, "texts_received": 2, "messages_cancelled": 1,
                             "provider_deleted": 3, "provider_failed": 1}


# -- who is due ----------------------------------------------------------------------------------------


def test_only_families_past_retention_are_purged(make, db):
    due = Old(make, db, ago=timedelta(days=366), sids=(1, 2, 3, 4)).family
    recent = Old(make, db, ago=timedelta(days=364), sids=(11, 12, 13, 14), phone="617-555-0143").family
    # An old appointment does not count when a later one is recent, even a cancelled one.
    later = Old(make, db, ago=timedelta(days=900), sids=(21, 22, 23, 24), phone="617-555-0144").family
    make.appointment(family=later, starts_at=NOW - timedelta(days=20), status=AppointmentStatus.CANCELLED)
    coming = Old(make, db, ago=timedelta(days=500), sids=(31, 32, 33, 34), phone="617-555-0145").family
    make.appointment(family=coming, starts_at=NOW + timedelta(days=10))
    # No appointment at all: counted from when the family was recorded.
    never_old = make.family(name="Never Met", phone="617-555-0146")
    never_old.created_at = NOW - timedelta(days=400)
    never_new = make.family(name="Just Recorded", phone="617-555-0147")
    never_new.created_at = NOW - timedelta(days=10)
    db.session.flush()

    run = purge_due_families(now=NOW, gateway=FakeGateway())

    assert run.family_ids == [due.id, never_old.id]
    for kept in (recent, later, coming, never_new):
        assert _reload(db, Family, kept.id).purged_at is None


def test_the_cutoff_is_exactly_retention_days_after_the_last_appointment(make, db):
    on_the_day = make.family(name="On The Day", phone="")
    make.appointment(family=on_the_day, starts_at=NOW - timedelta(days=365))
    a_second_more = make.family(name="A Second More", phone="")
    make.appointment(family=a_second_more, starts_at=NOW - timedelta(days=365, seconds=1))
    assert retention.due_family_ids(now=NOW, days=365) == [a_second_more.id]


def test_the_days_can_be_set_in_the_config_or_for_one_run(app, make, db):
    family = Old(make, db, ago=timedelta(days=100)).family
    assert purge_due_families(now=NOW, gateway=FakeGateway(), dry_run=True).family_ids == []
    assert purge_due_families(now=NOW, days=99, gateway=FakeGateway(), dry_run=True).family_ids == [family.id]
    app.config["RETENTION_DAYS"] = 90
    assert purge_due_families(now=NOW, gateway=FakeGateway(), dry_run=True).family_ids == [family.id]


def test_held_and_purged_families_are_never_due_and_never_locked_for_a_purge(make, db):
    """Each of the two checks holds on its own: the list of due families, and the locking of
    them (where a hold set in between still counts)."""
    held = Old(make, db).family
    held.legal_hold = True
    purged = Old(make, db, sids=(11, 12, 13, 14), phone="617-555-0143").family
    purge_family(purged, now=NOW, gateway=FakeGateway())
    due = Old(make, db, sids=(21, 22, 23, 24), phone="617-555-0144").family
    db.session.flush()
    assert retention.due_family_ids(now=NOW, days=365) == [due.id]
    assert retention._lock_families([held.id, purged.id, due.id]) == [due]


@pytest.mark.parametrize("days", [0, -5, "soon", None])
def test_a_nonsense_retention_is_refused(app, days):
    app.config["RETENTION_DAYS"] = days
    with pytest.raises(RetentionDaysInvalid):
        purge_due_families(now=NOW, gateway=FakeGateway())


# -- legal hold ----------------------------------------------------------------------------------------------


def test_a_family_on_legal_hold_is_never_purged(make, db):
    old = Old(make, db)
    old.family.legal_hold = True
    gateway = FakeGateway()
    before = table_rows(db)

    run = purge_due_families(now=NOW, gateway=gateway)

    assert run.families == [] and gateway.delete_attempts == []
    assert table_rows(db) == before
    with pytest.raises(FamilyOnLegalHold):
        purge_family(old.family, now=NOW, gateway=gateway)
    assert table_rows(db) == before


def test_the_global_legal_hold_purges_nothing_at_all(app, make, db):
    Old(make, db)
    purge_due_families(now=NOW, gateway=FakeGateway())  # leaves nothing at the carrier
    left = Old(make, db, sids=(11, 12, 13, 14), phone="617-555-0143")  # due, with records at the carrier
    gateway = FakeGateway()
    gateway.fail_next_delete(DeleteError("no"), times=4)
    purge_family(left.family, now=NOW, gateway=gateway)  # purged, its records still at the carrier
    fresh = Old(make, db, sids=(21, 22, 23, 24), phone="617-555-0144")
    app.config["LEGAL_HOLD"] = True
    gateway = FakeGateway()
    before = table_rows(db)

    run = purge_due_families(now=NOW, gateway=gateway)

    assert run.held and run.families == [] and run.retried == 0
    assert gateway.delete_attempts == []  # not even an earlier purge's leftovers
    assert table_rows(db) == before
    assert _reload(db, Family, fresh.family.id).purged_at is None
    with pytest.raises(LegalHoldOn):
        purge_family(fresh.family, now=NOW, gateway=gateway)


@pytest.mark.parametrize(
    ("value", "held"),
    [("", False), ("0", False), ("false", False), ("False", False), ("no", False), ("off", False),
     ("1", True), ("true", True), ("TRUE", True), ("yes", True), ("on", True), ("ture", True)],
)
def test_legal_hold_from_the_environment(value, held):
    """A typo holds: only the plain "off" words turn it off."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "LEGAL_HOLD": value, "RETENTION_DAYS": "30"}
    out = subprocess.run([sys.executable, "-c", "import config; print(config.Config.LEGAL_HOLD, "
                          "config.Config.RETENTION_DAYS)"], cwd=root, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [str(held), "30"]


def test_legal_hold_read_from_a_string_setting(app):
    app.config["LEGAL_HOLD"] = "false"
    assert retention.legal_hold_on() is False
    app.config["LEGAL_HOLD"] = "maybe"
    assert retention.legal_hold_on() is True


def test_retention_defaults_to_a_year():
    env = {key: value for key, value in os.environ.items() if key not in ("RETENTION_DAYS", "LEGAL_HOLD")}
    out = subprocess.run([sys.executable, "-c", "import config; print(config.Config.LEGAL_HOLD, "
                          "config.Config.RETENTION_DAYS)"], cwd=Path(__file__).resolve().parents[1], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "365"]


# -- once only ---------------------------------------------------------------------------------------------


def test_a_purged_family_is_not_purged_again(make, db):
    old = Old(make, db)
    sids = old.sids
    gateway = FakeGateway()
    purge_due_families(now=NOW, gateway=gateway)
    assert sorted(gateway.deleted) == sorted(sids)
    purged_at = old.family.purged_at

    again = purge_due_families(now=NOW + timedelta(days=3), gateway=gateway)

    assert again.families == [] and again.retried == 0
    assert len(gateway.delete_attempts) == 4
    assert _reload(db, Family, old.family.id).purged_at == purged_at
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "family.purged")) == 1
    with pytest.raises(FamilyAlreadyPurged):
        purge_family(_reload(db, Family, old.family.id), now=NOW, gateway=gateway)


def test_a_record_the_carrier_could_not_delete_is_tried_again_next_run(make, db):
    old = Old(make, db)
    sids = old.sids
    gateway = FakeGateway()
    gateway.fail_next_delete(DeleteError("Twilio answered HTTP 503"))
    first = purge_due_families(now=NOW, gateway=gateway)
    assert (first.provider_deleted, first.provider_failed) == (3, 1)
    failed_sid = gateway.delete_attempts[0]
    assert failed_sid not in gateway.deleted
    # The family is purged all the same; the failed one keeps its SID, the deleted ones lose theirs.
    assert _reload(db, Family, old.family.id).purged_at == NOW
    kept = [row.provider_sid for row in db.session.scalars(select(OutboundMessage)) if row.provider_sid]
    kept += [row.provider_sid for row in db.session.scalars(select(InboundMessage)) if row.provider_sid]
    assert kept == [failed_sid]

    second = purge_due_families(now=NOW + timedelta(days=1), gateway=gateway)

    assert second.families == [] and (second.retried, second.retried_deleted, second.retried_failed) == (1, 1, 0)
    assert sorted(gateway.deleted) == sorted(sids)
    third = purge_due_families(now=NOW + timedelta(days=2), gateway=gateway)
    assert third.retried == 0 and len(gateway.delete_attempts) == 5


def test_a_dry_run_changes_nothing_and_deletes_nothing(make, db):
    old = Old(make, db)
    gateway = FakeGateway()
    before = table_rows(db)

    run = purge_due_families(now=NOW, gateway=gateway, dry_run=True)

    assert run.family_ids == [old.family.id]
    assert (run.texts, run.provider_records) == (5, 4)
    assert gateway.delete_attempts == []
    db.session.flush()
    assert table_rows(db) == before


# -- the command ---------------------------------------------------------------------------------------------


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as server:
        yield server


def use_twilio(app, fake: FakeTwilio, **overrides) -> None:
    """Make the app's gateway the real Twilio backend, talking to the fake Twilio server."""
    app.config.update({
        "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "a" * 32, "TWILIO_FROM_NUMBER": "",
        "TWILIO_API_BASE_URL": fake.base_url, "TWILIO_TIMEOUT_SECONDS": 5, **overrides,
    })
    init_gateway(app)


def _sent_through_twilio(make, db, *, ago=timedelta(days=400)) -> Old:
    """An old family whose texts went through the (fake) Twilio, so their SIDs are Twilio's own."""
    old = Old(make, db, now=from_now(), ago=ago, sids=(0, 0, 7, 0))
    for row, to in ((old.to_family, PHONE), (old.to_volunteer, "+16175550161")):
        row.provider_sid = current_gateway().send(to, row.body).provider_sid
    db.session.commit()
    return old


def _deletes(fake: FakeTwilio) -> list:
    return [request for request in fake.requests if request.method == "DELETE"]


def test_purge_deletes_the_texts_at_twilio_through_the_sdk(app, make, db, runner, fake_twilio, caplog):
    caplog.set_level(logging.DEBUG)
    use_twilio(app, fake_twilio)
    old = _sent_through_twilio(make, db)
    sids = old.sids
    family_sid = old.to_family.provider_sid
    assert len(sids) == 3 and {m.sid for m in fake_twilio.messages} < sids

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "Purged 1 family (last appointment more than 365 days ago" in result.output
    assert f"family ids {old.family.id}." in result.output
    assert "Cleared 5 texts to, from or about them; 3 of 3 deleted at the SMS provider." in result.output
    deletes = _deletes(fake_twilio)
    assert sorted(fake_twilio.deleted) == sorted(sids)
    assert {r.path for r in deletes} == {f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json" for sid in sids}
    assert all(r.auth == (ACCOUNT_SID, AUTH_TOKEN) and r.answered == 204 for r in deletes)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)
                             .where(OutboundMessage.provider_sid.is_not(None))) == 0
    assert _reload(db, Family, old.family.id).purged_at is not None
    for secret in SECRETS:
        assert secret not in result.output and secret not in caplog.text
    # Deleted at Twilio means gone there: asking for it now is a 404.
    with pytest.raises(TwilioRestException) as caught:
        current_gateway().client.messages(family_sid).fetch()
    assert caught.value.status == 404


def test_a_404_at_twilio_counts_as_already_gone(app, make, db, runner, fake_twilio):
    use_twilio(app, fake_twilio)
    old = _sent_through_twilio(make, db)
    already = old.to_family.provider_sid
    fake_twilio._delete(already)  # deleted at Twilio by hand before the purge

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "3 of 3 deleted at the SMS provider" in result.output
    assert [r.answered for r in _deletes(fake_twilio) if r.path.endswith(f"{already}.json")] == [404]


def test_a_twilio_error_is_reported_the_family_purged_and_the_record_tried_next_run(
        app, make, db, runner, fake_twilio, caplog):
    caplog.set_level(logging.DEBUG)
    use_twilio(app, fake_twilio)
    old = _sent_through_twilio(make, db)
    sids = old.sids
    fake_twilio.fail_next(status=500, code=20500)

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 1
    assert "Cleared 5 texts to, from or about them; 2 of 3 deleted at the SMS provider." in result.output
    assert "1 text could not be deleted at the SMS provider; the next run tries again." in result.output
    assert _reload(db, Family, old.family.id).purged_at is not None
    assert len(fake_twilio.deleted) == 2
    assert "not deleted at Twilio" in caplog.text and "HTTP 500" in caplog.text
    for secret in SECRETS:
        assert secret not in caplog.text

    again = runner.invoke(args=["purge"])

    assert again.exit_code == 0, again.output
    assert "Tried again 1 text of families purged before: 1 deleted at the SMS provider, 0 not." in again.output
    assert "No family is due for purging" in again.output
    assert sorted(fake_twilio.deleted) == sorted(sids)


def test_dry_run_lists_the_families_and_counts_and_changes_nothing(app, make, db, runner, fake_twilio):
    use_twilio(app, fake_twilio)
    old = _sent_through_twilio(make, db)
    second = Old(make, db, now=from_now(), sids=(0, 0, 0, 0), phone="617-555-0143", name="Second Family")
    db.session.commit()
    before = table_rows(db)
    requests_before = len(fake_twilio.requests)

    result = runner.invoke(args=["purge", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert ("Dry run: 2 families would be purged (last appointment more than 365 days ago, before "
            in result.output)
    assert f"family ids {old.family.id}, {second.family.id}." in result.output
    assert "10 texts to, from or about them would be cleared, 3 of them deleted at the SMS provider." in result.output
    assert "Nothing was changed." in result.output
    assert len(fake_twilio.requests) == requests_before and fake_twilio.deleted == []
    db.session.expire_all()
    assert table_rows(db) == before
    for secret in (*SECRETS, "Second Family"):
        assert secret not in result.output


def test_the_command_under_global_legal_hold_does_nothing_and_says_so(app, make, db, runner, fake_twilio):
    use_twilio(app, fake_twilio)
    _sent_through_twilio(make, db)
    before = table_rows(db)
    requests_before = len(fake_twilio.requests)
    app.config["LEGAL_HOLD"] = True

    for args in (["purge"], ["purge", "--dry-run"], ["purge", "--days", "1"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert result.output.strip() == ("Legal hold is on (LEGAL_HOLD): nothing was purged and nothing was "
                                         "deleted at the SMS provider.")
    assert len(fake_twilio.requests) == requests_before
    db.session.expire_all()
    assert table_rows(db) == before


def test_the_command_keeps_a_family_on_hold_and_a_recent_one(app, make, db, runner):
    held = Old(make, db, now=from_now()).family
    held.legal_hold = True
    recent = Old(make, db, now=from_now(), ago=timedelta(days=30), sids=(11, 12, 13, 14),
                 phone="617-555-0143").family
    db.session.commit()
    before = table_rows(db)

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "No family is due for purging" in result.output
    assert current_gateway().delete_attempts == []
    db.session.expire_all()
    assert table_rows(db) == before and recent.id


def test_the_days_option_purges_sooner_and_refuses_nonsense(app, make, db, runner):
    family = Old(make, db, now=from_now(), ago=timedelta(days=40)).family
    db.session.commit()
    assert "No family is due" in runner.invoke(args=["purge"]).output
    for bad in ("0", "-1", "soon"):
        refused = runner.invoke(args=["purge", "--days", bad])
        assert refused.exit_code == 2
    result = runner.invoke(args=["purge", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 family (last appointment more than 30 days ago" in result.output
    assert _reload(db, Family, family.id).purged_at is not None


def test_the_command_says_when_nothing_is_due(runner):
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0
    assert "No family is due for purging (last appointment more than 365 days ago" in result.output


def test_a_nonsense_retention_setting_is_a_plain_error(app, runner):
    app.config["RETENTION_DAYS"] = 0
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 1
    assert "RETENTION_DAYS must be a whole number of days, 1 or more." in result.output


# -- the gateways' delete -------------------------------------------------------------------------------------


def _twilio(fake: FakeTwilio, **options) -> TwilioGateway:
    return TwilioGateway(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number="+16175550100",
                         api_base_url=fake.base_url, **options)


def test_twilio_delete_sends_a_delete_for_the_message(fake_twilio):
    gateway = _twilio(fake_twilio)
    sid = gateway.send(PHONE, "Hola").provider_sid
    assert gateway.delete_message(sid) is True
    [request] = _deletes(fake_twilio)
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN) and request.answered == 204
    assert gateway.delete_message(sid) is False  # 404: gone already
    assert gateway.delete_message("MM" + "b" * 32) is True  # a picture message someone sent us


@pytest.mark.parametrize(("status", "code"), [(500, None), (503, 20500), (429, 20429), (400, 20009), (401, 20003)])
def test_twilio_delete_errors_are_delete_errors_that_leak_nothing(fake_twilio, caplog, status, code):
    caplog.set_level(logging.DEBUG)
    gateway = _twilio(fake_twilio)
    fake_twilio.fail_next(status=status, code=code, message=f"The 'To' number {PHONE} broke")
    with pytest.raises(DeleteError) as caught:
        gateway.delete_message(_sid(5))
    assert f"HTTP {status}" in caught.value.message
    assert caught.value.code == (str(code) if code else None)
    assert caught.value.__cause__ is None
    for text_ in (str(caught.value), repr(caught.value), caplog.text):
        assert "617555" not in text_ and "+1617" not in text_
    assert fake_twilio.deleted == []


def test_twilio_delete_without_an_answer_is_a_delete_error(fake_twilio):
    gateway = _twilio(fake_twilio, timeout=0.3)
    fake_twilio.stall_next(seconds=3)
    with pytest.raises(DeleteError, match="No answer from Twilio"):
        gateway.delete_message(_sid(6))


def test_twilio_delete_when_twilio_cannot_be_reached_is_a_delete_error():
    with socket_closed_port() as port:
        gateway = TwilioGateway(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number="+16175550100",
                                api_base_url=f"http://127.0.0.1:{port}", timeout=2)
        with pytest.raises(DeleteError):
            gateway.delete_message(_sid(7))


def test_twilio_delete_of_a_sid_that_is_not_twilios_asks_nothing(fake_twilio):
    gateway = _twilio(fake_twilio)
    for sid in ("console-0123", "SM../../Accounts", "", "SM" + "z" * 32):
        assert gateway.delete_message(sid) is False
    assert fake_twilio.requests == []


def test_console_delete_prints_a_line(capsys):
    assert ConsoleGateway().delete_message("console-abc") is True
    assert capsys.readouterr().out == "--- SMS record console-abc deleted (console: nothing was stored at a carrier) ---\n"


def test_fake_gateway_records_deletions_and_fails_when_told():
    gateway = FakeGateway()
    gateway.fail_next_delete(DeleteError("nope"))
    with pytest.raises(DeleteError):
        gateway.delete_message("SM1")
    assert gateway.delete_message("SM1") is True and gateway.delete_message("SM1") is False
    assert gateway.deleted == ["SM1"] and gateway.delete_attempts == ["SM1"] * 3
    gateway.clear()
    assert gateway.deleted == [] and gateway.delete_attempts == []


def socket_closed_port():
    """A context giving a local port nothing listens on."""
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        yield port

    return closed()


def test_a_volunteers_own_text_from_a_number_shared_with_a_closed_family_is_not_purged(make, db):
    from accompany.services.messaging.inbound import receive_text
    from accompany.services.privacy.retention import purge_due_families

    old = NOW - timedelta(days=800)
    family = make.family(name="Rosa M.", phone=PHONE, closed_at=old)
    family.created_at = old
    volunteer = make.volunteer(phone=PHONE, sms_opt_in=True)
    text = receive_text(PHONE, "I can take Tuesday", provider_sid=None, now=NOW).message
    assert text.user_id == volunteer.id and text.family_id is None
    purge_due_families(now=NOW)
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(type(family), family.id).purged_at is not None
    kept = db.session.get(InboundMessage, text.id)
    assert kept.body == "I can take Tuesday" and kept.user_id == volunteer.id and kept.family_id is None


def test_texts_of_a_volunteer_who_deleted_their_account_go_from_the_carrier_on_the_next_purge(app, make, db):
    from accompany.services.messaging.sms.gateway import current_gateway
    from accompany.services.privacy.account_deletion import delete_volunteer_account
    from accompany.services.privacy.retention import purge_due_families

    volunteer = make.volunteer(phone="617-555-0166", sms_opt_in=True)
    row = _outbound(db, key="vol:1", body="Meet at 12 Elm St", at=NOW - timedelta(days=2), user=volunteer,
                    sid=_sid(66), kind="volunteer_claimed")
    delete_volunteer_account(volunteer, make.PASSWORD, now=NOW)
    db.session.commit()
    gateway = current_gateway()
    run = purge_due_families(now=NOW + timedelta(hours=1))
    db.session.commit()
    assert run.retried == 1 and _sid(66) in gateway.deleted
    assert db.session.get(OutboundMessage, row.id).provider_sid is None
