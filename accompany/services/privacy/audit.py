"""Recording who did what. Details carry ids and codes only (no names, phones or texts)."""

from __future__ import annotations

from datetime import datetime

from accompany.database import db
from accompany.models import AuditEvent, User


def record_event(
    action: str,
    *,
    now: datetime,
    actor: User | None = None,
    subject: object | None = None,
    **details: object,
) -> AuditEvent:
    """Add an audit event for `action` on `subject` by `actor`."""
    event = AuditEvent(
        at=now,
        actor=actor,
        action=action,
        subject_type=type(subject).__name__ if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        details=details,
    )
    db.session.add(event)
    return event
