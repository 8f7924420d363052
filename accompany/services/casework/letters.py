"""Letters of support for a hearing (issue 14, point 4): a drive with a target and a deadline, who
was asked (volunteers, and community contacts by a sealed name only), and the letters received.

Reminders are outbox rows planned with the change that calls for them (DESIGN §6): each asked
volunteer whose letter is not in is texted a week and two days before the deadline; on the same
two days the drive's owner is told how many community contacts are still to be reminded (we keep
no phone for people outside the network, so the owner reminds them in person). At send time the
texts say nothing when the letter is in or the drive is closed (messaging/facts.py). No text names
the family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    HEARING_KINDS,
    Appointment,
    AppointmentStatus,
    Family,
    LetterAsk,
    LetterDrive,
    MessageKind,
    OutboundMessage,
    Role,
    SupportLetter,
    User,
    UserStatus,
)
from accompany.services.errors import DomainError
from accompany.services.inputs import trimmed
from accompany.services.messaging import planning
from accompany.services.messaging.audience import org_timezone, org_today, user_may_be_texted
from accompany.services.privacy.audit import record_event
from accompany.timezones import from_local, to_local

TARGET_MAX = 100
NAME_MAX, RELATIONSHIP_MAX = 120, 80
DEADLINE_LEAD = timedelta(days=7)  # the default deadline: a week before the hearing
REMINDER_DAYS = (7, 2)  # reminders this many days before the deadline
REMINDER_HOUR = 10  # local time of day (the organization's zone)
PURGED_NAME = "Purged"


# -- errors ----------------------------------------------------------------------------------------


class LetterError(DomainError):
    """A letter-drive rule said no."""


class NotAHearing(LetterError):
    message = N_("Letters of support are collected for a court hearing: this appointment is not one.")


class HearingNotAhead(LetterError):
    message = N_("This hearing is cancelled or over: no letter drive can start for it.")


class DriveExists(LetterError):
    whole_request = True
    message = N_("This hearing has a letter drive already. Open it from the hearing's page.")


class TargetInvalid(LetterError):
    field = "target"
    message = N_("Enter how many letters you want, from 1 to %(most)s.")


class DeadlineInvalid(LetterError):
    field = "deadline"
    message = N_("Choose a deadline from today up to the day of the hearing.")


class OwnerInvalid(LetterError):
    field = "owner_id"
    message = N_("Choose a coordinator from the list to own the drive.")


class DriveClosed(LetterError):
    whole_request = True
    message = N_("This letter drive is closed: nothing more can be recorded on it.")


class VolunteerInvalid(LetterError):
    field = "volunteer_id"
    message = N_("Choose an active volunteer from the list, or type a community contact's name.")


class AlreadyAsked(LetterError):
    field = "volunteer_id"
    message = N_("This volunteer has been asked for a letter already.")


class ContactNameMissing(LetterError):
    field = "name"
    message = N_("Choose a volunteer, or type the community contact's name.")


class VolunteerOrContact(LetterError):
    field = "name"
    message = N_("Choose a volunteer or type a community contact's name, not both.")


class WriterNameMissing(LetterError):
    field = "writer_name"
    message = N_("Type the name of the person who wrote the letter.")


class AskInvalid(LetterError):
    field = "ask_id"
    message = N_("Choose someone from this drive's list, or “someone not asked”.")


class LetterAlreadyIn(LetterError):
    field = "ask_id"
    message = N_("A letter from this person is recorded already.")


class ReceivedDateInvalid(LetterError):
    field = "received_on"
    message = N_("Enter the day the letter came: today or earlier.")


# -- reading ---------------------------------------------------------------------------------------


def hearing_day(appointment: Appointment) -> date:
    return to_local(appointment.starts_at, appointment.location.timezone).date()


def default_deadline(appointment: Appointment) -> date:
    """A week before the hearing."""
    return hearing_day(appointment) - DEADLINE_LEAD


def drive_for(appointment: Appointment) -> LetterDrive | None:
    return db.session.scalar(select(LetterDrive).where(LetterDrive.appointment_id == appointment.id))


def family_drives(family: Family) -> list[LetterDrive]:
    """The drives for `family`'s hearings, the latest hearing first."""
    return list(db.session.scalars(
        select(LetterDrive).join(Appointment, Appointment.id == LetterDrive.appointment_id)
        .where(Appointment.family_id == family.id).order_by(Appointment.starts_at.desc())
    ))


