"""Check-ins entered as a series: each occurrence an ordinary appointment with its own shifts and
reminders; changing or ending one asks whether for this one or all that follow (issue 13, point 7)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from accompany.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    MessageKind,
    OutboundMessage,
    ShiftRole,
)
from accompany.services.scheduling.appointments import AppointmentDetails
from accompany.services.scheduling.series import (
    NotASeriesKind,
    Scope,
    TooMany,
    UntilTooSoon,
    create_series,
    end_in_series,
    occurrence_days,
    reschedule_in_series,
)
from accompany.services.scheduling.shifts import ShiftPlan
from accompany.timezones import to_local
from tests.conftest import NOW, boston, csrf_token
from tests.support.browsing import logged_in

TZ = "America/New_York"
MONDAY = date(2026, 11, 23)  # NOW is Saturday 2026-11-21, 10:00 in Boston


def _series(make, *, every_weeks=2, until=date(2027, 1, 18), kind=AppointmentKind.ICE_CHECK_IN):
    coordinator = make.coordinator()
    family, location = make.family(), make.location()
    starts_at = boston(MONDAY, 9)
    details = AppointmentDetails(family=family, location=location, kind=kind, starts_at=starts_at)
    ride = ShiftPlan(role=ShiftRole.RIDE_THERE, starts_at=starts_at - timedelta(hours=1), ends_at=starts_at)
    made = create_series(details, [ride], every_weeks=every_weeks, until=until, by=coordinator, now=NOW)
    return coordinator, made


def _local_days(appointments):
    return [to_local(a.starts_at, TZ).date() for a in appointments]


def test_weekly_and_monthly_days_up_to_the_last_day():
    assert occurrence_days(date(2026, 11, 23), every_weeks=2, until=date(2026, 12, 21)) == [
        date(2026, 11, 23), date(2026, 12, 7), date(2026, 12, 21)]
    # Monthly on the same day, or the month's last day when it is shorter.
    assert occurrence_days(date(2027, 1, 31), every_weeks=None, until=date(2027, 4, 30)) == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    with pytest.raises(TooMany):
        occurrence_days(date(2026, 11, 23), every_weeks=1, until=date(2029, 1, 1))


@pytest.mark.parametrize("kind", [AppointmentKind.ICE_CHECK_IN, AppointmentKind.SUPERVISION_CHECK_IN])
def test_each_check_in_of_a_series_is_an_appointment_with_its_own_shifts_and_reminders(make, db, kind):
    _, made = _series(make, kind=kind)

    assert _local_days(made) == [MONDAY + timedelta(weeks=2 * i) for i in range(5)]
    assert all(to_local(a.starts_at, TZ).hour == 9 for a in made)  # 09:00 on both sides of nothing
    assert len({a.series_id for a in made}) == 1
    for appointment in made:
        [ride] = appointment.shifts
        assert ride.starts_at == appointment.starts_at - timedelta(hours=1)
        reminders = db.session.scalars(select(OutboundMessage.kind).where(
            OutboundMessage.appointment_id == appointment.id, OutboundMessage.family_id.is_not(None)))
        assert MessageKind.FAMILY_REMINDER_1D in set(reminders)


def test_only_a_check_in_repeats_and_the_last_day_comes_after_the_first(make, db):
    with pytest.raises(NotASeriesKind):
        _series(make, kind=AppointmentKind.MASTER_CALENDAR)
    with pytest.raises(UntilTooSoon):
        _series(make, until=MONDAY)


def test_moving_one_check_in_leaves_the_others(make, db):
    coordinator, made = _series(make)

    reschedule_in_series(made[1], made[1].starts_at + timedelta(days=1), Scope.THIS, by=coordinator, now=NOW)

    assert _local_days(made) == [MONDAY, date(2026, 12, 8), date(2026, 12, 21), date(2027, 1, 4), date(2027, 1, 18)]


def test_moving_this_and_all_that_follow_keeps_their_spacing(make, db):
    coordinator, made = _series(make)

    # Two weeks later, at 13:00: each lands on the next one's old day, which is free by then.
    reschedule_in_series(made[2], boston(date(2027, 1, 4), 13), Scope.FOLLOWING, by=coordinator, now=NOW)

    assert _local_days(made) == [MONDAY, date(2026, 12, 7), date(2027, 1, 4), date(2027, 1, 18), date(2027, 2, 1)]
    assert [to_local(a.starts_at, TZ).hour for a in made] == [9, 9, 13, 13, 13]
    assert made[2].shifts[0].starts_at == made[2].starts_at - timedelta(hours=1)


def test_ending_the_series_from_one_check_in_cancels_it_and_all_that_follow(make, db):
    coordinator, made = _series(make)

    end_in_series(made[3], Scope.FOLLOWING, by=coordinator, now=NOW)

    assert [a.status for a in made] == [AppointmentStatus.SCHEDULED] * 3 + [AppointmentStatus.CANCELLED] * 2
    assert made[0].series.until == date(2027, 1, 3)


def test_a_series_is_entered_on_the_new_appointment_form(app, make, db):
    family, location = make.family(), make.location()
    client = logged_in(app, make.coordinator())
    page = f"/coordinator/appointments/new?family_id={family.id}"
    assert 'name="repeat"' in client.get(page).get_data(as_text=True)

    response = client.post(page, data={
        "family_id": family.id, "location_id": location.id, "kind": "ice_check_in", "day": MONDAY.isoformat(),
        "time": "09:00", "mode": "in_person", "interpreter_language": "", "needs": ["companion"],
        "repeat": "monthly", "every_weeks": "", "until": "2027-02-23", "action": "save",
        "csrf_token": csrf_token(client, page)}, follow_redirects=True)

    assert "4 check-ins saved" in response.get_data(as_text=True)
    made = list(db.session.scalars(select(Appointment).order_by(Appointment.starts_at)))
    assert _local_days(made) == [MONDAY, date(2026, 12, 23), date(2027, 1, 23), date(2027, 2, 23)]
    assert all(len(a.shifts) == 1 for a in made)


@pytest.mark.parametrize("changes, message", [
    ({"repeat": "weeks", "every_weeks": "", "until": "2027-02-23"}, "Say every how many weeks."),
    ({"repeat": "weeks", "every_weeks": "2", "until": ""}, "Say the last day it repeats."),
    ({"repeat": "weeks", "every_weeks": "99", "until": "2027-02-23"}, "Between 1 and 12 weeks."),
    ({"repeat": "monthly", "until": "2027-02-23", "kind": "master_calendar"}, "Only a check-in can repeat."),
])
def test_a_series_with_bad_input_is_refused_with_a_message(app, make, db, changes, message):
    family, location = make.family(), make.location()
    client = logged_in(app, make.coordinator())
    page = f"/coordinator/appointments/new?family_id={family.id}"

    response = client.post(page, data={
        "family_id": family.id, "location_id": location.id, "kind": "ice_check_in", "day": MONDAY.isoformat(),
        "time": "09:00", "mode": "in_person", "interpreter_language": "", "needs": ["companion"], "action": "save",
        "csrf_token": csrf_token(client, page), **changes})

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Appointment.id)) is None


def test_rescheduling_a_check_in_of_a_series_asks_this_one_or_all_that_follow(app, make, db):
    coordinator, made = _series(make)
    client = logged_in(app, coordinator)
    page = f"/coordinator/appointments/{made[1].id}"
    new_day = {"day": "2026-12-09", "time": "10:30"}

    asked = client.post(f"{page}/reschedule", data={**new_day, "csrf_token": csrf_token(client, page)})
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Move this one only" in text and "Move this one and all that follow" in text
    db.session.expire_all()
    assert to_local(db.session.get(Appointment, made[1].id).starts_at, TZ).date() == date(2026, 12, 7)  # not yet

    done = client.post(f"{page}/reschedule", data={**new_day, "scope": "following",
                                                    "csrf_token": csrf_token(client, page)})
    assert done.status_code == 302
    db.session.expire_all()
    assert _local_days([db.session.get(Appointment, a.id) for a in made]) == [
        MONDAY, date(2026, 12, 9), date(2026, 12, 23), date(2027, 1, 6), date(2027, 1, 20)]


def test_cancelling_a_check_in_of_a_series_asks_and_cancels_only_this_one(app, make, db):
    coordinator, made = _series(make)
    client = logged_in(app, coordinator)
    page = f"/coordinator/appointments/{made[1].id}"

    asked = client.post(f"{page}/cancel", data={"csrf_token": csrf_token(client, page)})
    assert "Cancel this one only" in asked.get_data(as_text=True)
    client.post(f"{page}/cancel", data={"scope": "this", "csrf_token": csrf_token(client, page)})

    db.session.expire_all()
    assert [db.session.get(Appointment, a.id).status for a in made] == [
        AppointmentStatus.SCHEDULED, AppointmentStatus.CANCELLED, *[AppointmentStatus.SCHEDULED] * 3]
