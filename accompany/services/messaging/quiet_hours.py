"""The local hours a person may be texted in, checked when a text is planned, sent and retried.

A text planned in daytime can still come due at night: the scheduler was down, a retry after a
carrier outage. So the sender asks again at the moment it sends: outside the recipient's hours a
text waits for their next opening, or expires (saying why) when that is past its `send_before`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from accompany.timezones import from_local, to_local


@dataclass(frozen=True)
class QuietHours:
    """Texts go from `opens` to `closes`, wall time in `tz_name`; the rest is the recipient's night."""

    opens: time
    closes: time
    tz_name: str

    def allows(self, moment: datetime) -> bool:
        return self.opens <= to_local(moment, self.tz_name).time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when it is inside the hours, else the next time they open."""
        if self.allows(moment):
            return moment
        local = to_local(moment, self.tz_name)
        day = local.date() if local.time() < self.opens else local.date() + timedelta(days=1)
        return from_local(day, self.opens, self.tz_name)

    def describe(self) -> str:
        """The hours as a coordinator reads them on a row ("08:00–20:00 America/New_York")."""
        return f"{self.opens:%H:%M}–{self.closes:%H:%M} {self.tz_name}"
