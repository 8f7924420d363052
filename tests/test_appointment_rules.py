"""Appointment services: creating with shifts, rescheduling, cancelling, closing, and their texts."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accompany.models import (
    AppointmentKind,
    AppointmentStatus,
    AuditEvent,
    Language,
    MessageState,
    OptOut,
    OutboundMessage,
    Outcome,
    ShiftRole,
)
from accompany.services.scheduling import appointments as svc
from accompany.services.scheduling.claims import claim_slot
from accompany.services.scheduling.shifts import (
    SlotsBelowClaims,
    plan_of,
    propose_shifts,
    update_shift,
)
from tests.conftest import NOW

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

BOSTON = ZoneInfo("America/New_York")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=BOSTON).astimezone(UTC)


def rows(db, **where):
    query = select(OutboundMessage).order_by(OutboundMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboundMessage, name) == value)
    return db.session.scalars(query).all()


def details(make, **overrides):
    values = dict(
        family=overrides.pop("family", None) or make.family(),
        location=overrides.pop("location", None) or make.location(),
        kind=AppointmentKind.MASTER_CALENDAR,
        starts_at=at(date(2026, 12, 8), 8, 30),  # a Tuesday, 17 days after NOW
        interpreter_language=Language.SPANISH,
    )
    values.update(overrides)
    return svc.AppointmentDetails(**values)


def create(make, roles=(ShiftRole.RIDE_THERE, ShiftRole.COMPANION), **overrides):
    d = details(make, **overrides)
    plans = propose_shifts(d, list(roles), family_language=d.family.language, town=d.family.town)
    coordinator = make.coordinator()
    return svc.create_appointment(d, plans, by=coordinator, now=NOW), coordinator


def test_create_plans_the_family_reminders_at_decent_local_hours(make, db):
    appointment, _ = create(make)
    reminders = rows(db, family_id=appointment.family_id)
    assert [r.kind for r in reminders] == ["family_reminder_7d", "family_reminder_3d", "family_reminder_1d"]
    local = [r.not_before.astimezone(BOSTON) for r in reminders]
    assert [d.date() for d in local] == [date(2026, 12, 1), date(2026, 12, 5), date(2026, 12, 7)]
    assert all(d.time() == time(10) for d in local)
    # Each closes when the next opens; the last closes before the hearing.
    assert reminders[0].send_before == reminders[1].not_before
    assert reminders[2].send_before <= appointment.starts_at - timedelta(hours=2)


def test_saving_twice_never_plans_twice(make, db):
    appointment, _ = create(make)
    from accompany.services.messaging.family_texts import plan_family_reminders

    plan_family_reminders(appointment, now=NOW)
    plan_family_reminders(appointment, now=NOW)
    assert len(rows(db, family_id=appointment.family_id)) == 3


def test_no_texts_are_planned_without_consent_or_to_an_opted_out_number(make, db):
    silent, _ = create(make, family=make.family(sms_consent=False))
    assert rows(db, family_id=silent.family_id) == []
    family = make.family(phone="617-555-0150")
    db.session.add(OptOut(phone_hash=family.phone_hash, active=True, keyword="STOP", opted_out_at=NOW))
    stopped, _ = create(make, family=family)
    assert rows(db, family_id=stopped.family_id) == []


def test_an_appointment_soon_gets_only_the_reminders_still_useful(make, db):
    appointment, _ = create(make, starts_at=NOW + timedelta(days=2))  # Monday 10:00
    kinds = [r.kind for r in rows(db, family_id=appointment.family_id)]
    assert kinds == ["family_reminder_3d", "family_reminder_1d"]
    first = rows(db, family_id=appointment.family_id)[0]
    assert first.not_before == NOW  # inside the 3-day window already: it goes now


def test_a_reminder_falling_in_quiet_hours_moves_earlier(make, db, app):
    app.config["FAMILY_REMINDER_HOUR"] = 21  # inside quiet hours on purpose
    appointment, _ = create(make)
    for row in rows(db, family_id=appointment.family_id):
        local = row.not_before.astimezone(BOSTON)
        assert time(8) <= local.time() < time(20)
        assert local.time() == time(19, 30)


def test_the_proposed_shifts_follow_the_appointment_and_place(make, db):
    appointment, _ = create(make, roles=list(ShiftRole))
    by_role = {s.role: s for s in appointment.shifts}
    start = appointment.starts_at
    assert by_role[ShiftRole.RIDE_THERE].requires_car and by_role[ShiftRole.RIDE_HOME].requires_car
    assert by_role[ShiftRole.RIDE_THERE].ends_at <= start
    assert by_role[ShiftRole.RIDE_HOME].starts_at > start
    assert by_role[ShiftRole.INTERPRETER].language == Language.SPANISH
    # Those with the family all along speak its language; rides and bond help need a car or an obligor.
    assert by_role[ShiftRole.COMPANION].language == by_role[ShiftRole.VISIT].language == Language.SPANISH
    assert {by_role[role].language for role in (ShiftRole.RIDE_THERE, ShiftRole.RIDE_HOME, ShiftRole.BOND_HELP)} == {None}
    assert by_role[ShiftRole.COMPANION].requires_training  # at an immigration court
    assert by_role[ShiftRole.BOND_HELP].requires_obligor
    assert "Chelsea" in by_role[ShiftRole.RIDE_THERE].meeting_point
    assert by_role[ShiftRole.COMPANION].meeting_point.startswith("Outside ")


def test_an_appointment_in_the_past_is_refused(make, db):
    with pytest.raises(svc.AppointmentInPast):
        create(make, starts_at=NOW - timedelta(minutes=1))


def test_a_place_saved_longer_than_texts_allow_gets_no_appointments_until_shortened(make, db):
    """A place named before the limits were lowered: its texts could not fit, so none is planned."""
    place = make.location()
    place.name = "Suffolk County House of Correction at South Bay, Intake and Visiting Entrance"  # 78
    with pytest.raises(svc.PlaceTooLongForTexts, match="too long for our texts"):
        create(make, location=place)
    assert rows(db) == []
    place.name = "Suffolk County House of Correction at South Bay"
    appointment, coordinator = create(make, location=place)
    place.town = "Village of North Attleborough Falls Center"  # 42: over the town's 40
    with pytest.raises(svc.PlaceTooLongForTexts):
        svc.reschedule_appointment(appointment, appointment.starts_at + timedelta(days=1), by=coordinator, now=NOW)


def test_a_closed_family_gets_no_new_appointments(make, db):
    with pytest.raises(svc.FamilyClosed):
        create(make, family=make.family(closed_at=NOW))


def _volunteer_holding(make, shift, **fields):
    volunteer = make.volunteer(has_car=True, court_training_on=date(2025, 5, 1), languages=["es"],
                               phone=f"617-555-01{make._n() % 90 + 10}", sms_opt_in=True, **fields)
    claim_slot(shift, volunteer, now=NOW)
    return volunteer


def test_reschedule_moves_shifts_keeps_claims_and_rewrites_the_outbox(make, db):
    appointment, coordinator = create(make)
    ride = next(s for s in appointment.shifts if s.role == ShiftRole.RIDE_THERE)
    ride_offset = ride.starts_at - appointment.starts_at
    volunteer = _volunteer_holding(make, ride)
    before = {r.dedupe_key for r in rows(db) if r.state == MessageState.PENDING}

    new_start = appointment.starts_at + timedelta(days=7, hours=4)
    svc.reschedule_appointment(appointment, new_start, by=coordinator, now=NOW)

    assert appointment.starts_at == new_start
    assert ride.starts_at - appointment.starts_at == ride_offset
    assert [c.volunteer for c in ride.claims] == [volunteer]
    states = {r.dedupe_key: r.state for r in rows(db)}
    assert all(states[key] == MessageState.CANCELLED for key in before)
    pending = [r for r in rows(db) if r.state == MessageState.PENDING]
    kinds = sorted(r.kind for r in pending)
    assert kinds.count("family_reminder_7d") == 1
    assert "family_rescheduled" in kinds
    assert "volunteer_rescheduled" in kinds
    assert {"volunteer_evening_before", "volunteer_soon", "family_volunteer_confirmed"} <= set(kinds)
    assert "volunteer_claimed" not in kinds  # told the shift moved, not thanked for claiming again
    assert not (before & {r.dedupe_key for r in pending})
    assert appointment.verified_on is None


def test_cancel_tells_the_family_and_every_volunteer(make, db):
    appointment, coordinator = create(make)
    companion = next(s for s in appointment.shifts if s.role == ShiftRole.COMPANION)
    volunteer = _volunteer_holding(make, companion)
    svc.cancel_appointment(appointment, by=coordinator, now=NOW)
    assert appointment.status == AppointmentStatus.CANCELLED
    pending = [r for r in rows(db) if r.state == MessageState.PENDING]
    assert sorted((r.kind, r.family_id or r.user_id) for r in pending) == sorted(
        [("family_cancelled", appointment.family_id), ("volunteer_cancelled", volunteer.id)]
    )
    with pytest.raises(svc.NotScheduled):
        svc.cancel_appointment(appointment, by=coordinator, now=NOW)


def test_close_as_detained_opens_a_detention_case_that_alerts_the_coordinators(make, db):
    appointment, coordinator = create(make)
    texting = make.coordinator(phone="617-555-0188", sms_opt_in=True)
    svc.close_appointment(appointment, Outcome.DETAINED, by=coordinator, now=NOW + timedelta(days=17))
    # Nobody is on call: the chain's "every coordinator" step goes at once (issue 15).
    alerts = rows(db, kind="detention_alert_all")
    assert [a.user_id for a in alerts] == [texting.id]
    assert all(r.state != MessageState.PENDING for r in rows(db, family_id=appointment.family_id))
    svc.clear_detained_alert(appointment, by=coordinator, now=NOW + timedelta(days=17))
    assert appointment.alert_cleared_at is not None


def test_close_as_rescheduled_prefills_the_next_appointment(make, db):
    appointment, coordinator = create(make, judge="Judge Example")
    prefill = svc.close_appointment(appointment, Outcome.RESCHEDULED, by=coordinator, now=NOW)
    assert prefill.family == appointment.family and prefill.location == appointment.location
    assert prefill.judge == "Judge Example" and prefill.verified_on is None
    assert svc.close_appointment(create(make)[0], Outcome.HELD, by=coordinator, now=NOW) is None


def test_slots_can_never_drop_below_the_volunteers_holding_them(make, db):
    appointment, coordinator = create(make, roles=[ShiftRole.COMPANION])
    shift = appointment.shifts[0]
    update_shift(shift, plan_of(shift).__class__(**{**vars(plan_of(shift)), "slots": 2}), by=coordinator, now=NOW)
    _volunteer_holding(make, shift)
    _volunteer_holding(make, shift)
    db.session.refresh(shift)
    with pytest.raises(SlotsBelowClaims, match="slots cannot go below 2"):
        update_shift(shift, plan_of(shift).__class__(**{**vars(plan_of(shift)), "slots": 1}), by=coordinator, now=NOW)
    db.session.refresh(shift)
    assert (shift.slots, shift.filled) == (2, 2)


def test_shifts_of_a_closed_or_cancelled_appointment_cannot_change(make, db):
    from accompany.services.scheduling.shifts import NotScheduled, add_shift, remove_shift

    appointment, coordinator = create(make)
    shift = appointment.shifts[0]
    svc.close_appointment(appointment, Outcome.HELD, by=coordinator, now=NOW)
    with pytest.raises(NotScheduled):
        add_shift(appointment, plan_of(shift), by=coordinator, now=NOW)
    with pytest.raises(NotScheduled):
        update_shift(shift, plan_of(shift), by=coordinator, now=NOW)
    with pytest.raises(NotScheduled):
        remove_shift(shift, by=coordinator, now=NOW)


@pytest.mark.parametrize("language, needed", [
    (Language.SPANISH, Language.SPANISH), (Language.HAITIAN_CREOLE, Language.HAITIAN_CREOLE),
    (Language.MAM, Language.MAM), (Language.ENGLISH, None), (Language.OTHER, None),
])
def test_a_companion_is_proposed_with_the_familys_language(make, db, language, needed):
    appointment, _ = create(make, roles=[ShiftRole.COMPANION], family=make.family(language=language),
                            interpreter_language=None)
    assert appointment.shifts[0].language == needed


def test_a_family_cannot_have_two_appointments_at_the_same_moment(make, db):
    """The same hearing entered twice (the form sent twice, two coordinators at once) is one
    appointment: a second at that moment is refused, and so is moving another one onto it."""
    appointment, coordinator = create(make)
    with pytest.raises(svc.FamilyBusyThen):
        create(make, family=appointment.family)
    other, _ = create(make, family=appointment.family, starts_at=at(date(2026, 12, 9), 8, 30))
    with pytest.raises(svc.FamilyBusyThen):
        svc.reschedule_appointment(other, appointment.starts_at, by=coordinator, now=NOW)


def test_saving_a_shift_unchanged_records_nothing(make, db):
    """A shift form sent again as it is (a double tap) is not a change to log."""
    appointment, coordinator = create(make, roles=[ShiftRole.COMPANION])
    shift = appointment.shifts[0]
    update_shift(shift, plan_of(shift), by=coordinator, now=NOW)
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "shift.changed")).all() == []
