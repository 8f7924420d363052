"""A volunteer's own shifts, the details of one they hold, and their report afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, selectinload

from accompany.crypto import recurring
from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    AppointmentStatus,
    Claim,
    Family,
    Location,
    Outcome,
    Shift,
    ShiftRole,
    User,
)
from accompany.services.detention import cases as detention_cases
from accompany.services.errors import DomainError
from accompany.services.privacy.access import may_see_holder_details
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.appointments import has_live_appointment_at
from accompany.timezones import from_local, to_local
from accompany.words import first_name

PAST_LIMIT = 30


@dataclass
class MyShift:
    """One of the volunteer's shifts as their list shows it: columns, not loaded records."""

    shift_id: int
    role: ShiftRole
    starts_at: datetime
    ends_at: datetime
    meeting_point: str
    appointment_status: AppointmentStatus
    place: str
    timezone: str
    reported_at: datetime | None
    report_outcome: Outcome | None
    report_hours: Decimal | None
    family_first_name: str  # only while the volunteer may see the family, else ""


@dataclass
class MyShifts:
    upcoming: list[MyShift]
    past: list[MyShift]


def _mine():
    return (
        select(Shift.id, Shift.role, Shift.starts_at, Shift.ends_at, Shift.meeting_point,
               Appointment.status.label("appointment_status"), Appointment.starts_at.label("appointment_starts_at"),
               Appointment.family_id, Location.name.label("place"), Location.timezone,
               Claim.reported_at, Claim.report_outcome, Claim.report_hours)
        .join(Shift, Claim.shift_id == Shift.id)
        .join(Appointment, Shift.appointment_id == Appointment.id)
        .join(Location, Appointment.location_id == Location.id)
        .where(Claim.volunteer_id == bindparam("volunteer_id"))
    )


# Built once each (SQLAlchemy then reuses the compiled SQL); the volunteer and the time are parameters.
_UPCOMING = _mine().where(Shift.ends_at >= bindparam("now"), Appointment.status != AppointmentStatus.DRAFT) \
    .order_by(Shift.starts_at, Shift.id)
_PAST = _mine().where(Shift.ends_at < bindparam("now")).order_by(Shift.starts_at.desc(), Shift.id).limit(PAST_LIMIT)


# The families' names through the keyring's cache of decrypted names (crypto.recurring).
_NAMES = select(Family.id, recurring(Family.name)).where(Family.id.in_(bindparam("ids", expanding=True)))


def my_shifts(volunteer: User, *, now: datetime) -> MyShifts:
    """Upcoming shifts (soonest first) and recent past ones: three queries at any size."""
    params = {"volunteer_id": volunteer.id, "now": now}
    upcoming = db.session.execute(_UPCOMING, params).all()
    past = db.session.execute(_PAST, params).all()
    # First names only for shifts still inside the access window, loaded in one query.
    visible = {row.family_id for row in upcoming + past
               if may_see_holder_details(volunteer, volunteer.id, row.appointment_status,
                                         row.appointment_starts_at, now=now)}
    names = {}
    if visible:
        names = {family_id: first_name(name) for family_id, name in db.session.execute(_NAMES, {"ids": list(visible)})}

    def entry(row) -> MyShift:
        return MyShift(
            shift_id=row.id, role=row.role, starts_at=row.starts_at, ends_at=row.ends_at,
            meeting_point=row.meeting_point, appointment_status=row.appointment_status, place=row.place,
            timezone=row.timezone, reported_at=row.reported_at, report_outcome=row.report_outcome,
            report_hours=row.report_hours, family_first_name=names.get(row.family_id, ""),
        )

    return MyShifts(upcoming=[entry(row) for row in upcoming], past=[entry(row) for row in past])


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


def claim_to_release(volunteer: User, shift_id: int) -> Claim | None:
    """The volunteer's claim on `shift_id` with its shift, in one query: what giving it back changes
    (release_claim loads the appointment only when a late release alerts the coordinators)."""
    return db.session.scalar(
        select(Claim)
        .join(Claim.shift)
        .where(Claim.shift_id == shift_id, Claim.volunteer_id == volunteer.id)
        .options(contains_eager(Claim.shift))
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
    message = N_("You can report back once the shift has started.")


class BadHours(DomainError):
    message = N_("Hours must be between 0 and 24.")


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
                                  how=N_("from the volunteer's report"))
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
