"""What a text says, read at send time from the current data (DESIGN §6.4): one small function per
message kind (the table FACTS) turns an outbox row into `Facts`; `rendering` turns those into words.

A row about something that is gone or no longer true (a cancelled appointment's reminder, a
released shift's "starting soon") raises `NothingToSay`, and the dispatcher cancels it. No family
name is read here, so none can reach a text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    HEARING_KINDS,
    MUST_ATTEND_KINDS,
    Appointment,
    AppointmentStatus,
    AttendanceMode,
    Bond,
    BondStatus,
    DetentionCase,
    LetterAsk,
    LetterDrive,
    MessageKind,
    OutboundMessage,
    Shift,
    ShiftRole,
    Task,
    TaskTaker,
    User,
    UserStatus,
    Wording,
)
from accompany.phones import format_national
from accompany.public_url import public_base_url
from accompany.services.casework.needs import count_due_soon
from accompany.services.messaging import audience, codes
from accompany.services.messaging.prefetch import ONE_BY_ONE, Lookups
from accompany.services.privacy.redaction import scrub_free_text
from accompany.services.scheduling.overview import hearings_to_verify, unfilled_slots_soon
from accompany.timezones import to_local


class NothingToSay(Exception):
    """The row's subject is gone or no longer true: cancel the row, send nothing."""


class UnknownKind(LookupError):
    """A row of a kind no template knows: a programming error, not a reason to stay silent."""


@dataclass(frozen=True)
class Facts:
    """What a text says, read from the current data; the catalog turns it into words."""

    key: str  # the template: the kind, or "kind.variant"
    tz_name: str
    starts_at: datetime | None = None  # the time the text is about
    place: str = ""
    plain: bool = False  # family set to plain wording: `{where}` names the place
    label: str = ""  # what a discreet family text calls the place ("" = it names none)
    arrive_early: int = 30  # minutes: a family reminder says the clock time to be there by
    bring: tuple[str, ...] = ()  # BringItem values
    stakes: str = ""  # "hearing" or "check_in": a family reminder says what missing it means
    video: bool = False
    role: str = ""  # a ShiftRole value
    escort: str = ""  # the confirmed volunteer's ShiftRole value
    volunteer: str = ""  # a volunteer's first name
    meeting: str = ""
    link: str = ""
    phone: str = ""  # the organization's help line, formatted
    count: int = 0  # open slots, for the daily digest
    checks: int = 0  # hearing dates due to be verified, for the daily digest
    needs: int = 0  # families' needs due this week or overdue, for the daily digest
    code: str = ""  # an urgent shift's reply code, or a one-time code
    minutes: int = 0  # how long a one-time code works
    message: str = ""  # a coordinator's own words
    days: int = 0  # days left until a letter drive's deadline


def recipient_timezone(message: OutboundMessage) -> str:
    """Family texts in the family's time zone; everyone else's in the organization's."""
    if message.family is not None:
        return audience.family_timezone(message.family)
    return audience.org_timezone()


# -- facts: what is true now ------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a row is about, read once from the current data for its kind's facts function."""

    message: OutboundMessage
    appointment: Appointment | None
    shift: Shift | None
    params: dict
    now: datetime
    lookups: Lookups = ONE_BY_ONE  # what else it asks (held shifts), row by row or read for a batch


def gather_facts(message: OutboundMessage, *, now: datetime, lookups: Lookups = ONE_BY_ONE) -> Facts:
    """Read what `message` is about, as it is now (from the session when `lookups` read it for a batch)."""
    read_facts = _facts_function(message.kind)
    if message.family is None and message.user is None:
        raise NothingToSay(N_("the recipient is gone"))
    subject = Subject(
        message=message,
        appointment=db.session.get(Appointment, message.appointment_id) if message.appointment_id else None,
        shift=db.session.get(Shift, message.shift_id) if message.shift_id else None,
        params=message.params or {},
        now=now,
        lookups=lookups,
    )
    base = Facts(key=message.kind, tz_name=recipient_timezone(message),
                 phone=format_national(current_app.config.get("ORG_HELP_PHONE")))
    return read_facts(base, subject)


