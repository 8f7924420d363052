"""A volunteer's own shifts, the details of one they hold, and their report afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from accompany.database import db
from accompany.models import (
    Appointment,
    AppointmentStatus,
    Claim,
    Family,
    Location,
    Outcome,
    Shift,
    User,
)
from accompany.services.detention import cases as detention_cases
from accompany.services.errors import DomainError
from accompany.services.privacy.access import may_see_held_shift
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.appointments import has_live_appointment_at
from accompany.timezones import from_local, to_local
from accompany.words import first_name

PAST_LIMIT = 30


@dataclass
class MyShift:
    claim: Claim
    shift: Shift
    appointment: Appointment
    location: Location
    family_first_name: str  # only while the volunteer may see the family, else ""


@dataclass
class MyShifts:
    upcoming: list[MyShift]
    past: list[MyShift]


def my_shifts(volunteer: User, *, now: datetime) -> MyShifts:
    """Upcoming shifts (soonest first) and recent past ones: three queries at any size."""
    base = (
        select(Claim)
        .join(Claim.shift)
        .join(Shift.appointment)
        .join(Appointment.location)
        .where(Claim.volunteer_id == volunteer.id)
        .options(
            contains_eager(Claim.shift).contains_eager(Shift.appointment).contains_eager(Appointment.location)
        )
    )
    upcoming = list(
        db.session.scalars(
            base.where(Shift.ends_at >= now, Appointment.status != AppointmentStatus.DRAFT).order_by(Shift.starts_at)
        ).unique()
    )
    past = list(
        db.session.scalars(base.where(Shift.ends_at < now).order_by(Shift.starts_at.desc()).limit(PAST_LIMIT)).unique()
    )
    # First names only for shifts still inside the access window, loaded in one query.
    visible = {c.shift.appointment.family_id for c in upcoming + past if may_see_held_shift(volunteer, c, now=now)}
    names = {}
    if visible:
        names = dict(db.session.execute(select(Family.id, Family.name).where(Family.id.in_(visible))).all())
        names = {family_id: first_name(name) for family_id, name in names.items()}

    def entry(claim: Claim) -> MyShift:
        appointment = claim.shift.appointment
        return MyShift(claim, claim.shift, appointment, appointment.location, names.get(appointment.family_id, ""))

    return MyShifts(upcoming=[entry(c) for c in upcoming], past=[entry(c) for c in past])


def held_claim(volunteer: User, shift_id: int) -> Claim | None:
    """The volunteer's claim on `shift_id`, with what the held-shift page shows, or None."""
    return db.session.scalar(
        select(Claim)
        .where(Claim.shift_id == shift_id, Claim.volunteer_id == volunteer.id)
        .options(
            selectinload(Claim.shift).selectinload(Shift.appointment).options(
                selectinload(Appointment.family),
                selectinload(Appointment.location),
                selectinload(Appointment.shifts).selectinload(Shift.claims).selectinload(Claim.volunteer),
            )
        )
    )


def teammates(claim: Claim) -> list[str]:
    """First names of the other volunteers on the same appointment."""
    names = {
        other.volunteer.first_name
        for shift in claim.shift.appointment.shifts
        for other in shift.claims
        if other.volunteer_id != claim.volunteer_id
    }
    return sorted(names)


# -- reports --------------------------------------------------------------------------------------


class ReportTooEarly(DomainError):
    message = "You can report back once the shift has started."


class BadHours(DomainError):
    message = "Hours must be between 0 and 24."


@dataclass
class Report:
    outcome: Outcome
    hours: Decimal | None = None
    notes: str = ""
    next_date: date | None = None


def report_back(claim: Claim, report: Report, *, now: datetime) -> Appointment | None:
    """Record what happened. A next date opens a draft appointment for review (returned);
    "detained" alerts the coordinators at once."""
    shift, appointment = claim.shift, claim.shift.appointment
    if shift.starts_at > now:
        raise ReportTooEarly()
    if report.hours is not None and not (Decimal(0) <= report.hours <= Decimal(24)):
        raise BadHours()
    first_report = claim.reported_at is None
    outcome = Outcome(report.outcome)
    values = {
        "report_outcome": outcome, "report_hours": report.hours, "report_notes": report.notes.strip() or None,
        "report_next_date": report.next_date if outcome == Outcome.RESCHEDULED else None,
    }
    if not first_report and all(getattr(claim, name) == value for name, value in values.items()):
        return None  # the same report again (the form sent twice): nothing new to record
    for name, value in values.items():
        setattr(claim, name, value)
    claim.reported_at = now
    draft = None
    if claim.report_next_date is not None:
        draft = _draft_next_appointment(appointment, claim.report_next_date, by=claim.volunteer, now=now)
    if claim.report_outcome == Outcome.DETAINED:  # a detention case and its alert chain (issue 15)
        detention_cases.open_case(appointment.family, now=now, by=claim.volunteer, shift=shift,
                                  how="from the volunteer's report")
    db.session.flush()
    record_event(
        "claim.reported" if first_report else "claim.report_changed", now=now, actor=claim.volunteer,
        subject=shift, outcome=claim.report_outcome.value, draft_id=draft.id if draft else None,
    )
    return draft


def _draft_next_appointment(appointment: Appointment, day: date, *, by: User, now: datetime) -> Appointment | None:
    """A draft of the next appointment (same family, place and kind, same local time) for review;
    None when the family has an appointment at that time already (a coordinator entered it)."""
    existing = db.session.scalar(
        select(Appointment).where(Appointment.previous_id == appointment.id, Appointment.status == AppointmentStatus.DRAFT)
    )
    tz_name = appointment.location.timezone
    starts_at = from_local(day, to_local(appointment.starts_at, tz_name).time(), tz_name)
    if has_live_appointment_at(appointment.family_id, starts_at, besides=existing.id if existing else None):
        return None
    if existing is not None:
        existing.starts_at, existing.updated_at = starts_at, now
        return existing
    draft = Appointment(
        family=appointment.family, location=appointment.location, kind=appointment.kind,
        starts_at=starts_at, mode=appointment.mode, judge=appointment.judge,
        interpreter_language=appointment.interpreter_language, status=AppointmentStatus.DRAFT,
        notes="Next date reported by a volunteer: check the date and time with the court.",
        previous=appointment, created_by=by, created_at=now, updated_at=now,
    )
    db.session.add(draft)
    db.session.flush()
    return draft
