"""What a volunteer's home page shows, and the scheduling facts that coordinators are alerted to
(the dashboard, accompany/services/dashboard.py, and the daily digest): open slots soon and hearing
dates to verify. A fixed number of queries however much history exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.models import (
    HEARING_KINDS,
    Appointment,
    AppointmentStatus,
    Claim,
    Family,
    Shift,
    User,
)
from accompany.timezones import to_local


def unfilled_slots_query(now, until):
    """The open volunteer slots on shifts starting from `now` to `until` (moments, or bound
    parameters for them), as a query (NULL for none)."""
    return select(func.sum(Shift.slots_left)).where(Shift.is_claimable(now), Shift.starts_at < until)


def unfilled_slots_soon(*, now: datetime, hours: int = 72) -> int:
    """Open volunteer slots on shifts starting within `hours`."""
    return db.session.scalar(unfilled_slots_query(now, now + timedelta(hours=hours))) or 0


def verify_by_day(starts_at: datetime, timezone: str, *, days: int) -> date:
    """The local day (in the court's `timezone`) by which a hearing's date should have been checked."""
    return to_local(starts_at, timezone).date() - timedelta(days=days)


def verify_by(appointment: Appointment, *, days: int) -> date:
    """The local day by which a hearing's date should have been checked with the court."""
    return verify_by_day(appointment.starts_at, appointment.location.timezone, days=days)


def due_for_verification(starts_at: datetime, timezone: str, *, now: datetime, days: int) -> bool:
    """Whether an unverified hearing's "verify by" day (`days` before, in the court's time zone) has come."""
    return verify_by_day(starts_at, timezone, days=days) <= to_local(now, timezone).date()


def verification_horizon(*, now: datetime, days: int) -> datetime:
    """Hearings starting before this may be due for verification: a day either side of any zone."""
    return now + timedelta(days=days + 2)


def hearings_to_verify(*, now: datetime, days: int) -> list[Appointment]:
    """Scheduled hearings ahead whose date nobody has checked, and whose "verify by" day (`days`
    before, in the court's time zone) has come: soonest first."""
    candidates = db.session.scalars(
        select(Appointment)
        .where(Appointment.status == AppointmentStatus.SCHEDULED, Appointment.kind.in_(HEARING_KINDS),
               Appointment.verified_on.is_(None), Appointment.starts_at > now,
               Appointment.starts_at < verification_horizon(now=now, days=days))
        .options(selectinload(Appointment.family).load_only(Family.id, Family.name),  # no phone or notes decrypted
                 selectinload(Appointment.location))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return [appointment for appointment in candidates
            if due_for_verification(appointment.starts_at, appointment.location.timezone, now=now, days=days)]


@dataclass
class VolunteerOverview:
    my_shifts: list[Shift]
    open_shift_count: int


def volunteer_overview(volunteer: User, *, now: datetime, days: int = 14) -> VolunteerOverview:
    """The volunteer's own upcoming shifts and how many open shifts are on the board."""
    my_shifts = list(
        db.session.scalars(
            select(Shift)
            .join(Claim, Claim.shift_id == Shift.id)
            .join(Appointment, Shift.appointment_id == Appointment.id)
            .where(
                Claim.volunteer_id == volunteer.id,
                Shift.ends_at >= now,
                Appointment.status == AppointmentStatus.SCHEDULED,
            )
            .options(selectinload(Shift.appointment).selectinload(Appointment.location))
            .order_by(Shift.starts_at)
        )
    )
    open_count = db.session.scalar(
        select(func.count())
        .select_from(Shift)
        .where(Shift.is_claimable(now), Shift.starts_at < now + timedelta(days=days))
    )
    return VolunteerOverview(my_shifts=my_shifts, open_shift_count=open_count or 0)
