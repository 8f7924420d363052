"""Taking and releasing slots: eligibility on the server, atomic claims, late-release alerts."""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from accompany.models import (
    AppointmentStatus,
    Claim,
    Language,
    OutboundMessage,
    Shift,
)
from accompany.services.scheduling.claims import (
    AlreadyReleased,
    NotEligible,
    ShiftClosed,
    ShiftFull,
    claim_slot,
    release_claim,
)
from tests.conftest import NOW
from tests.support.queries import count_queries


def test_a_volunteer_takes_a_slot_and_a_double_tap_is_harmless(make, db):
    shift = make.shift(slots=2)
    volunteer = make.volunteer()
    first = claim_slot(shift, volunteer, now=NOW)
    again = claim_slot(shift, volunteer, now=NOW)
    db.session.refresh(shift)
    assert first.id == again.id
    assert shift.filled == 1


def test_the_last_slot_goes_to_exactly_one_volunteer(make, db):
    shift = make.shift(slots=1)
    first, second = make.volunteer(), make.volunteer()
    claim_slot(shift, first, now=NOW)
    with pytest.raises(ShiftFull):
        claim_slot(shift, second, now=NOW)
    assert [c.volunteer for c in db.session.scalars(select(Claim))] == [first]



def test_a_shift_read_full_is_refused_without_trying_to_take_a_place(make, db):
    """Full as the request read it, and the volunteer holds none of it: the one look for their own
    claim, then ShiftFull, with no overlap query and no UPDATE to try. Their own claim on it still
    comes back as theirs (a double tap on the last slot)."""
    shift = make.shift(slots=1)
    holder, late = make.volunteer(), make.volunteer()
    claim_slot(shift, holder, now=NOW)
    db.session.commit()
    shift = db.session.get(Shift, shift.id)
    assert shift.filled == 1 and shift.appointment.status == AppointmentStatus.SCHEDULED and late.id  # loaded, as a request has them
    with count_queries(db.engine) as counted, pytest.raises(ShiftFull):
        claim_slot(shift, late, now=NOW)
    assert len(counted) == 1 and "FROM claims" in counted.statements[0]
    assert claim_slot(shift, holder, now=NOW).volunteer_id == holder.id
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 1

@pytest.mark.parametrize(
    "requirement, volunteer_fields, reason",
    [
        ({"requires_car": True}, {"has_car": False}, "needs a car"),
        ({"language": Language.HAITIAN_CREOLE}, {"languages": ["es"]}, "speaks Haitian Creole"),
        ({"requires_training": True}, {"court_training_on": None}, "training"),
        ({"requires_obligor": True}, {"obligor_eligible": False}, "bond obligor"),
    ],
)
def test_requirements_are_checked_on_the_server(make, db, requirement, volunteer_fields, reason):
    shift = make.shift(**requirement)
    volunteer = make.volunteer(**volunteer_fields)
    with pytest.raises(NotEligible, match=reason):
        claim_slot(shift, volunteer, now=NOW)
    qualified = make.volunteer(has_car=True, languages=["ht"], court_training_on=date(2025, 1, 1), obligor_eligible=True)
    assert claim_slot(shift, qualified, now=NOW).volunteer_id == qualified.id


def test_overlapping_shifts_cannot_both_be_held(make, db):
    volunteer = make.volunteer()
    morning = make.shift(starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=3))
    overlapping = make.shift(starts_at=NOW + timedelta(days=2, hours=2), ends_at=NOW + timedelta(days=2, hours=5))
    later = make.shift(starts_at=NOW + timedelta(days=2, hours=3), ends_at=NOW + timedelta(days=2, hours=5))
    claim_slot(morning, volunteer, now=NOW)
    with pytest.raises(NotEligible, match="overlaps"):
        claim_slot(overlapping, volunteer, now=NOW)
    claim_slot(later, volunteer, now=NOW)


def test_pending_volunteers_and_closed_shifts_are_refused(make, db):
    with pytest.raises(NotEligible):
        claim_slot(make.shift(), make.pending_volunteer(), now=NOW)
    started = make.shift(starts_at=NOW - timedelta(minutes=5))
    with pytest.raises(ShiftClosed):
        claim_slot(started, make.volunteer(), now=NOW)
    cancelled = make.shift(appointment=make.appointment(status=AppointmentStatus.CANCELLED))
    with pytest.raises(ShiftClosed):
        claim_slot(cancelled, make.volunteer(), now=NOW)


def test_claiming_plans_volunteer_reminders_and_tells_the_family(make, db):
    shift = make.shift(starts_at=NOW + timedelta(days=3))
    volunteer = make.volunteer(phone="617-555-0161", sms_opt_in=True)
    claim_slot(shift, volunteer, now=NOW)
    kinds = sorted(db.session.scalars(select(OutboundMessage.kind)))
    assert kinds == ["family_volunteer_confirmed", "volunteer_claimed", "volunteer_evening_before", "volunteer_soon"]


def test_release_is_quiet_early_and_alerts_coordinators_late(make, db):
    coordinator = make.coordinator(phone="617-555-0170", sms_opt_in=True)
    shift = make.shift(slots=1, starts_at=NOW + timedelta(days=3))
    volunteer = make.volunteer(phone="617-555-0161", sms_opt_in=True)
    claim = claim_slot(shift, volunteer, now=NOW)
    assert release_claim(claim, now=NOW, by=volunteer) is False
    db.session.refresh(shift)
    assert shift.filled == 0
    alerts = lambda: db.session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.kind == "coordinator_late_release"))  # noqa: E731
    assert alerts() == 0

    claim = claim_slot(shift, volunteer, now=NOW)
    assert release_claim(claim, now=shift.starts_at - timedelta(hours=3), by=volunteer) is True
    assert alerts() == 1
    alerted = db.session.scalar(select(OutboundMessage.user_id).where(OutboundMessage.kind == "coordinator_late_release"))
    assert alerted == coordinator.id
    pending_for_volunteer = db.session.scalar(
        select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.user_id == volunteer.id, OutboundMessage.state == "pending"
        )
    )
    assert pending_for_volunteer == 0


def test_a_slot_released_by_another_request_meanwhile_is_not_freed_twice(make, db):
    """The double-tapped release (issue 12): this request read the claim, another deleted it first.
    Only the request whose DELETE removed the row frees the slot; here it must not go below the
    claims that stand, or a third volunteer could take a slot that is not free."""
    shift = make.shift(slots=2, starts_at=NOW + timedelta(days=3))
    holder, other = make.volunteer(), make.volunteer()
    claim = claim_slot(shift, holder, now=NOW)
    claim_slot(shift, other, now=NOW)
    db.session.execute(delete(Claim).where(Claim.id == claim.id))  # the other request's release...
    db.session.execute(Shift.__table__.update().where(Shift.id == shift.id).values(filled=Shift.filled - 1))
    with pytest.raises(AlreadyReleased):
        release_claim(claim, now=NOW, by=holder)  # ...and this one still holds the claim it read
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).filled == 1
    assert [c.volunteer_id for c in db.session.scalars(select(Claim))] == [other.id]
