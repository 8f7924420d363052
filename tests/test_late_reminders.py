"""A reminder for every appointment, never two at once: appointments saved late (days, hours or
minutes before) get one "coming up" text at the family's first allowed moment, then the rest of
the 7/3/1-day cadence, never two closer than the gap, all inside the family's hours."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from accompany.models import MessageState
from accompany.services.messaging.audience import Timing
from accompany.services.messaging.family_texts import plan_family_reminders
from tests.conftest import boston

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

TIMING = Timing()
GAP = TIMING.family_reminder_gap


def _local(moment: datetime, tz_name: str) -> time:
    return moment.astimezone(ZoneInfo(tz_name)).time()


def _in_hours(moment: datetime, tz_name: str) -> bool:
    return time(8) <= _local(moment, tz_name) < time(20)


def _any_allowed_moment(start: datetime, end: datetime, tz_name: str) -> bool:
    """Whether a minute in [start, end) falls inside the family's hours."""
    moment = start
    while moment < end:
        if _in_hours(moment, tz_name):
            return True
        moment += timedelta(minutes=15) if _local(moment, tz_name).minute % 15 == 0 else timedelta(minutes=1)
    return False


def test_monday_08_30_saved_sunday_21_00_is_reminded_monday_morning(make, db):
    appointment = make.appointment(starts_at=boston(date(2026, 12, 7), 8, 30))
    rows = plan_family_reminders(appointment, now=boston(date(2026, 12, 6), 21), timing=TIMING)
    assert [row.not_before for row in rows] == [boston(date(2026, 12, 7), 8)]
    assert rows[0].send_before == appointment.starts_at


def test_thursday_09_00_saved_monday_09_00_gets_one_text_now_and_the_day_before_not_two_in_an_hour(make, db):
    appointment = make.appointment(starts_at=boston(date(2026, 12, 10), 9))
    monday = boston(date(2026, 12, 7), 9)
    rows = plan_family_reminders(appointment, now=monday, timing=TIMING)
    assert [(row.kind, row.not_before) for row in rows] == [
        ("family_reminder_7d", monday),  # the "coming up" text, worded from the real date when it goes
        ("family_reminder_1d", boston(date(2026, 12, 9), 10)),
    ]
    assert rows[0].send_before == rows[1].not_before  # a late send never makes two at once


def test_planning_again_after_a_reminder_went_adds_no_coming_up_text(make, db):
    appointment = make.appointment(starts_at=boston(date(2026, 12, 10), 9))
    first = plan_family_reminders(appointment, now=boston(date(2026, 12, 7), 9), timing=TIMING)
    first[0].state, first[0].sent_at = MessageState.QUEUED, boston(date(2026, 12, 7), 9, 1)
    db.session.flush()
    again = plan_family_reminders(appointment, now=boston(date(2026, 12, 8), 9), timing=TIMING)
    assert [row.kind for row in again] == ["family_reminder_1d"]


APPOINTMENTS = {
    "monday-08:30": boston(date(2026, 12, 7), 8, 30),
    "thursday-09:00": boston(date(2026, 12, 10), 9),
    "tuesday-03:00": boston(date(2026, 12, 8), 3),
    "friday-19:45": boston(date(2026, 12, 11), 19, 45),
    "spring-dst-sunday-09:00": boston(date(2027, 3, 14), 9),
    "spring-dst-monday-08:30": boston(date(2027, 3, 15), 8, 30),
    "fall-dst-sunday-08:00": boston(date(2026, 11, 1), 8),
    "fall-dst-monday-03:00": boston(date(2026, 11, 2), 3),
}


@pytest.mark.parametrize("tz_name", ["America/New_York", "America/Los_Angeles"])
@pytest.mark.parametrize("starts_at", APPOINTMENTS.values(), ids=APPOINTMENTS.keys())
def test_every_creation_time_gets_a_reminder_never_two_at_once_all_in_daytime(make, db, starts_at, tz_name):
    family = make.family(timezone=tz_name)
    # Saved from nine days before to ten minutes before, every 5 h 10 min (every hour of the day
    # comes up), and at the edges of the family's hours the night before.
    created = [starts_at - timedelta(days=9) + timedelta(minutes=310) * n for n in range(42)]
    eve = starts_at.astimezone(ZoneInfo(tz_name)).date() - timedelta(days=1)
    for hour, minute in [(7, 59), (8, 0), (19, 29), (19, 59), (20, 0), (21, 0), (23, 59)]:
        created.append(datetime.combine(eve, time(hour, minute), tzinfo=ZoneInfo(tz_name)).astimezone(UTC))
    created.append(starts_at - timedelta(minutes=10))
    for now in sorted(moment for moment in created if moment < starts_at):
        appointment = make.appointment(family=family, starts_at=starts_at)
        rows = plan_family_reminders(appointment, now=now, timing=TIMING)
        times = sorted(row.not_before for row in rows)
        if _any_allowed_moment(now, starts_at, tz_name):
            assert rows, f"no reminder for an appointment saved at {now}"
        for row in rows:
            assert _in_hours(row.not_before, tz_name), (now, row.kind, row.not_before)
            assert now <= row.not_before < row.send_before <= starts_at
        for earlier, later in zip(times, times[1:], strict=False):
            assert later - earlier >= GAP, (now, times)
        appointment.status = appointment.status.CANCELLED  # the next one is the family's only one
        db.session.flush()
