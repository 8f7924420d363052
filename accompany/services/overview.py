"""What each role's home page shows, in a fixed number of queries however much history exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.models import (
    Appointment,
    AppointmentStatus,
    Claim,
    Family,
    Role,
    Shift,
    User,
    UserStatus,
)


@dataclass
class CoordinatorOverview:
    appointments: list[Appointment]
    pending_volunteers: int
    families_without_consent: int
    unverified_dates: int
    open_slots: int


def coordinator_overview(*, now: datetime, days: int = 14) -> CoordinatorOverview:
    """Upcoming appointments with their shifts, and the counts that need action."""
    until = now + timedelta(days=days)
    appointments = list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.starts_at >= now,
                Appointment.starts_at < until,
            )
            .options(
                selectinload(Appointment.shifts),
                selectinload(Appointment.family),
                selectinload(Appointment.location),
            )
            .order_by(Appointment.starts_at)
        )
    )
    pending = db.session.scalar(
        select(func.count()).select_from(User).where(
            User.role == Role.VOLUNTEER, User.status == UserStatus.PENDING
        )
    )
    without_consent = db.session.scalar(
        select(func.count()).select_from(Family).where(
            Family.closed_at.is_(None), Family.sms_consent.is_(False)
        )
    )
    return CoordinatorOverview(
        appointments=appointments,
        pending_volunteers=pending or 0,
        families_without_consent=without_consent or 0,
        unverified_dates=sum(1 for a in appointments if a.verified_on is None),
        open_slots=sum(s.slots - s.filled for a in appointments for s in a.shifts),
    )


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
        .join(Appointment, Shift.appointment_id == Appointment.id)
        .where(
            Appointment.status == AppointmentStatus.SCHEDULED,
            Shift.starts_at >= now,
            Shift.starts_at < now + timedelta(days=days),
            Shift.filled < Shift.slots,
        )
    )
    return VolunteerOverview(my_shifts=my_shifts, open_shift_count=open_count or 0)