def _facts_function(kind: MessageKind) -> Callable[[Facts, Subject], Facts]:
    """`kind`'s entry in FACTS; a family reminder at other configured days reads like the 7/3/1-day ones."""
    if kind in FACTS:
        return FACTS[kind]
    if kind.is_family_reminder:
        return _family_appointment_ahead
    raise UnknownKind(f"no template for message kind {kind!r}")


# -- each kind's facts (the table FACTS, below, says which kind reads which) ---------------------------


def _family_appointment_ahead(base: Facts, subject: Subject) -> Facts:
    """A reminder, or the new time of a rescheduled appointment: while it is still ahead."""
    return _family_appointment(base, _upcoming(subject.appointment, now=subject.now), subject.message)


def _family_volunteer_confirmed(base: Facts, subject: Subject) -> Facts:
    """Who will go with them; a ride there says its pickup time rather than the appointment's."""
    appointment = _upcoming(subject.appointment, now=subject.now)
    volunteer, shift = _confirmed_volunteer(appointment, subject.params.get("volunteer_id"), subject.lookups)
    facts = replace(_family_appointment(base, appointment, subject.message), volunteer=volunteer,
                    escort=shift.role.value)
    if shift.role == ShiftRole.RIDE_THERE:
        if shift.starts_at <= subject.now:
            raise NothingToSay(N_("the pickup time has passed"))
        facts = replace(facts, starts_at=shift.starts_at)
    return facts


def _family_cancelled(base: Facts, subject: Subject) -> Facts:
    appointment = subject.appointment
    if appointment is None or appointment.status != AppointmentStatus.CANCELLED:
        raise NothingToSay(N_("the appointment is not cancelled"))
    return _family_appointment(base, appointment, subject.message)


def _volunteer_shift_ahead(base: Facts, subject: Subject) -> Facts:
    """Claimed, the evening before, soon, rescheduled: a shift the volunteer still holds, ahead."""
    shift = _held_upcoming_shift(subject, now=subject.now)
    return replace(
        base, starts_at=shift.starts_at, role=shift.role.value,
        place=shift.appointment.location.name,
        meeting=scrub_free_text(shift.meeting_point, shift.appointment.family.name),
        link=_link(f"/my/shifts/{shift.id}"),
    )


def _volunteer_cancelled(base: Facts, subject: Subject) -> Facts:
    """From the shift while it exists; from what planning left in `params` once it is deleted."""
    shift, appointment, params = subject.shift, subject.appointment, subject.params
    if shift is not None:
        return replace(base, starts_at=shift.starts_at, role=shift.role.value,
                       place=shift.appointment.location.name)
    role, starts_at = params.get("role"), params.get("starts_at")
    if not role or not starts_at:
        raise NothingToSay(N_("the shift is gone and the row does not say what it was"))
    place = appointment.location.name if appointment is not None else ""
    return replace(
        base, key=base.key if place else f"{base.key}.no_place",
        starts_at=datetime.fromisoformat(starts_at), role=role, place=place,
    )


def _volunteer_urgent_ask(base: Facts, subject: Subject) -> Facts:
    shift, message = _open_shift(subject.shift, now=subject.now), subject.message
    if message.user is not None and any(claim.volunteer_id == message.user_id for claim in shift.claims):
        raise NothingToSay(N_("the volunteer holds this shift already"))
    # No meeting point: it is often the family's home, and only holders see it (DESIGN §3).
    return replace(base, starts_at=shift.starts_at, role=shift.role.value,
                   place=shift.appointment.location.name, code=subject.params.get("code", ""))


def _volunteer_approved(base: Facts, subject: Subject) -> Facts:
    volunteer = subject.message.user
    if volunteer is None or volunteer.status != UserStatus.ACTIVE:
        raise NothingToSay(N_("the volunteer is no longer active"))
    return replace(base, link=_link("/shifts"))


