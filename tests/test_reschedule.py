"""After a reschedule each person gets exactly what the new time means for them, sent through the
outbox as the scheduler would: the family is told the new time, who still goes with them (the
driver's "will drive you"), and reminded for the new time; each volunteer is told their shift
moved, once, and never thanked for claiming a second time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from accompany.database import db as _db
from accompany.models import AppointmentKind, Language, MessageState, OutboundMessage, ShiftRole
from accompany.services.messaging.dispatch import send_due
from accompany.services.scheduling import appointments as svc
from accompany.services.scheduling.claims import claim_slot, release_claim
from accompany.services.scheduling.shifts import plan_of, propose_shifts, update_shift
from tests.conftest import NOW, boston

FAMILY, DRIVER, COMPANION = "+16175550142", "+16175550171", "+16175550172"


@pytest.fixture
def booked(make, db):
    """An English-speaking family's hearing on Tuesday, December 8 at 8:30 AM (NOW is Saturday,
    November 21, 10:00), with a driver holding the ride there and a companion holding the other
    shift; everything those claims planned for now has gone out."""
    family = make.family(phone=FAMILY, language=Language.ENGLISH)
    details = svc.AppointmentDetails(family=family, location=make.location(name="Boston Immigration Court"),
                                     kind=AppointmentKind.MASTER_CALENDAR, starts_at=boston(date(2026, 12, 8), 8, 30))
    plans = propose_shifts(details, [ShiftRole.RIDE_THERE, ShiftRole.COMPANION], family_language=None, town="Chelsea")
    coordinator = make.coordinator()
    appointment = svc.create_appointment(details, plans, by=coordinator, now=NOW)
    ride, companion = sorted(appointment.shifts, key=lambda shift: shift.starts_at)
    driver = make.volunteer(name="Dana Driver", has_car=True, phone=DRIVER, sms_opt_in=True)
    friend = make.volunteer(name="Cruz Companion", court_training_on=date(2025, 5, 1), phone=COMPANION, sms_opt_in=True)
    claim_slot(ride, driver, now=NOW)
    claim_slot(companion, friend, now=NOW)
    db.session.commit()
    return appointment, coordinator, ride, driver


def texts_until(gateway, until: datetime, *, start: datetime) -> dict[str, list[str]]:
    """Run the sender as the scheduler would, at each moment a planned text may go from `start`
    up to `until`; the texts sent, by number."""
    moment = start
    while moment is not None and moment <= until:
        send_due(gateway, clock=lambda at=moment: at, rate=0)
        moment = _db.session.scalar(
            select(OutboundMessage.not_before)
            .where(OutboundMessage.state == MessageState.PENDING, OutboundMessage.not_before > moment)
            .order_by(OutboundMessage.not_before).limit(1)
        )
    sent: dict[str, list[str]] = {}
    for phone, body in gateway.sent:
        sent.setdefault(phone, []).append(body)
    return sent


def test_the_family_hears_the_new_time_and_who_still_goes_and_the_volunteers_hear_it_moved(booked, make, db, gateway):
    appointment, coordinator, ride, driver = booked
    before = texts_until(gateway, NOW, start=NOW)
    assert sorted(len(bodies) for bodies in before.values()) == [1, 1, 2]
    assert all("Thanks! Your shift" in body for body in before[DRIVER] + before[COMPANION])
    assert all("Good news" in body for body in before[FAMILY])
    gateway.clear()

    later = NOW + timedelta(hours=1)
    svc.reschedule_appointment(appointment, boston(date(2026, 12, 15), 13, 0), by=coordinator, now=later)
    db.session.commit()
    sent = texts_until(gateway, boston(date(2026, 12, 15), 13, 0), start=later)

    new_time = "Tuesday, December 15 at 1:00 PM"
    family = sent[FAMILY]
    assert family[0].startswith("Change: your appointment is now on " + new_time)  # discreet: no town
    assert sorted(body for body in family[1:3]) == [
        f"Good news: Cruz from our team will go with you to your appointment on {new_time}.",
        "Good news: Dana from our team will pick you up on Tuesday, December 15 at 11:00 AM to drive you to "
        "your appointment.",  # the ride moved with the appointment: its new pickup time
    ]
    reminders = family[3:]
    assert [body.split(":")[0] for body in reminders] == ["Reminder"] * 3  # 7, 3 and 1 day before
    assert all("December 15" in body and "December 8" not in body for body in reminders)
    assert "tomorrow" in reminders[-1]

    for phone, role in ((DRIVER, "Ride there"), (COMPANION, "Companion")):
        words = [body.split(":")[0] for body in sent[phone]]
        assert words == ["New time", "Reminder", "Starting soon"], sent[phone]
        assert f"New time: {role}, Boston Immigration Court, now on Tuesday, December 15" in sent[phone][0]
    assert not any("Thanks!" in body for bodies in sent.values() for body in bodies)


def test_a_released_ride_is_not_promised_after_the_reschedule(booked, make, db, gateway):
    appointment, coordinator, ride, driver = booked
    texts_until(gateway, NOW, start=NOW)
    gateway.clear()
    release_claim(ride.claims[0], now=NOW, by=driver)
    svc.reschedule_appointment(appointment, boston(date(2026, 12, 15), 13, 0), by=coordinator, now=NOW)
    db.session.commit()
    family = texts_until(gateway, NOW + timedelta(minutes=1), start=NOW)[FAMILY]
    assert not any("pick you up" in body for body in family)
    assert sum("will go with you" in body for body in family) == 1
    assert DRIVER not in texts_until(gateway, boston(date(2026, 12, 15), 13, 0), start=NOW)


def test_moved_close_the_family_is_told_once_not_told_and_reminded_at_the_same_moment(booked, make, db, gateway):
    appointment, coordinator, ride, driver = booked
    texts_until(gateway, NOW, start=NOW)
    gateway.clear()
    # Monday at 9:00: the 3-day reminder's window is open already, so it would go right now with
    # the notice that says the same; the 1-day reminder still goes on Sunday morning.
    svc.reschedule_appointment(appointment, boston(date(2026, 11, 23), 9, 0), by=coordinator, now=NOW)
    db.session.commit()
    now_texts = texts_until(gateway, NOW, start=NOW)[FAMILY]
    assert [body.split(":")[0] for body in now_texts] == ["Change", "Good news", "Good news"]
    gateway.clear()
    sunday = texts_until(gateway, boston(date(2026, 11, 23), 9, 0), start=NOW + timedelta(minutes=1))[FAMILY]
    assert len(sunday) == 1 and sunday[0].startswith("Reminder: your appointment is tomorrow")


def test_rescheduled_at_night_the_family_texts_wait_for_the_morning_without_a_twin_reminder(booked, make, db, gateway):
    appointment, coordinator, ride, driver = booked
    texts_until(gateway, NOW, start=NOW)
    gateway.clear()
    night = boston(date(2026, 11, 21), 22, 0)
    svc.reschedule_appointment(appointment, boston(date(2026, 11, 24), 9, 0), by=coordinator, now=night)
    db.session.commit()
    assert FAMILY not in texts_until(gateway, night, start=night)  # quiet hours
    morning = texts_until(gateway, boston(date(2026, 11, 22), 8, 0), start=night)[FAMILY]
    assert [body.split(":")[0] for body in morning] == ["Change", "Good news", "Good news"]


def test_a_shift_moved_on_its_own_tells_its_volunteer_the_new_time_not_thanks_again(booked, make, db, gateway):
    appointment, coordinator, ride, driver = booked
    texts_until(gateway, NOW, start=NOW)
    gateway.clear()
    earlier = plan_of(ride)
    update_shift(ride, earlier.__class__(**{**vars(earlier), "starts_at": earlier.starts_at - timedelta(minutes=30)}),
                 by=coordinator, now=NOW)
    db.session.commit()
    sent = texts_until(gateway, NOW, start=NOW)
    assert [body.split(":")[0] for body in sent[DRIVER]] == ["New time"]
    assert FAMILY not in sent  # the appointment's time is the same: nothing new for the family
