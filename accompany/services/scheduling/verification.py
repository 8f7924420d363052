"""Hearing dates checked with the court (issue 13, point 7).

Immigration court dates move, sometimes earlier, without notice. Each hearing has a "verify by"
day (HEARING_VERIFY_DAYS before it, default 3): from then on it is on the coordinators' dashboard
and in the daily digest until someone records that the date was checked (by whom, how, when).
A hearing still unchecked the day before alerts the coordinators by text. The family's reminders
go either way: a reminder held back is worse than one unverified. A reschedule clears the check
(services/scheduling/appointments.py), since the new date needs one of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from accompany.database import db
from accompany.models import (
    Appointment,
    AppointmentStatus,
    MessageKind,
    OutboundMessage,
    User,
    VerifyMethod,
)
from accompany.services.errors import DomainError
from accompany.services.messaging import planning, staff_texts
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.overview import hearings_to_verify
from accompany.timezones import to_local

ALERT_FROM_HOUR = 8  # local: the day-before alert waits for the morning, like the digest


class NotAHearing(DomainError):
    message = "Only a court hearing's date is verified with the court."


class NotVerifiable(DomainError):
    message = "This hearing is no longer scheduled, so there is no date to verify."


class SayHow(DomainError):
    field = "note"
    message = "Say how the date was checked."


def verify_days() -> int:
    """How many days before a hearing its date should be checked (HEARING_VERIFY_DAYS)."""
    return current_app.config["HEARING_VERIFY_DAYS"]


def record_verification(
    appointment: Appointment, how: VerifyMethod, *, note: str = "", by: User, now: datetime
) -> None:
    """`by` checked the hearing's date with the court, today, in the way `how` says."""
    if not appointment.kind.is_hearing:
        raise NotAHearing()
    if appointment.status not in (AppointmentStatus.SCHEDULED, AppointmentStatus.DRAFT):
        raise NotVerifiable()
    how, note = VerifyMethod(how), note.strip()
    if how == VerifyMethod.OTHER and not note:
        raise SayHow()
    checked = (to_local(now, appointment.location.timezone).date(), by.name, how, note)
    if (appointment.verified_on, appointment.verified_by, appointment.verified_how, appointment.verified_note) == checked:
        return  # the same check recorded again (a double tap): already so
    appointment.verified_on, appointment.verified_by, appointment.verified_how, appointment.verified_note = checked
    appointment.updated_at = now
    planning.cancel_pending(OutboundMessage.appointment_id == appointment.id,
                            OutboundMessage.kind == MessageKind.COORDINATOR_UNVERIFIED_HEARING)
    db.session.flush()
    record_event("appointment.verified", now=now, actor=by, subject=appointment, how=how.value)


def alert_key(appointment: Appointment) -> str:
    """One alert per hearing and date: a rescheduled hearing unchecked again is alerted again."""
    return f"appt:{appointment.id}@{planning.stamp(appointment.starts_at)}:unverified"


def plan_unverified_alerts(*, now: datetime, hour: int = ALERT_FROM_HOUR) -> list[OutboundMessage]:
    """Alert the coordinators about each hearing tomorrow (in its court's time zone) whose date
    nobody has checked, from `hour` local time on; once per hearing and date."""
    planned = []
    for appointment in hearings_to_verify(now=now, days=verify_days()):
        local_now = to_local(now, appointment.location.timezone)
        hearing_day = to_local(appointment.starts_at, appointment.location.timezone).date()
        if hearing_day != local_now.date() + timedelta(days=1) or local_now.hour < hour:
            continue
        key = alert_key(appointment)
        if db.session.scalar(select(exists().where(OutboundMessage.dedupe_key.startswith(f"{key}:")))):
            continue  # planned already (sent, waiting, or cancelled by a check)
        planned += staff_texts.alert_coordinators(
            MessageKind.COORDINATOR_UNVERIFIED_HEARING, key, now=now, appointment=appointment,
            valid_for=min(timedelta(hours=12), appointment.starts_at - now),
        )
    return planned