def staff_choices() -> list[User]:
    """Who may own a drive: active coordinators and admins."""
    return list(db.session.scalars(
        select(User).where(User.role.in_([Role.COORDINATOR, Role.ADMIN]), User.status == UserStatus.ACTIVE)
        .order_by(func.lower(User.name))
    ))


def volunteers_to_ask(drive: LetterDrive) -> list[User]:
    """Active volunteers not asked by this drive yet."""
    asked = select(LetterAsk.volunteer_id).where(LetterAsk.drive_id == drive.id, LetterAsk.volunteer_id.is_not(None))
    return list(db.session.scalars(
        select(User).where(User.role == Role.VOLUNTEER, User.status == UserStatus.ACTIVE, User.id.not_in(asked))
        .order_by(func.lower(User.name))
    ))


# -- changing --------------------------------------------------------------------------------------


@dataclass
class DriveDetails:
    """What a coordinator sets on a drive."""

    target: int | None
    deadline: date | None
    owner_id: int | None


def _checked(details: DriveDetails, appointment: Appointment, *, now: datetime,
             current: LetterDrive | None = None) -> dict:
    if details.target is None or not 1 <= details.target <= TARGET_MAX:
        raise TargetInvalid(most=TARGET_MAX)
    deadline = details.deadline
    unchanged = current is not None and deadline == current.deadline
    if deadline is None or deadline > hearing_day(appointment) or (deadline < org_today(now) and not unchanged):
        raise DeadlineInvalid()
    owner = db.session.get(User, details.owner_id) if details.owner_id else None
    if owner is None or owner not in staff_choices():
        raise OwnerInvalid()
    return {"target": details.target, "deadline": deadline, "owner_id": owner.id}


def _open(drive: LetterDrive) -> None:
    if not drive.is_open:
        raise DriveClosed()


def start_drive(appointment: Appointment, details: DriveDetails, *, by: User, now: datetime) -> LetterDrive:
    """Start collecting letters for a hearing still ahead (one drive per hearing)."""
    if appointment.kind not in HEARING_KINDS:
        raise NotAHearing()
    if appointment.status != AppointmentStatus.SCHEDULED or appointment.starts_at <= now:
        raise HearingNotAhead()
    if drive_for(appointment) is not None:
        raise DriveExists()
    drive = LetterDrive(appointment=appointment, created_by_id=by.id, created_at=now,
                        **_checked(details, appointment, now=now))
    db.session.add(drive)
    db.session.flush()  # a drive started at the same moment fails here, on the unique hearing
    record_event("letter_drive.started", now=now, actor=by, subject=drive)
    return drive


def update_drive(drive: LetterDrive, details: DriveDetails, *, by: User, now: datetime) -> list[str]:
    """Change the target, deadline or owner; a new deadline or owner re-plans the reminders."""
    _open(drive)
    values = _checked(details, drive.appointment, now=now, current=drive)
    changed = [name for name, value in values.items() if getattr(drive, name) != value]
    if not changed:
        return []
    for name, value in values.items():
        setattr(drive, name, value)
    db.session.flush()
    if {"deadline", "owner_id"} & set(changed):
        cancel_reminders(drive)
        plan_reminders(drive, now=now)
    record_event("letter_drive.updated", now=now, actor=by, subject=drive, fields=changed)
    return changed


def close_drive(drive: LetterDrive, *, by: User, now: datetime) -> None:
    """No more letters are collected: its reminders are cancelled."""
    _open(drive)
    drive.closed_at = now
    db.session.flush()  # a version check: a drive closed meanwhile fails here
    cancel_reminders(drive)
    record_event("letter_drive.closed", now=now, actor=by, subject=drive)


