"""The numbers `/healthz` and the dashboard report about the database and the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from accompany.database import db
from accompany.models import SchedulerHeartbeat
from accompany.services.messaging.outbox import backlog

STALE_AFTER = timedelta(minutes=2)


def last_heartbeat():
    """The scheduler's latest heartbeat, as a scalar subquery (None when it never ran)."""
    return select(func.max(SchedulerHeartbeat.beat_at)).scalar_subquery()


def scheduler_status(beat: datetime | None, *, now: datetime) -> dict:
    """Whether the scheduler is alive, from its latest heartbeat: stale after STALE_AFTER."""
    age = (now - beat).total_seconds() if beat else None
    return {
        "last_heartbeat": beat.isoformat() if beat else None,
        "age_seconds": round(age, 1) if age is not None else None,
        "stale": age is None or age > STALE_AFTER.total_seconds(),
    }


def health_report(*, now: datetime) -> dict:
    """A JSON-ready report; `ok` is False when the database is down or the scheduler is stale."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"ok": False, "database": "unreachable"}
    scheduler = scheduler_status(db.session.scalar(select(last_heartbeat())), now=now)
    return {
        "ok": not scheduler["stale"],
        "database": "ok",
        "scheduler": scheduler,
        "outbox": backlog(now=now, stale_after=STALE_AFTER),
    }
