"""Check-ins entered once as a series (issue 13, point 7).

An ICE or supervision (ISAP) check-in that repeats (every N weeks, or monthly on the same day) is entered once, with an
end day. Each occurrence is an ordinary appointment, made by the same create path as a single one,
so it has its own shifts and reminders. Changing or ending one asks whether the change is for this
one or for all that follow (the page asks; `Scope` says which), and is done appointment by
appointment through the ordinary reschedule and cancel, so everyone is told as usual.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from accompany.database import db
from accompany.models import Appointment, AppointmentKind, AppointmentSeries, AppointmentStatus, User
from accompany.services.errors import DomainError
from accompany.services.scheduling.appointments import (
    AppointmentDetails,
    cancel_appointment,
    create_appointment,
    reschedule_appointment,
)
from accompany.services.scheduling.shifts import ShiftPlan
from accompany.timezones import from_local, to_local

SERIES_KINDS = frozenset({AppointmentKind.ICE_CHECK_IN, AppointmentKind.SUPERVISION_CHECK_IN})
MAX_OCCURRENCES = 60  # a year of weekly check-ins, with room


class Scope(StrEnum):
    """Which appointments of a series a change is for."""

    THIS = "this"
    FOLLOWING = "following"


class NotASeriesKind(DomainError):
    field = "repeat"
    message = "Only a check-in can repeat. Choose ICE check-in, or no repeat."


class UntilTooSoon(DomainError):
    field = "until"
    message = "The last day must be after the first check-in's day."


class TooMany(DomainError):
    field = "until"
    message = f"That makes more than {MAX_OCCURRENCES} check-ins. Choose an earlier last day."


def occurrence_days(first: date, *, every_weeks: int | None, until: date) -> list[date]:
    """`first`, then every `every_weeks` weeks (or each month, on the same day of the month or the
    month's last day when it is shorter), up to and including `until`."""
    days, index = [], 0
    while True:
        if every_weeks is not None:
            day = first + timedelta(weeks=every_weeks * index)
        else:
            year, month = divmod(first.month - 1 + index, 12)
            year, month = first.year + year, month + 1
            day = date(year, month, min(first.day, calendar.monthrange(year, month)[1]))
        if day > until:
            return days
        days.append(day)
        if len(days) > MAX_OCCURRENCES:
            raise TooMany()
        index += 1


def create_series(
    details: AppointmentDetails, shifts: list[ShiftPlan], *, every_weeks: int | None, until: date,
    by: User, now: datetime,
) -> list[Appointment]:
    """Record each occurrence of a repeating check-in as its own appointment, with the same shifts
    at the same times relative to it; returns them, soonest first."""
    if details.kind not in SERIES_KINDS:
        raise NotASeriesKind()
    tz_name = details.location.timezone
    first = to_local(details.starts_at, tz_name)
    if until <= first.date():
        raise UntilTooSoon()
    days = occurrence_days(first.date(), every_weeks=every_weeks, until=until)
    series = AppointmentSeries(family_id=details.family.id, every_weeks=every_weeks, until=until,
                               created_by_id=by.id, created_at=now)
    db.session.add(series)
    made = []
    for day in days:
        starts_at = from_local(day, first.time(), tz_name)
        delta = starts_at - details.starts_at
        moved = [replace(plan, starts_at=plan.starts_at + delta, ends_at=plan.ends_at + delta) for plan in shifts]
        appointment = create_appointment(replace(details, starts_at=starts_at), moved, by=by, now=now)
        appointment.series = series
        made.append(appointment)
    db.session.flush()
    return made


def this_and_following(appointment: Appointment) -> list[Appointment]:
    """`appointment` and the scheduled appointments of its series after it, soonest first."""
    if appointment.series_id is None:
        return [appointment]
    later = db.session.scalars(
        select(Appointment).where(
            Appointment.series_id == appointment.series_id, Appointment.id != appointment.id,
            Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at > appointment.starts_at,
        ).order_by(Appointment.starts_at)
    )
    return [appointment, *later]


def reschedule_in_series(
    appointment: Appointment, starts_at: datetime, scope: Scope, *, by: User, now: datetime
) -> list[Appointment]:
    """Move this check-in, or this and all that follow by the same number of days to the same
    new local time; each one moved tells its family and volunteers as any reschedule does."""
    if Scope(scope) == Scope.THIS:
        reschedule_appointment(appointment, starts_at, by=by, now=now)
        return [appointment]
    tz_name = appointment.location.timezone
    old, new = to_local(appointment.starts_at, tz_name), to_local(starts_at, tz_name)
    days = new.date() - old.date()
    moving = this_and_following(appointment)
    # Later first when moving later (earlier first when moving earlier): no check-in lands on
    # another's time that has not moved yet.
    for each in sorted(moving, key=lambda a: a.starts_at, reverse=starts_at > appointment.starts_at):
        local = to_local(each.starts_at, tz_name)
        reschedule_appointment(each, from_local(local.date() + days, new.time(), tz_name), by=by, now=now)
    return moving


def end_in_series(appointment: Appointment, scope: Scope, *, by: User, now: datetime) -> list[Appointment]:
    """Call off this check-in, or this and all that follow (the series then ends the day before)."""
    ending = [appointment] if Scope(scope) == Scope.THIS else this_and_following(appointment)
    for each in ending:
        cancel_appointment(each, by=by, now=now)
    if Scope(scope) == Scope.FOLLOWING and appointment.series is not None:
        appointment.series.until = to_local(appointment.starts_at, appointment.location.timezone).date() - timedelta(days=1)
    db.session.flush()
    return ending