def _one_time_code(base: Facts, subject: Subject) -> Facts:
    """The code is made now, as the text goes (codes.py): it never waits in the database."""
    code = codes.code_for(subject.message)
    if code is None or not code.live:
        raise NothingToSay(N_("the code was used, replaced or given up on"))
    return replace(base, code=codes.make_code(code, now=subject.now), minutes=codes.code_minutes())


def _coordinator_detained(base: Facts, subject: Subject) -> Facts:
    appointment = subject.appointment
    if appointment is None:
        raise NothingToSay(N_("the appointment is gone"))
    return replace(
        base, starts_at=appointment.starts_at, place=appointment.location.name,
        link=_link(f"/coordinator/appointments/{appointment.id}"),
    )


def _coordinator_late_release(base: Facts, subject: Subject) -> Facts:
    shift = subject.shift
    if (shift is None or shift.appointment.status != AppointmentStatus.SCHEDULED
            or shift.ends_at <= subject.now or shift.filled >= shift.slots):
        raise NothingToSay(N_("the shift is gone, over, or filled again"))
    return replace(
        base, starts_at=shift.starts_at, role=shift.role.value, place=shift.appointment.location.name,
        link=_link(f"/coordinator/appointments/{shift.appointment_id}"),
    )


def _coordinator_unfilled_digest(base: Facts, subject: Subject) -> Facts:
    count = unfilled_slots_soon(now=subject.now)
    checks = len(hearings_to_verify(now=subject.now, days=current_app.config["HEARING_VERIFY_DAYS"]))
    needs = count_due_soon(today=audience.org_today(subject.now))
    if not count and not checks and not needs:
        raise NothingToSay(N_("every slot is filled, every hearing date due is verified and no need is due"))
    if not count and not checks:
        key = f"{base.key}.needs_only"
    else:
        key = base.key if not checks else f"{base.key}.checks" if count else f"{base.key}.checks_only"
    return replace(base, key=key, count=count, checks=checks, needs=needs, link=_link("/"))


def _coordinator_unverified_hearing(base: Facts, subject: Subject) -> Facts:
    """A hearing tomorrow whose date nobody has checked with the court: while that is still so."""
    appointment = _upcoming(subject.appointment, now=subject.now)
    if appointment.verified_on is not None:
        raise NothingToSay(N_("the date has been verified since"))
    return replace(base, starts_at=appointment.starts_at, place=appointment.location.name,
                   link=_link(f"/coordinator/appointments/{appointment.id}#verify"))


def _coordinator_ride_request(base: Facts, subject: Subject) -> Facts:
    appointment = _upcoming(subject.appointment, now=subject.now)
    return replace(base, starts_at=appointment.starts_at, place=appointment.location.name,
                   link=_link(f"/coordinator/appointments/{appointment.id}"))


def _coordinator_urgent_unfilled(base: Facts, subject: Subject) -> Facts:
    shift = _open_shift(subject.shift, now=subject.now)
    return replace(base, starts_at=shift.starts_at, role=shift.role.value,
                   place=shift.appointment.location.name, link=_link(f"/coordinator/shifts/{shift.id}/assign"))


def _coordinator_family_stopped(base: Facts, subject: Subject) -> Facts:
    """A family said STOP: which appointment ahead of them no reminder will reach now."""
    appointment = _upcoming(subject.appointment, now=subject.now)
    return replace(base, starts_at=appointment.starts_at, place=appointment.location.name,
                   link=_link(f"/coordinator/families/{appointment.family_id}"))


def _coordinator_task_done(base: Facts, subject: Subject) -> Facts:
    """A volunteer marked a task done: while that is still so. No title: it is a coordinator's words."""
    task = db.session.get(Task, subject.params.get("task_id") or 0)
    taker = db.session.get(TaskTaker, subject.params.get("taker_id") or 0)
    if task is None or taker is None or taker.task_id != task.id or taker.done_at is None:
        raise NothingToSay(N_("the task or its report is gone"))
    return replace(base, link=_link(f"/coordinator/needs/{task.need_id}"))


