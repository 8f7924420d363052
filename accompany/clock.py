"""The one clock Accompany reads.

Every view, command and the scheduler ask `utcnow()` for the current moment and pass it on as
`now`. Tests (and a development demo, through ACCOMPANY_CLOCK_START) can set the clock to any
instant; it then ticks on from there at the real pace, so waits and timeouts still behave.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    """The current moment as an aware UTC datetime (callers pass it on as `now`)."""
    return datetime.now(UTC) + _offset


def set_clock(instant: datetime | None) -> None:
    """Make the clock read `instant` now and tick on from there; None goes back to real time."""
    global _offset
    if instant is None:
        _offset = timedelta(0)
        return
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("the clock takes an aware datetime")
    _offset = instant - datetime.now(UTC)


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant with its offset (2027-03-14T03:00-04:00), as aware UTC."""
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return instant.astimezone(UTC)
