"""The scheduler's proof of life, read by /healthz and the dashboard."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from accompany.database import db
from accompany.models import SchedulerHeartbeat

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def record_heartbeat(name: str, *, now: datetime) -> None:
    """Note that the process called `name` is alive at `now`: one upsert, so two schedulers
    starting on an empty table never both insert the name."""
    values = {"beat_at": now, "details": {"host": socket.gethostname(), "pid": os.getpid()}}
    insert = INSERTS[db.session.get_bind().dialect.name](SchedulerHeartbeat)
    db.session.execute(
        insert.values(name=name, **values).on_conflict_do_update(index_elements=[SchedulerHeartbeat.name], set_=values)
    )
    db.session.flush()
