"""The database itself refuses what must never be true."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from accompany.models import (
    Appointment,
    AppointmentStatus,
    Claim,
    OutboundMessage,
    RecipientKind,
    Shift,
    User,
    UserStatus,
)
from accompany.services.people.accounts import approve_volunteer
from tests.conftest import NOW


def test_one_claim_per_volunteer_per_shift(make, db):
    shift = make.shift(slots=2)
    volunteer = make.volunteer()
    make.claim(shift, volunteer)
    db.session.commit()
    db.session.add(Claim(shift=shift, volunteer=volunteer, claimed_at=NOW))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("filled", [2, -1], ids=["above_slots", "negative"])
def test_filled_stays_between_zero_and_slots(make, db, filled):
    shift = make.shift(slots=1)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Shift).where(Shift.id == shift.id).values(filled=filled))
        db.session.commit()
    db.session.rollback()


def test_a_shift_needs_at_least_one_slot_and_must_end_after_it_starts(make, db):
    appointment = make.appointment()
    db.session.commit()
    with pytest.raises(IntegrityError):
        make.shift(appointment, slots=0)
    db.session.rollback()
    with pytest.raises(IntegrityError):
        make.shift(appointment, starts_at=NOW, ends_at=NOW - timedelta(hours=1))
    db.session.rollback()


def _message(make, key: str, **fields) -> OutboundMessage:
    values = dict(
        dedupe_key=key,
        kind="family_reminder_1d",
        recipient_kind=RecipientKind.FAMILY,
        not_before=NOW,
        send_before=NOW + timedelta(hours=20),
        created_at=NOW,
    )
    return OutboundMessage(**{**values, **fields})


def test_one_outbox_row_per_dedupe_key(make, db):
    family = make.family()
    db.session.add(_message(make, "appointment:1:family:reminder_1d", family=family))
    db.session.commit()
    db.session.add(_message(make, "appointment:1:family:reminder_1d", family=family))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_outbox_row_has_exactly_one_recipient(make, db):
    family, volunteer = make.family(), make.volunteer()
    db.session.add(_message(make, "both", family=family, user=volunteer))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(_message(make, "nobody"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_outbox_window_must_close_after_it_opens(make, db):
    family = make.family()
    db.session.add(_message(make, "late", family=family, send_before=NOW - timedelta(minutes=1)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_naive_datetimes_are_refused(make, db):
    with pytest.raises(StatementError, match="naive datetime refused"):
        make.appointment(starts_at=datetime(2026, 12, 1, 9, 0))
    db.session.rollback()


def test_datetimes_come_back_aware_utc(make, db):
    from zoneinfo import ZoneInfo

    local = datetime(2026, 12, 1, 8, 30, tzinfo=ZoneInfo("America/New_York"))
    appointment = make.appointment(starts_at=local)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(type(appointment), appointment.id).starts_at
    assert stored.utcoffset() == timedelta(0)
    assert stored == local
    assert stored.hour == 13


def test_a_row_another_request_changed_meanwhile_is_not_overwritten(make, db):
    """Read, check, write: this request read the volunteer pending; another declined them before
    it wrote. Its write matches only the version it read, so it changes nothing and fails whole."""
    volunteer, coordinator = make.pending_volunteer(), make.coordinator()
    db.session.commit()
    assert volunteer.status == UserStatus.PENDING  # what this request read
    with Session(db.engine) as other:  # another request declines them meanwhile
        other.get(User, volunteer.id).status = UserStatus.DISABLED
        other.commit()
    with pytest.raises(StaleDataError):
        approve_volunteer(volunteer, by=coordinator, now=NOW)
    db.session.rollback()
    assert db.session.get(User, volunteer.id).status == UserStatus.DISABLED


def test_a_family_has_one_live_appointment_at_a_moment(make, db):
    first = make.appointment()
    make.appointment(family=first.family, starts_at=first.starts_at, status=AppointmentStatus.CANCELLED)
    db.session.commit()
    db.session.add(Appointment(family=first.family, location=first.location, kind=first.kind,
                               starts_at=first.starts_at, status=AppointmentStatus.DRAFT, created_at=NOW, updated_at=NOW))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_savepoint_taken_before_any_write_rolls_back_with_the_request(make, db):
    """On SQLite a savepoint opened outside a transaction used to be committed when released: a
    text planned first thing in a request stayed, whatever the request did next."""
    family = make.family()
    db.session.commit()
    with db.session.begin_nested():
        db.session.add(_message(make, "first-write", family=family))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0
