"""The scheduler's proof of life, read by /healthz and the dashboard."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from accompany.database import db
from accompany.models import SchedulerHeartbeat


def record_heartbeat(name: str, *, now: datetime) -> SchedulerHeartbeat:
    """Note that the process called `name` is alive at `now`."""
    beat = db.session.get(SchedulerHeartbeat, name)
    if beat is None:
        beat = SchedulerHeartbeat(name=name, beat_at=now)
        db.session.add(beat)
    beat.beat_at = now
    beat.details = {"host": socket.gethostname(), "pid": os.getpid()}
    db.session.flush()
    return beat
