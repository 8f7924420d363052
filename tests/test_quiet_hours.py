"""Family texts keep to 08:00–20:00 local time, for any time, any zone, across DST changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accompany.models import AppointmentKind, MessageState, OutboundMessage
from accompany.services.messaging.audience import Timing, fit_family_window
from accompany.services.messaging.family_texts import plan_family_reminders
from tests.conftest import NOW

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
         "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico"]
TIMING = Timing()
START = datetime(2026, 1, 1, tzinfo=UTC)


def decent(moment: datetime, tz_name: str) -> bool:
    local = moment.astimezone(ZoneInfo(tz_name)).time()
    return time(8) <= local < time(20)


@settings(max_examples=400, deadline=None)
@given(
    tz_name=st.sampled_from(ZONES),
    minutes_from_start=st.integers(0, 2 * 365 * 24 * 60),  # two years: four DST changes
    wanted_after=st.integers(0, 10 * 24 * 60),
    window_minutes=st.integers(1, 10 * 24 * 60),
)
def test_a_planned_family_time_is_never_in_quiet_hours(tz_name, minutes_from_start, wanted_after, window_minutes):
    now = START + timedelta(minutes=minutes_from_start)
    wanted = now + timedelta(minutes=wanted_after)
    send_before = wanted + timedelta(minutes=window_minutes)
    at = fit_family_window(wanted, tz_name=tz_name, now=now, send_before=send_before, timing=TIMING)
    if at is not None:
        assert decent(at, tz_name)
        assert now <= at < send_before
        if decent(wanted, tz_name):
            assert at == wanted  # a decent time is never moved


@pytest.mark.parametrize("tz_name", ZONES)
@pytest.mark.parametrize(
    "appointment_local",
    [
        datetime(2027, 3, 15, 8, 30),   # the Monday after spring forward (Mar 14, 2027)
        datetime(2027, 3, 14, 9, 0),    # the day itself
        datetime(2026, 11, 2, 8, 0),    # the Monday after fall back (Nov 1, 2026)
        datetime(2026, 12, 8, 13, 0),
        datetime(2026, 12, 9, 7, 30),   # an early hearing: the 1-day reminder still goes the day before
    ],
)
def test_reminders_across_dst_changes_land_in_decent_hours(make, db, tz_name, appointment_local):
    starts_at = appointment_local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC)
    family = make.family(timezone=tz_name)
    appointment = make.appointment(family=family, starts_at=starts_at, kind=AppointmentKind.MASTER_CALENDAR)
    now = NOW - timedelta(days=40)
    rows = plan_family_reminders(appointment, now=now)
    assert [r.kind for r in rows] == ["family_reminder_7d", "family_reminder_3d", "family_reminder_1d"]
    for row in rows:
        assert isinstance(row, OutboundMessage) and row.state == MessageState.PENDING
        assert decent(row.not_before, tz_name)
        assert row.not_before < row.send_before <= starts_at - timedelta(hours=2)
    local_days = [r.not_before.astimezone(ZoneInfo(tz_name)).date() for r in rows]
    day = appointment_local.date()
    assert local_days == [day - timedelta(days=7), day - timedelta(days=3), day - timedelta(days=1)]
    assert date(2000, 1, 1) < local_days[0]