def ask_for_letter(drive: LetterDrive, *, volunteer_id: int | None, name: str, relationship: str, by: User,
                   now: datetime) -> LetterAsk:
    """A volunteer chosen from the list, or a community contact typed by name."""
    if volunteer_id and (name or "").strip():
        raise VolunteerOrContact()
    if volunteer_id:
        return ask_volunteer(drive, volunteer_id, by=by, now=now)
    return ask_contact(drive, name, relationship, by=by, now=now)


def ask_volunteer(drive: LetterDrive, volunteer_id: int | None, *, by: User, now: datetime) -> LetterAsk:
    """Note that a volunteer was asked for a letter, and plan their reminders."""
    _open(drive)
    volunteer = db.session.get(User, volunteer_id) if volunteer_id else None
    if volunteer is None or volunteer.role != Role.VOLUNTEER or volunteer.status != UserStatus.ACTIVE:
        raise VolunteerInvalid()
    if any(ask.volunteer_id == volunteer.id for ask in drive.asks):
        raise AlreadyAsked()
    ask = LetterAsk(drive=drive, volunteer=volunteer, relationship_to_family="Volunteer", asked_at=now,
                    asked_by_id=by.id)
    db.session.add(ask)
    db.session.flush()  # the same volunteer asked at the same moment fails here (unique per drive)
    plan_reminders(drive, now=now)
    record_event("letter_drive.asked", now=now, actor=by, subject=drive, volunteer=True)
    return ask


def ask_contact(drive: LetterDrive, name: str, relationship: str, *, by: User, now: datetime) -> LetterAsk:
    """Note that someone outside the network was asked: their name (sealed) and how they know the
    family; no phone. The owner is reminded to remind them in person."""
    _open(drive)
    name = trimmed(name, "name", NAME_MAX)
    if not name:
        raise ContactNameMissing()
    ask = LetterAsk(drive=drive, contact_name=name, relationship_to_family=trimmed(relationship, "relationship",
                                                                                    RELATIONSHIP_MAX),
                    asked_at=now, asked_by_id=by.id)
    db.session.add(ask)
    db.session.flush()
    plan_reminders(drive, now=now)
    record_event("letter_drive.asked", now=now, actor=by, subject=drive, volunteer=False)
    return ask


def record_letter(drive: LetterDrive, *, ask_id: int | None, writer_name: str, relationship: str,
                  received_on: date | None, by: User, now: datetime) -> SupportLetter:
    """A letter came in: from someone asked (`ask_id`; their reminders stop) or from someone else."""
    _open(drive)
    if received_on is None or received_on > org_today(now):
        raise ReceivedDateInvalid()
    ask = None
    if ask_id:
        ask = next((candidate for candidate in drive.asks if candidate.id == ask_id), None)
        if ask is None:
            raise AskInvalid()
        if ask.letter is not None:
            raise LetterAlreadyIn()
        # Who wrote it is on the ask already: no second copy of their name.
        letter = SupportLetter(drive=drive, ask=ask, writer_name=None,
                               relationship_to_family=ask.relationship_to_family, received_on=received_on,
                               recorded_at=now, recorded_by_id=by.id)
    else:
        writer_name = trimmed(writer_name, "writer_name", NAME_MAX)
        if not writer_name:
            raise WriterNameMissing()
        letter = SupportLetter(drive=drive, writer_name=writer_name,
                               relationship_to_family=trimmed(relationship, "relationship", RELATIONSHIP_MAX),
                               received_on=received_on, recorded_at=now, recorded_by_id=by.id)
    db.session.add(letter)
    db.session.flush()  # one letter per ask: the same letter recorded at the same moment fails here
    if ask is not None and ask.volunteer_id is not None:
        planning.cancel_pending(_about(drive), OutboundMessage.dedupe_key.contains(f":ask:{ask.id}:"))
    record_event("letter_drive.letter_received", now=now, actor=by, subject=drive, asked=ask is not None)
    return letter


