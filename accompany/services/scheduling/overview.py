"""What each role's home page shows, in a fixed number of queries however much history exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import load_only, selectinload

from accompany.database import db
from accompany.models import (
    HEARING_KINDS,
    Appointment,
    AppointmentStatus,
    Claim,
    DetentionCase,
    Family,
    Need,
    OptOut,
    Outcome,
    Role,
    Shift,
    User,
    UserStatus,
)
from accompany.services.casework.needs import due_soon
from accompany.timezones import to_local


@dataclass
class Coverage:
    """One appointment on the dashboard, its shifts with the unfilled ones first."""

    appointment: Appointment
    shifts: list[Shift]
    open_slots: int


@dataclass
class StoppedTexts:
    """A family whose number said STOP while an appointment lies ahead: no reminder reaches them."""

    family: Family
    next_appointment_at: datetime


@dataclass
class CoordinatorOverview:
    days: list[tuple[date, list[Coverage]]]
    unfilled_soon: int
    pending_volunteers: int
    families_without_consent: int
    unverified_dates: int
    hearings_to_verify: list[Appointment]
    detained: list[Appointment]
    drafts: int
    stopped_texts: list[StoppedTexts]
    # casework (issue 14): live needs due this week or overdue, most overdue first
    needs_due: list[Need] = field(default_factory=list)


def _count(query) -> int:
    return db.session.scalar(query) or 0


def unfilled_slots_soon(*, now: datetime, hours: int = 72) -> int:
    """Open volunteer slots on shifts starting within `hours`."""
    return _count(
        select(func.sum(Shift.slots_left))
        .where(Shift.is_claimable(now), Shift.starts_at < now + timedelta(hours=hours))
    )


def verify_by(appointment: Appointment, *, days: int) -> date:
    """The local day by which a hearing's date should have been checked with the court."""
    return to_local(appointment.starts_at, appointment.location.timezone).date() - timedelta(days=days)


def hearings_to_verify(*, now: datetime, days: int) -> list[Appointment]:
    """Scheduled hearings ahead whose date nobody has checked, and whose "verify by" day (`days`
    before, in the court's time zone) has come: soonest first."""
    candidates = db.session.scalars(
        select(Appointment)
        .where(Appointment.status == AppointmentStatus.SCHEDULED, Appointment.kind.in_(HEARING_KINDS),
               Appointment.verified_on.is_(None), Appointment.starts_at > now,
               Appointment.starts_at < now + timedelta(days=days + 2))  # a day either side of any zone
        .options(selectinload(Appointment.family).load_only(Family.id, Family.name),  # no phone or notes decrypted
                 selectinload(Appointment.location))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return [appointment for appointment in candidates
            if verify_by(appointment, days=days) <= to_local(now, appointment.location.timezone).date()]


def families_who_stopped_texts(*, now: datetime) -> list[StoppedTexts]:
    """Open families who agreed to texts, whose number has opted out (STOP, or the carrier's
    word for it), with a scheduled appointment ahead: soonest first. One query."""
    next_at = func.min(Appointment.starts_at)
    rows = db.session.execute(
        select(Family, next_at)
        .join(OptOut, (OptOut.phone_hash == Family.phone_hash) & OptOut.active.is_(True))
        .join(Appointment, Appointment.family_id == Family.id)
        .where(Family.closed_at.is_(None), Family.purged_at.is_(None), Family.sms_consent.is_(True),
               Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at >= now)
        .group_by(Family.id)
        .order_by(next_at, Family.id)
        .options(load_only(Family.id, Family.name))  # no phone or notes decrypted
    )
    return [StoppedTexts(family, next_appointment_at) for family, next_appointment_at in rows]


def coordinator_overview(
    *, now: datetime, tz_name: str, days: int = 14, soon_hours: int = 72, verify_days: int = 3
) -> CoordinatorOverview:
    """The next `days` by local day, and the counts that need action.

    A fixed number of queries however much history there is: one for the window's appointments,
    three to load their families, places and shifts, and one per count.
    """
    until = now + timedelta(days=days)
    appointments = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.status == AppointmentStatus.SCHEDULED,
            Appointment.starts_at >= now,
            Appointment.starts_at < until,
        )
        .options(
            selectinload(Appointment.shifts),
            selectinload(Appointment.family).load_only(Family.id, Family.name),  # no phone or notes decrypted
            selectinload(Appointment.location),
        )
        .order_by(Appointment.starts_at)
    )
    by_day: dict[date, list[Coverage]] = {}
    for appointment in appointments:
        shifts = sorted(appointment.shifts, key=lambda s: (not s.has_free_slot, s.starts_at))
        open_slots = sum(s.slots_left for s in shifts)
        day = to_local(appointment.starts_at, tz_name).date()
        by_day.setdefault(day, []).append(Coverage(appointment, shifts, open_slots))
    for entries in by_day.values():
        entries.sort(key=lambda c: (c.open_slots == 0, c.appointment.starts_at))

    scheduled_future = (Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at >= now)
    unfilled_soon = unfilled_slots_soon(now=now, hours=soon_hours)
    detained = list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.outcome == Outcome.DETAINED, Appointment.alert_cleared_at.is_(None),
                   # A detention case (issue 15) shows it above everything: not here a second time.
                   ~exists().where(DetentionCase.appointment_id == Appointment.id),
                   ~exists().where(DetentionCase.open_family_id == Appointment.family_id))
            .options(selectinload(Appointment.family).load_only(Family.id, Family.name),
                     selectinload(Appointment.location))
            .order_by(Appointment.closed_at.desc())
        )
    )
    return CoordinatorOverview(
        days=sorted(by_day.items()),
        unfilled_soon=unfilled_soon,
        pending_volunteers=_count(
            select(func.count()).select_from(User).where(
                User.role == Role.VOLUNTEER, User.status == UserStatus.PENDING
            )
        ),
        families_without_consent=_count(
            select(func.count()).select_from(Family).where(
                Family.closed_at.is_(None), Family.sms_consent.is_(False)
            )
        ),
        unverified_dates=_count(
            select(func.count()).select_from(Appointment).where(
                *scheduled_future, Appointment.kind.in_(HEARING_KINDS), Appointment.verified_on.is_(None)
            )
        ),
        hearings_to_verify=hearings_to_verify(now=now, days=verify_days),
        detained=detained,
        drafts=_count(select(func.count()).select_from(Appointment).where(Appointment.status == AppointmentStatus.DRAFT)),
        stopped_texts=families_who_stopped_texts(now=now),
        needs_due=due_soon(today=to_local(now, tz_name).date()),
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
        .where(Shift.is_claimable(now), Shift.starts_at < now + timedelta(days=days))
    )
    return VolunteerOverview(my_shifts=my_shifts, open_shift_count=open_count or 0)