def _coordinator_task_given_back(base: Facts, subject: Subject) -> Facts:
    """A task given back late: while it still waits for someone and its need is still live."""
    task = db.session.get(Task, subject.params.get("task_id") or 0)
    if task is None or not task.need.status.is_live or not task.has_free_place:
        raise NothingToSay(N_("the task is gone, its need is settled, or someone took it again"))
    return replace(base, link=_link(f"/coordinator/needs/{task.need_id}"))
def _volunteer_obligor_hearing(base: Facts, subject: Subject) -> Facts:
    """To a bond's volunteer obligor: a hearing of the bonded person's family is coming, while the
    bond is paid and stands and they are still its obligor. No name: the place and the time."""
    appointment = _upcoming(subject.appointment, now=subject.now)
    bond = db.session.get(Bond, subject.params.get("bond_id") or 0)
    if bond is None or bond.obligor_id is None or bond.obligor_id != subject.message.user_id:
        raise NothingToSay(N_("the bond is gone or has another obligor"))
    if bond.status not in (BondStatus.PAID, BondStatus.RELEASED, BondStatus.ONGOING):
        raise NothingToSay(N_("the bond is not paid, or has ended"))
    return replace(base, starts_at=appointment.starts_at, place=appointment.location.name)


def _urgent_reply(base: Facts, subject: Subject) -> Facts:
    """Covered, declined, not possible: which shift the volunteer answered about."""
    if subject.shift is None:
        raise NothingToSay(N_("the shift is gone"))
    return replace(base, starts_at=subject.shift.starts_at, role=subject.shift.role.value)


def _appointment_reply(base: Facts, subject: Subject) -> Facts:
    """A family's "1" or "2" answered: about their appointment still ahead, else without one."""
    appointment = subject.appointment
    if appointment is None or appointment.status != AppointmentStatus.SCHEDULED or appointment.starts_at <= subject.now:
        return replace(base, key=f"{base.key}.no_appointment")
    return replace(base, starts_at=appointment.starts_at)


def _staff_reply(base: Facts, subject: Subject) -> Facts:
    if not subject.message.body:
        raise NothingToSay(N_("the reply has no words"))
    return replace(base, message=subject.message.body)


def _volunteer_letter_reminder(base: Facts, subject: Subject) -> Facts:
    """An asked volunteer's letter of support: while it is not in and the drive is open."""
    drive = _open_letter_drive(subject)
    ask = db.session.get(LetterAsk, subject.params.get("ask_id") or 0)
    if ask is None or ask.drive_id != drive.id or ask.volunteer_id != subject.message.user_id:
        raise NothingToSay(N_("the volunteer is no longer asked by this drive"))
    if ask.letter is not None:
        raise NothingToSay(N_("their letter is in"))
    return _letters_due(base, drive, subject.now)


def _coordinator_letter_contacts(base: Facts, subject: Subject) -> Facts:
    """How many community contacts asked for a letter have not sent it (the owner reminds them)."""
    drive = _open_letter_drive(subject)
    waiting = sum(1 for ask in drive.asks if ask.volunteer_id is None and ask.letter is None)
    if not waiting:
        raise NothingToSay(N_("every community contact's letter is in"))
    return replace(_letters_due(base, drive, subject.now), count=waiting,
                   link=_link(f"/coordinator/letter-drives/{drive.id}"))
def _detention_case(subject: Subject) -> DetentionCase:
    case = db.session.get(DetentionCase, subject.params.get("case_id") or 0)
    if case is None:
        raise NothingToSay(N_("the case is gone"))
    return case


def _detention_alert(base: Facts, subject: Subject) -> Facts:
    """A step of the alert chain: only while nobody has acknowledged the case (an acknowledgement
    committed before the step is claimed stops it here, whoever's scheduler claims it)."""
    case = _detention_case(subject)
    if not case.is_open or case.acknowledged_at is not None:
        raise NothingToSay(N_("the case is acknowledged or closed"))
    place = case.last_seen_location.name if case.last_seen_location is not None else ""
    code = " ".join(case.code) if subject.message.kind.is_voice_call else case.code  # spoken letter by letter
    return replace(base, key=base.key if place else f"{base.key}.no_place", code=code, place=place,
                   link=_link(f"/coordinator/detentions/{case.id}"))


