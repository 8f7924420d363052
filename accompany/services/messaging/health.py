"""The numbers `/healthz` and the dashboard report about the database and the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from accompany.database import db
from accompany.models import SchedulerHeartbeat
from accompany.services.messaging.outbox import backlog

STALE_AFTER = timedelta(minutes=2)


def health_report(*, now: datetime) -> dict:
    """A JSON-ready report; `ok` is False when the database is down or the scheduler is stale."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"ok": False, "database": "unreachable"}
    beat = db.session.scalar(
        select(SchedulerHeartbeat.beat_at).order_by(SchedulerHeartbeat.beat_at.desc()).limit(1)
    )
    age = (now - beat).total_seconds() if beat else None
    scheduler_ok = age is not None and age <= STALE_AFTER.total_seconds()
    return {
        "ok": scheduler_ok,
        "database": "ok",
        "scheduler": {
            "last_heartbeat": beat.isoformat() if beat else None,
            "age_seconds": round(age, 1) if age is not None else None,
            "stale": not scheduler_ok,
        },
        "outbox": backlog(now=now, stale_after=STALE_AFTER),
    }
