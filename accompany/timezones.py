"""Converting between aware UTC (inside) and a place's local wall time (at the edges)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def us_zone_choices() -> list[str]:
    """The time zones a US network plausibly uses, first the common ones."""
    common = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
              "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico"]
    return common + sorted(z for z in available_timezones() if z.startswith("America/") and z not in common)


def to_local(moment: datetime, tz_name: str) -> datetime:
    """An aware datetime as wall time in `tz_name`."""
    return moment.astimezone(ZoneInfo(tz_name))


def from_local(day: date, at: time, tz_name: str) -> datetime:
    """The aware UTC moment of wall time `day` `at` in `tz_name`.

    A wall time that does not exist (spring forward) or happens twice (fall back) resolves
    the way zoneinfo does by default (fold=0): the earlier reading.
    """
    local = datetime.combine(day, at, tzinfo=ZoneInfo(tz_name))
    return local.astimezone(UTC)