# -- reminders -------------------------------------------------------------------------------------


def _about(drive: LetterDrive):
    """The outbox rows about `drive` (their keys start with its id)."""
    return OutboundMessage.dedupe_key.startswith(f"letters:{drive.id}:")


def cancel_reminders(drive: LetterDrive) -> int:
    return planning.cancel_pending(_about(drive))


def _moments(drive: LetterDrive) -> list[tuple[int, datetime, datetime]]:
    """(days before, not before, send before) for each reminder: a week's reminder goes no later
    than the two-day one; the last, no later than the deadline's day."""
    zone = org_timezone()
    last = from_local(drive.deadline + timedelta(days=1), time(0), zone)
    moments = [from_local(drive.deadline - timedelta(days=days), time(REMINDER_HOUR), zone) for days in REMINDER_DAYS]
    return [(days, moment, moments[index + 1] if index + 1 < len(moments) else last)
            for index, (days, moment) in enumerate(zip(REMINDER_DAYS, moments, strict=True))]


def plan_reminders(drive: LetterDrive, *, now: datetime) -> list[OutboundMessage]:
    """The reminders still to come for every asked volunteer whose letter is not in, and for the
    owner while community contacts have not sent theirs. A reminder whose day has passed is not
    planned (asked five days before, one is asked on the two-day mark only)."""
    if not drive.is_open:
        return []
    base = f"letters:{drive.id}:{drive.deadline.isoformat()}"
    params = {"drive_id": drive.id}
    planned = []
    waiting = [ask for ask in drive.asks if ask.letter is None]
    for days, not_before, send_before in _moments(drive):
        if not_before < now:
            continue
        for ask in waiting:
            if ask.volunteer is not None and user_may_be_texted(ask.volunteer):
                planned.append(planning.plan_message(
                    f"{base}:ask:{ask.id}:{days}d", kind=MessageKind.VOLUNTEER_LETTER_REMINDER, now=now,
                    not_before=not_before, send_before=send_before, user=ask.volunteer,
                    params={**params, "ask_id": ask.id}))
        owner = drive.owner
        if owner is not None and user_may_be_texted(owner) and any(ask.volunteer_id is None for ask in waiting):
            planned.append(planning.plan_message(
                f"{base}:owner:{owner.id}:{days}d", kind=MessageKind.COORDINATOR_LETTER_CONTACTS, now=now,
                not_before=not_before, send_before=send_before, user=owner, params=params))
    return [row for row in planned if row is not None]


# -- retention -------------------------------------------------------------------------------------


def purge_family_letters(family: Family) -> int:
    """Anonymize the letters and asks of `family`'s drives (the purge, services/privacy/retention.py):
    names and relationships go; dates and counts stay. Returns how many drives."""
    drives = family_drives(family)
    for drive in drives:
        cancel_reminders(drive)
        for ask in drive.asks:
            if ask.contact_name is not None:
                ask.contact_name = PURGED_NAME
            ask.relationship_to_family = ""
        for letter in drive.letters:
            if letter.writer_name is not None:
                letter.writer_name = PURGED_NAME
            letter.relationship_to_family = ""
        for row in db.session.scalars(select(OutboundMessage).where(_about(drive))):
            row.body = None
    db.session.flush()
    return len(drives)


def drive_for_page(drive_id: int) -> LetterDrive | None:
    """A drive with what its page lists (asks, their volunteers and letters; letters and their
    asks) loaded in one query each, however many were asked."""
    return db.session.scalar(
        select(LetterDrive).where(LetterDrive.id == drive_id).options(
            selectinload(LetterDrive.asks).selectinload(LetterAsk.volunteer),
            selectinload(LetterDrive.asks).selectinload(LetterAsk.letter),
            selectinload(LetterDrive.letters).selectinload(SupportLetter.ask).selectinload(LetterAsk.volunteer),
            selectinload(LetterDrive.appointment), selectinload(LetterDrive.owner),
        )
    )
