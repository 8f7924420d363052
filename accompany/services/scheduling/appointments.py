"""Appointments: recording them with their shifts, and changes that reach people.

Every change writes its outbox rows in the same transaction (DESIGN §6): a new appointment plans
the family's reminders; a reschedule moves the shifts, cancels what was pending and plans anew,
and tells the family and the volunteers; a cancellation tells everyone; closing with "detained"
alerts the coordinators.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AttendanceMode,
    Claim,
    Family,
    Language,
    Location,
    MessageKind,
    Outcome,
    Shift,
    User,
)
from accompany.services.casework import needs
from accompany.services.detention import cases as detention_cases
from accompany.services.errors import DomainError
from accompany.services.messaging import family_texts, planning, volunteer_texts
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling import locations as location_service
from accompany.services.scheduling.shifts import NotScheduled, ShiftPlan, add_shift, move_shift
from accompany.words import fold


class AppointmentInPast(DomainError):
    message = N_("That date and time has already passed. Check the date (and AM/PM).")


class FamilyClosed(DomainError):
    message = N_("This family's file is closed. Reopen it before adding appointments.")


class LocationInactive(DomainError):
    message = N_("That location is no longer in use. Choose another or reactivate it.")


class PlaceTooLongForTexts(DomainError):
    field = "location_id"
    message = N_("This place's name or town is too long for our texts (at most %(name)s and %(town)s "
                 "characters): shorten it on the place's page, then save again.")

    def __init__(self) -> None:
        super().__init__(name=location_service.NAME_MAX, town=location_service.TOWN_MAX)


class NothingChanged(DomainError):
    message = N_("That is the time it already has.")


class FamilyBusyThen(DomainError):
    field = "day"
    message = N_("This family already has an appointment at that date and time.")


def has_live_appointment_at(family_id: int, starts_at: datetime, *, besides: int | None = None) -> bool:
    """Whether the family has a scheduled or draft appointment at `starts_at` (the database allows
    one: models.appointments.Appointment's unique index)."""
    return db.session.scalar(
        select(Appointment.id).where(
            Appointment.family_id == family_id, Appointment.starts_at == starts_at,
            Appointment.status.in_([AppointmentStatus.SCHEDULED, AppointmentStatus.DRAFT]),
            Appointment.id != (besides or 0),
        ).limit(1)
    ) is not None


@dataclass
class AppointmentDetails:
    """What a coordinator enters for an appointment (time already converted to aware UTC)."""

    family: Family
    location: Location
    kind: AppointmentKind
    starts_at: datetime
    mode: AttendanceMode = AttendanceMode.IN_PERSON
    judge: str = ""
    interpreter_language: Language | None = None
    notes: str = ""
    verified_on: date | None = None
    verified_by: str = ""


def details_of(appointment: Appointment) -> AppointmentDetails:
    """The details an appointment has now (to prefill an edit or the next appointment)."""
    return AppointmentDetails(
        family=appointment.family, location=appointment.location, kind=appointment.kind,
        starts_at=appointment.starts_at, mode=appointment.mode, judge=appointment.judge,
        interpreter_language=appointment.interpreter_language, notes=appointment.notes or "",
        verified_on=appointment.verified_on, verified_by=appointment.verified_by,
    )


def _check(details: AppointmentDetails, *, now: datetime) -> None:
    if details.family.closed_at is not None:
        raise FamilyClosed()
    if not details.location.active:
        raise LocationInactive()
    if not location_service.fits_in_texts(details.location):
        raise PlaceTooLongForTexts()
    if details.starts_at <= now:
        raise AppointmentInPast()


def _write(appointment: Appointment, details: AppointmentDetails) -> list[str]:
    """Copy `details` onto `appointment` (not the time); returns the changed field names."""
    changed = []
    for name in (f.name for f in fields(AppointmentDetails)):
        if name == "starts_at":
            continue
        value = getattr(details, name)
        if isinstance(value, str):
            value = value.strip()
        if name == "notes":
            value = value or None
        if getattr(appointment, name) != value:
            changed.append(name)
            setattr(appointment, name, value)
    return changed


def clear_verification(appointment: Appointment) -> None:
    """Forget that the date was checked with the court: who, how and when."""
    appointment.verified_on, appointment.verified_by = None, ""
    appointment.verified_how, appointment.verified_note = None, ""


def create_appointment(
    details: AppointmentDetails,
    shifts: list[ShiftPlan],
    *,
    by: User,
    now: datetime,
    previous: Appointment | None = None,
) -> Appointment:
    """Record an appointment with the shifts it needs, and plan the family's reminders."""
    _check(details, now=now)
    if has_live_appointment_at(details.family.id, details.starts_at):
        raise FamilyBusyThen()
    appointment = Appointment(
        starts_at=details.starts_at, status=AppointmentStatus.SCHEDULED, created_by=by,
        created_at=now, updated_at=now, previous=previous,
    )
    _write(appointment, details)
    db.session.add(appointment)
    db.session.flush()
    for plan in shifts:
        add_shift(appointment, plan, by=by, now=now)
    family_texts.plan_family_reminders(appointment, now=now)
    volunteer_texts.plan_obligor_reminders_for(appointment, now=now)
    record_event(
        "appointment.created", now=now, actor=by, subject=appointment,
        family_id=details.family.id, shifts=len(shifts),
    )
    return appointment


def update_appointment(appointment: Appointment, details: AppointmentDetails, *, by: User, now: datetime) -> None:
    """Change what an appointment is (kind, place, judge, notes, verification); a new time reschedules."""
    if appointment.status not in (AppointmentStatus.SCHEDULED, AppointmentStatus.DRAFT):
        raise NotScheduled()
    if details.family.id != appointment.family_id:
        raise DomainError(N_("An appointment stays with its family; create a new one instead."))
    if not details.location.active and details.location.id != appointment.location_id:
        raise LocationInactive()
    if not location_service.fits_in_texts(details.location):
        raise PlaceTooLongForTexts()
    changed = _write(appointment, details)
    if {"verified_on", "verified_by"} & set(changed):
        appointment.verified_how, appointment.verified_note = None, ""  # the typed record is the check now
    appointment.updated_at = now
    db.session.flush()
    if changed:
        record_event("appointment.changed", now=now, actor=by, subject=appointment, fields=sorted(changed))
    if details.starts_at != appointment.starts_at:
        if appointment.status == AppointmentStatus.DRAFT:
            appointment.starts_at = details.starts_at  # nobody has been told about a draft
            needs.follow_appointment(appointment)
        else:
            reschedule_appointment(appointment, details.starts_at, by=by, now=now)


def confirm_draft(appointment: Appointment, *, by: User, now: datetime) -> None:
    """A coordinator has checked a draft (a volunteer's reported next date): make it real."""
    if appointment.status != AppointmentStatus.DRAFT:
        raise NotScheduled(N_("This appointment is not a draft."))
    _check(details_of(appointment), now=now)
    appointment.status = AppointmentStatus.SCHEDULED
    appointment.updated_at = now
    db.session.flush()
    family_texts.plan_family_reminders(appointment, now=now)
    volunteer_texts.plan_obligor_reminders_for(appointment, now=now)
    record_event("appointment.confirmed", now=now, actor=by, subject=appointment)


def reschedule_appointment(appointment: Appointment, starts_at: datetime, *, by: User, now: datetime) -> None:
    """Move the appointment and its shifts; volunteers keep their claims and everyone is told."""
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise NotScheduled()
    if starts_at == appointment.starts_at:
        raise NothingChanged()
    if starts_at <= now:
        raise AppointmentInPast()
    if has_live_appointment_at(appointment.family_id, starts_at, besides=appointment.id):
        raise FamilyBusyThen()
    if not location_service.fits_in_texts(appointment.location):
        raise PlaceTooLongForTexts()
    previous_start = appointment.starts_at
    delta = starts_at - previous_start
    planning.cancel_appointment_messages(appointment)
    appointment.starts_at = starts_at
    appointment.updated_at = now
    clear_verification(appointment)  # the new date needs verifying
    appointment.family_confirmed_at = None  # and the family's confirmation was for the old one
    for shift in appointment.shifts:
        move_shift(shift, delta)
    needs.follow_appointment(appointment)  # due dates "N days before" it move with it
    db.session.flush()
    # What the new time means to each: the family is told it (and reminded only where the notice
    # does not say it already) and who still goes with them; each volunteer, that their shift moved.
    notice = family_texts.plan_family_notice(
        appointment, MessageKind.FAMILY_RESCHEDULED, now=now,
        params={"previous_starts_at": previous_start.isoformat()},
    )
    family_texts.plan_family_reminders(appointment, now=now, after=notice.not_before if notice is not None else None)
    volunteer_texts.plan_obligor_reminders_for(appointment, now=now)
    for shift in appointment.shifts:
        for claim in shift.claims:
            family_texts.plan_volunteer_confirmed(claim, now=now)
            volunteer_texts.plan_moved_claim(claim, now=now)
    record_event(
        "appointment.rescheduled", now=now, actor=by, subject=appointment,
        moved_minutes=int(delta.total_seconds() // 60),
    )


def cancel_appointment(appointment: Appointment, *, by: User, now: datetime) -> None:
    """Call it off: pending texts stop, and the family and every volunteer holding a shift are told."""
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise NotScheduled()
    planning.cancel_appointment_messages(appointment)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = appointment.updated_at = now
    db.session.flush()
    if appointment.starts_at > now:
        family_texts.plan_family_notice(appointment, MessageKind.FAMILY_CANCELLED, now=now)
        for shift in appointment.shifts:
            for claim in shift.claims:
                volunteer_texts.plan_volunteer_notice(
                    claim, MessageKind.VOLUNTEER_CANCELLED, now=now,
                    send_before=max(shift.starts_at, now + timedelta(hours=1)),
                )
    record_event("appointment.cancelled", now=now, actor=by, subject=appointment)


def close_appointment(
    appointment: Appointment, outcome: Outcome, *, notes: str = "", by: User, now: datetime
) -> AppointmentDetails | None:
    """Record how it went. "Rescheduled" returns details to prefill the next appointment."""
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise NotScheduled()
    planning.cancel_appointment_messages(appointment)
    appointment.status = AppointmentStatus.CLOSED
    appointment.outcome = Outcome(outcome)
    appointment.outcome_notes = notes.strip() or None
    appointment.closed_at = appointment.updated_at = now
    db.session.flush()
    if appointment.outcome == Outcome.DETAINED:  # a detention case and its alert chain (issue 15)
        detention_cases.open_case(appointment.family, now=now, by=by, appointment=appointment,
                                  how=N_("from the appointment's outcome"))
    record_event("appointment.closed", now=now, actor=by, subject=appointment, outcome=appointment.outcome.value)
    if appointment.outcome == Outcome.RESCHEDULED:
        next_details = details_of(appointment)
        next_details.verified_on, next_details.verified_by, next_details.notes = None, "", ""
        return next_details
    return None


def clear_detained_alert(appointment: Appointment, *, by: User, now: datetime) -> None:
    """A coordinator has taken up the detention; the dashboard stops flagging it."""
    if appointment.outcome != Outcome.DETAINED or appointment.alert_cleared_at is not None:
        raise DomainError(N_("There is no open detention alert on this appointment."))
    appointment.alert_cleared_at = now
    record_event("appointment.alert_cleared", now=now, actor=by, subject=appointment)
    db.session.flush()


# -- reading ------------------------------------------------------------------------------------


def open_families() -> list[Family]:
    """Open families, by name as the family list sorts them (names are sealed, so after decryption)."""
    families = db.session.scalars(select(Family).where(Family.closed_at.is_(None), Family.purged_at.is_(None)))
    return sorted(families, key=lambda family: (fold(family.name), family.id))


def appointment_with_coverage(appointment_id: int) -> Appointment | None:
    """One appointment with its family, place, shifts and the volunteers holding them."""
    return db.session.scalar(
        select(Appointment)
        .where(Appointment.id == appointment_id)
        .options(
            selectinload(Appointment.family),
            selectinload(Appointment.location),
            selectinload(Appointment.shifts).selectinload(Shift.claims).selectinload(Claim.volunteer),
        )
    )


def list_appointments(*, show: str, now: datetime, limit: int = 200) -> list[Appointment]:
    """Upcoming (soonest first), past (latest first) or draft appointments."""
    query = select(Appointment).options(
        selectinload(Appointment.family), selectinload(Appointment.location), selectinload(Appointment.shifts)
    )
    if show == "drafts":
        query = query.where(Appointment.status == AppointmentStatus.DRAFT).order_by(Appointment.starts_at)
    elif show == "past":
        query = query.where(Appointment.starts_at < now).order_by(Appointment.starts_at.desc())
    else:
        query = query.where(
            Appointment.starts_at >= now, Appointment.status == AppointmentStatus.SCHEDULED
        ).order_by(Appointment.starts_at)
    return list(db.session.scalars(query.limit(limit)))