def _detention_acknowledged(base: Facts, subject: Subject) -> Facts:
    """The answer to "OK K7Q": thanks, or who acknowledged it first."""
    case = _detention_case(subject)
    first = case.acknowledged_by
    if first is None or first.id == subject.message.user_id:
        return replace(base, code=case.code, link=_link(f"/coordinator/detentions/{case.id}"))
    return replace(base, key=f"{base.key}.already", code=case.code, volunteer=first.first_name or "",
                   link=_link(f"/coordinator/detentions/{case.id}"))


def _detention_reported(base: Facts, subject: Subject) -> Facts:
    """The answer to a volunteer's DETAINED text: the case is open, the coordinators are told."""
    case = _detention_case(subject)
    return replace(base, code=case.code, link=_link(f"/my/detentions/{case.id}"))


# Which facts each kind of row says. (A family reminder at other configured days reads like these.)
FACTS: dict[MessageKind, Callable[[Facts, Subject], Facts]] = {
    MessageKind.FAMILY_REMINDER_7D: _family_appointment_ahead,
    MessageKind.FAMILY_REMINDER_3D: _family_appointment_ahead,
    MessageKind.FAMILY_REMINDER_1D: _family_appointment_ahead,
    MessageKind.FAMILY_VOLUNTEER_CONFIRMED: _family_volunteer_confirmed,
    MessageKind.FAMILY_RESCHEDULED: _family_appointment_ahead,
    MessageKind.FAMILY_CANCELLED: _family_cancelled,
    MessageKind.VOLUNTEER_CLAIMED: _volunteer_shift_ahead,
    MessageKind.VOLUNTEER_EVENING_BEFORE: _volunteer_shift_ahead,
    MessageKind.VOLUNTEER_SOON: _volunteer_shift_ahead,
    MessageKind.VOLUNTEER_RESCHEDULED: _volunteer_shift_ahead,
    MessageKind.VOLUNTEER_CANCELLED: _volunteer_cancelled,
    MessageKind.VOLUNTEER_URGENT_ASK: _volunteer_urgent_ask,
    MessageKind.VOLUNTEER_APPROVED: _volunteer_approved,
    MessageKind.COORDINATOR_DETAINED: _coordinator_detained,
    MessageKind.COORDINATOR_LATE_RELEASE: _coordinator_late_release,
    MessageKind.COORDINATOR_UNFILLED_DIGEST: _coordinator_unfilled_digest,
    MessageKind.COORDINATOR_RIDE_REQUEST: _coordinator_ride_request,
    MessageKind.COORDINATOR_URGENT_UNFILLED: _coordinator_urgent_unfilled,
    MessageKind.COORDINATOR_FAMILY_STOPPED: _coordinator_family_stopped,
    MessageKind.COORDINATOR_UNVERIFIED_HEARING: _coordinator_unverified_hearing,
    MessageKind.VOLUNTEER_OBLIGOR_HEARING: _volunteer_obligor_hearing,
    MessageKind.REPLY_CONFIRMED: _appointment_reply,
    MessageKind.REPLY_RIDE: _appointment_reply,
    MessageKind.REPLY_URGENT_COVERED: _urgent_reply,
    MessageKind.REPLY_URGENT_DECLINED: _urgent_reply,
    MessageKind.REPLY_URGENT_NOT_POSSIBLE: _urgent_reply,
    MessageKind.STAFF_REPLY: _staff_reply,
    # Letters of support (services/casework/letters.py).
    MessageKind.VOLUNTEER_LETTER_REMINDER: _volunteer_letter_reminder,
    MessageKind.COORDINATOR_LETTER_CONTACTS: _coordinator_letter_contacts,
    MessageKind.PHONE_CODE: _one_time_code,
    MessageKind.PASSWORD_CODE: _one_time_code,
    # Detention response (issue 15).
    MessageKind.DETENTION_ALERT: _detention_alert,
    MessageKind.DETENTION_ESCALATED: _detention_alert,
    MessageKind.DETENTION_ALERT_ALL: _detention_alert,
    MessageKind.DETENTION_VOICE_CALL: _detention_alert,
    MessageKind.REPLY_DETENTION_ACKNOWLEDGED: _detention_acknowledged,
    MessageKind.REPLY_DETENTION_REPORTED: _detention_reported,
    # casework (issue 14)
    MessageKind.COORDINATOR_TASK_DONE: _coordinator_task_done,
    MessageKind.COORDINATOR_TASK_GIVEN_BACK: _coordinator_task_given_back,
}
# The kinds an outbox row can be.
KINDS = tuple(FACTS)


