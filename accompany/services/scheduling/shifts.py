"""The volunteer roles an appointment needs: proposing them, adding, changing and removing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AttendanceMode,
    Language,
    LocationKind,
    MessageKind,
    Shift,
    ShiftRole,
    User,
)
from accompany.services.errors import DomainError
from accompany.services.messaging import planning, volunteer_texts
from accompany.services.privacy.audit import record_event

# How long each kind of appointment usually takes, door to door inside the building.
TYPICAL_LENGTH = {
    AppointmentKind.MASTER_CALENDAR: timedelta(hours=3),
    AppointmentKind.INDIVIDUAL_HEARING: timedelta(hours=4),
    AppointmentKind.BOND_HEARING: timedelta(hours=2),
    AppointmentKind.ICE_CHECK_IN: timedelta(hours=2),
    AppointmentKind.SUPERVISION_CHECK_IN: timedelta(hours=2),
    AppointmentKind.BOND_PAYMENT: timedelta(hours=2),
    AppointmentKind.DETENTION_VISIT: timedelta(hours=1, minutes=30),
    AppointmentKind.USCIS_APPOINTMENT: timedelta(hours=2),
    AppointmentKind.OTHER: timedelta(hours=2),
}
ARRIVE_EARLY = timedelta(minutes=45)  # security lines
DRIVE_TIME = timedelta(hours=1, minutes=15)


class SlotsBelowClaims(DomainError):
    """Fewer slots than volunteers already holding the shift."""

    def __init__(self, held: int):
        super().__init__(
            f"{held} volunteer{'s' if held != 1 else ''} already hold{'s' if held == 1 else ''} this shift: "
            f"slots cannot go below {held}. Release a volunteer first."
        )


class NotScheduled(DomainError):
    message = N_("This appointment is already cancelled or closed, so it cannot be changed this way.")


def check_changeable(appointment: Appointment) -> None:
    """Shifts change only on appointments still to come (scheduled, or a draft under review)."""
    if appointment.status not in (AppointmentStatus.SCHEDULED, AppointmentStatus.DRAFT):
        raise NotScheduled()


class BadShiftWindow(DomainError):
    message = N_("A shift must end after it starts.")


@dataclass(frozen=True)
class ShiftPlan:
    """One shift as a coordinator sees it in the form: proposed, then edited."""

    role: ShiftRole
    starts_at: datetime
    ends_at: datetime
    meeting_point: str = ""
    slots: int = 1
    requires_car: bool = False
    language: Language | None = None
    requires_training: bool = False
    requires_obligor: bool = False
    notes: str = ""


# A proposal's meeting point, marked for the catalogs: the page that proposes it words it in its
# language (`words=gettext`); elsewhere (a family's ride request by text) it stays in English.
MEETING_POINTS = {
    "home": N_("Family's home"),
    "home_in": N_("Family's home, %(town)s"),
    "outside": N_("Outside %(place)s"),
    "remote": N_("By phone or video"),
}


def as_written(text: str, **values: object) -> str:
    """`text` with its values, in English (what `words` is when nobody translates)."""
    return text % values if values else text


def propose_shift(
    role: ShiftRole,
    *,
    kind: AppointmentKind,
    starts_at: datetime,
    location_name: str,
    location_kind: LocationKind,
    town: str,
    interpreter_language: Language | None,
    family_language: Language | None,
    mode: AttendanceMode = AttendanceMode.IN_PERSON,
    words: Callable[..., str] = as_written,
) -> ShiftPlan:
    """A sensible default for `role`, from the appointment and its place; the coordinator edits it.
    `words` words the meeting point (MEETING_POINTS)."""
    length = TYPICAL_LENGTH[kind]
    outside = (words(MEETING_POINTS["outside"], place=location_name) if mode == AttendanceMode.IN_PERSON
               else words(MEETING_POINTS["remote"]))
    home = words(MEETING_POINTS["home_in"], town=town) if town else words(MEETING_POINTS["home"])
    at_court = location_kind == LocationKind.IMMIGRATION_COURT
    if role == ShiftRole.RIDE_THERE:
        return ShiftPlan(role, starts_at - ARRIVE_EARLY - DRIVE_TIME, starts_at - ARRIVE_EARLY + timedelta(minutes=15),
                         meeting_point=home, requires_car=True)
    if role == ShiftRole.RIDE_HOME:
        return ShiftPlan(role, starts_at + length - timedelta(minutes=30), starts_at + length + DRIVE_TIME,
                         meeting_point=outside, requires_car=True)
    if role == ShiftRole.INTERPRETER:
        return ShiftPlan(role, starts_at - ARRIVE_EARLY, starts_at + length, meeting_point=outside,
                         language=interpreter_language or language_with(family_language))
    if role == ShiftRole.BOND_HELP:
        return ShiftPlan(role, starts_at - ARRIVE_EARLY, starts_at + length, meeting_point=outside,
                         requires_obligor=True)
    if role == ShiftRole.VISIT:
        return ShiftPlan(role, starts_at - timedelta(minutes=30), starts_at + length, meeting_point=outside,
                         language=language_with(family_language))
    return ShiftPlan(role, starts_at - ARRIVE_EARLY, starts_at + length, meeting_point=outside,
                     requires_training=at_court, language=language_with(family_language))


def language_with(family_language: Language | None) -> Language | None:
    """The language a volunteer who spends the appointment with the family (companion, visitor,
    interpreter) needs: the family's own, unless it is English or not known. Rides and bond help
    are proposed without one (a car or an obligor is what they need); the coordinator can add it."""
    return family_language if family_language not in (None, Language.ENGLISH, Language.OTHER) else None


def propose_shifts(appointment_like, roles: list[ShiftRole], *, family_language: Language | None, town: str,
                   words: Callable[..., str] = as_written) -> list[ShiftPlan]:
    """Default plans for several roles of one appointment (an Appointment or its form data)."""
    location = appointment_like.location
    return [
        propose_shift(
            role, kind=appointment_like.kind, starts_at=appointment_like.starts_at,
            location_name=location.name, location_kind=location.kind, town=town,
            interpreter_language=appointment_like.interpreter_language,
            family_language=family_language, mode=appointment_like.mode, words=words,
        )
        for role in roles
    ]


def _apply(shift: Shift, plan: ShiftPlan) -> None:
    if plan.ends_at <= plan.starts_at:
        raise BadShiftWindow()
    if plan.slots < shift.filled:
        raise SlotsBelowClaims(shift.filled)
    shift.role = plan.role
    shift.starts_at, shift.ends_at = plan.starts_at, plan.ends_at
    shift.meeting_point = plan.meeting_point.strip()
    shift.slots = plan.slots
    shift.requires_car = plan.requires_car
    shift.language = plan.language
    shift.requires_training = plan.requires_training
    shift.requires_obligor = plan.requires_obligor
    shift.notes = plan.notes.strip()


def add_shift(appointment: Appointment, plan: ShiftPlan, *, by: User, now: datetime) -> Shift:
    """Add one shift to an appointment."""
    check_changeable(appointment)
    if plan.slots < 1:
        raise DomainError("A shift needs at least one slot.")
    shift = Shift(appointment=appointment, filled=0, created_at=now)
    _apply(shift, plan)
    db.session.add(shift)
    db.session.flush()
    record_event("shift.added", now=now, actor=by, subject=shift, appointment_id=appointment.id)
    return shift


def plan_of(shift: Shift) -> ShiftPlan:
    """The editable plan a shift currently has."""
    return ShiftPlan(
        role=shift.role, starts_at=shift.starts_at, ends_at=shift.ends_at,
        meeting_point=shift.meeting_point, slots=shift.slots, requires_car=shift.requires_car,
        language=shift.language, requires_training=shift.requires_training,
        requires_obligor=shift.requires_obligor, notes=shift.notes,
    )


def update_shift(shift: Shift, plan: ShiftPlan, *, by: User, now: datetime) -> None:
    """Change a shift; holders keep their claim, and their reminders follow a new time."""
    check_changeable(shift.appointment)
    if plan.slots < 1:
        raise DomainError("A shift needs at least one slot.")
    moved = (plan.starts_at, plan.ends_at) != (shift.starts_at, shift.ends_at)
    changed = sorted(
        name for name, value in vars(plan).items() if getattr(shift, name) != value
    )
    if not changed:
        return  # saved again as it is (the form sent twice): nothing to record
    _apply(shift, plan)
    db.session.flush()
    if moved:
        planning.cancel_shift_messages(shift)
        for claim in shift.claims:
            volunteer_texts.plan_moved_claim(claim, now=now)
    record_event("shift.changed", now=now, actor=by, subject=shift, fields=changed)


def move_shift(shift: Shift, delta: timedelta) -> None:
    """Move a shift in time with its appointment (the caller replans messages)."""
    _apply(shift, replace(plan_of(shift), starts_at=shift.starts_at + delta, ends_at=shift.ends_at + delta))


def remove_shift(shift: Shift, *, by: User, now: datetime) -> None:
    """Delete a shift; volunteers who held it are told it is no longer needed."""
    check_changeable(shift.appointment)
    planning.cancel_shift_messages(shift)
    if shift.starts_at > now:
        # The notice outlives the shift row, so it carries what it needs to say.
        about = {"role": shift.role.value, "starts_at": shift.starts_at.isoformat()}
        for claim in shift.claims:
            volunteer_texts.plan_volunteer_notice(
                claim, MessageKind.VOLUNTEER_CANCELLED, now=now, send_before=shift.starts_at, params=about
            )
    record_event(
        "shift.removed", now=now, actor=by, subject=shift, appointment_id=shift.appointment_id,
        holders=len(shift.claims),
    )
    db.session.delete(shift)
    db.session.flush()
