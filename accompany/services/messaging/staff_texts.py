"""What the outbox plans for coordinators and admins who take texts: alerts about something that
needs a person now, and the daily digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import lazyload

from accompany.database import db
from accompany.models import Appointment, MessageKind, OptOut, OutboundMessage, Role, Shift, User, UserStatus
from accompany.services.casework.needs import count_due_soon
from accompany.services.messaging.audience import org_timezone, org_today
from accompany.services.messaging.planning import Wanted, plan_messages
from accompany.services.scheduling.overview import hearings_to_verify, unfilled_slots_soon
from accompany.timezones import to_local

_STAFF_WHO_TAKE_TEXTS = select(User).options(lazyload(User.languages)).where(
    User.role.in_([Role.COORDINATOR, Role.ADMIN]),
    User.status == UserStatus.ACTIVE,
    User.sms_opt_in.is_(True),
    User.phone_hash.is_not(None),
    ~exists().where(OptOut.phone_hash == User.phone_hash, OptOut.active.is_(True)),
)


def alert_coordinators(
    kind: MessageKind, key: str, *, now: datetime, appointment: Appointment | None = None,
    shift: Shift | None = None, params: dict | None = None, valid_for: timedelta = timedelta(hours=12),
) -> list[OutboundMessage]:
    """One alert per active coordinator and admin who takes texts (three statements however many)."""
    return plan_messages(coordinator_alerts(kind, key, now=now, appointment=appointment, shift=shift, params=params,
                                            valid_for=valid_for), now=now)


def coordinator_alerts(
    kind: MessageKind, key: str, *, now: datetime, appointment: Appointment | None = None,
    shift: Shift | None = None, params: dict | None = None, valid_for: timedelta = timedelta(hours=12),
) -> list[Wanted]:
    """The rows alert_coordinators plans (one query), to plan together with others."""
    return [
        Wanted(f"{key}:user:{coordinator.id}:{kind}", kind, now, now + valid_for, user=coordinator,
               appointment_id=appointment.id if appointment is not None else None,
               shift_id=shift.id if shift is not None else None, params=params)
        for coordinator in db.session.scalars(_STAFF_WHO_TAKE_TEXTS)
    ]


def plan_unfilled_digest(*, now: datetime, unfilled: int | None = None, hour: int = 8) -> list[OutboundMessage]:
    """Once a day, from `hour` local time: one text per coordinator when slots within 72 hours
    are still open, hearing dates are due to be verified, or families' needs are due this week or
    overdue. The dedupe key is the local date;
    once the day's digest exists (sent, cancelled by a coordinator, or waiting on a retry) it is
    left alone."""
    local = to_local(now, org_timezone())
    if local.hour < hour:
        return []
    key = f"digest:unfilled:{local.date().isoformat()}"
    if db.session.scalar(select(exists().where(OutboundMessage.dedupe_key.startswith(f"{key}:")))):
        return []
    if unfilled is None:
        unfilled = unfilled_slots_soon(now=now)
    if (unfilled <= 0 and not hearings_to_verify(now=now, days=current_app.config["HEARING_VERIFY_DAYS"])
            and not count_due_soon(today=org_today(now))):
        return []
    return alert_coordinators(MessageKind.COORDINATOR_UNFILLED_DIGEST, key, now=now, valid_for=timedelta(hours=10))