# -- what the facts functions share -----------------------------------------------------------------


def _open_shift(shift: Shift | None, *, now: datetime) -> Shift:
    """A shift still waiting for a volunteer: scheduled, not begun, a slot free."""
    if shift is None or not shift.is_claimable(now):
        raise NothingToSay(N_("the shift is gone, begun, or filled"))
    return shift


def _upcoming(appointment: Appointment | None, *, now: datetime) -> Appointment:
    if appointment is None or appointment.status != AppointmentStatus.SCHEDULED:
        raise NothingToSay(N_("the appointment is gone or no longer scheduled"))
    if appointment.starts_at <= now:
        raise NothingToSay(N_("the appointment has begun"))
    return appointment


def _family_appointment(base: Facts, appointment: Appointment, message: OutboundMessage) -> Facts:
    family = message.family
    if family is None:
        raise NothingToSay(N_("family texts need a family"))
    location = appointment.location
    stakes = ("hearing" if appointment.kind in HEARING_KINDS
              else "check_in" if appointment.kind in MUST_ATTEND_KINDS else "")
    return replace(
        base,
        starts_at=appointment.starts_at,
        place=location.name,
        label=location.discreet_label.strip(),
        arrive_early=location.arrive_minutes_early,
        bring=tuple(item.value for item in location.bring_items),
        stakes=stakes,
        plain=family.wording == Wording.PLAIN,
        video=appointment.mode == AttendanceMode.VIDEO,
    )


def _confirmed_volunteer(appointment: Appointment, volunteer_id, lookups: Lookups) -> tuple[str, Shift]:
    """The volunteer's first name and their first shift, if they still hold one of this appointment."""
    if volunteer_id is None:
        raise NothingToSay(N_("no volunteer named"))
    volunteer = db.session.get(User, volunteer_id)
    shift = lookups.first_held_shift(appointment.id, volunteer_id)
    if volunteer is None or shift is None or not volunteer.first_name:
        raise NothingToSay(N_("the volunteer no longer holds a shift for this appointment"))
    return volunteer.first_name, shift


def _held_upcoming_shift(subject: Subject, *, now: datetime) -> Shift:
    shift, volunteer = subject.shift, subject.message.user
    if shift is None or volunteer is None:
        raise NothingToSay(N_("the shift is gone"))
    if not shift.is_open(now):
        raise NothingToSay(N_("the shift is no longer ahead"))
    if not subject.lookups.holds(shift.id, volunteer.id):
        raise NothingToSay(N_("the volunteer no longer holds this shift"))
    return shift


def _open_letter_drive(subject: Subject) -> LetterDrive:
    drive = db.session.get(LetterDrive, subject.params.get("drive_id") or 0)
    if drive is None or not drive.is_open:
        raise NothingToSay(N_("the letter drive is gone or closed"))
    if drive.appointment.status == AppointmentStatus.CANCELLED:
        raise NothingToSay(N_("the hearing is cancelled"))
    return drive


def _letters_due(base: Facts, drive: LetterDrive, now: datetime) -> Facts:
    """The days left until the deadline, worded as "today", "tomorrow" or "in N days"."""
    days = (drive.deadline - to_local(now, base.tz_name).date()).days
    if days < 0:
        raise NothingToSay(N_("the deadline has passed"))
    key = base.key if days >= 2 else f"{base.key}.tomorrow" if days == 1 else f"{base.key}.today"
    return replace(base, key=key, days=days)


def _link(path: str) -> str:
    base_url = public_base_url()
    return f"{base_url}{path}" if base_url else ""
