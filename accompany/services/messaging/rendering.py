"""The one place that turns an outbox row into the words of a text (DESIGN §4, §6.4).

A row says who, what kind and what about (appointment, shift, `params`); the words are made at
send time from the current data, in the recipient's language. A text about something that has
changed says the new thing; a text about something that is gone or no longer true (a cancelled
appointment's reminder, a released shift's "starting soon") raises `NothingToSay`, and the
dispatcher cancels the row rather than send it.

Privacy: no family name is ever read here, so none can reach a body. Family texts say "your
appointment", the day, the time and the town; only a family set to plain wording is told the
place's name. Volunteers and coordinators get the role and the place.

Length: a text must fit in two SMS segments. The natural wording comes first; if it would not
fit (a long organization name, a Saturday in Spanish that turns the text into UCS-2), the date
is said the short way ("30/9"); then a name or place typed with letters outside GSM-7 is
written without its accents; only last do the optional sentences go (the gentle "missing it could
hurt your case", a volunteer's meeting point that the linked page also shows).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import ModuleType

from flask import current_app
from sqlalchemy import select

from accompany.database import db
from accompany.models import (
    Appointment,
    AppointmentStatus,
    AttendanceMode,
    Claim,
    Language,
    MessageKind,
    OutboundMessage,
    Shift,
    User,
    Wording,
)
from accompany.models.enums import FAMILY_REMINDER_KIND
from accompany.phones import format_national
from accompany.public_url import public_base_url
from accompany.services.messaging import planning
from accompany.services.messaging.segments import GSM_BASIC, GSM_EXTENSION, count_segments
from accompany.services.messaging.wording import CATALOGS, FALLBACK
from accompany.services.privacy.redaction import scrub_free_text
from accompany.services.scheduling.overview import unfilled_slots_soon
from accompany.timezones import to_local

# Answers about a phone number (HELP, STOP, START), given in the webhook's reply to whoever
# texted, known or not: they name the organization and say how to stop already.
NUMBER_REPLIES = (MessageKind.REPLY_HELP, MessageKind.STOP_CONFIRMATION, MessageKind.START_CONFIRMATION)
# A coordinator's reply answers someone who texted us: it goes exactly as written.
AS_WRITTEN = frozenset({MessageKind.STAFF_REPLY})

MAX_SEGMENTS = 2
ARRIVE_EARLY = timedelta(minutes=30)  # security lines and check-in queues
READY_EARLY = timedelta(minutes=10)  # for an appointment by video
# The ways to make a text fit, tried in order: (compact date, plain letters in values, keep the
# optional sentences). Our own words are GSM-7; a value typed by a person ("María", "Praça São
# João") may not be, and one such letter halves the room, so only then are its accents dropped.
# Last of all go a family reminder's "missing it could hurt your case" and a volunteer's meeting
# point (the linked shift page still has it).
FITTING = ((False, False, True), (True, False, True), (True, True, True), (True, True, False))


class NothingToSay(Exception):
    """The row's subject is gone or no longer true: cancel the row, send nothing."""


class UnknownKind(LookupError):
    """A row of a kind no template knows: a programming error, not a reason to stay silent."""


@dataclass(frozen=True)
class RenderedText:
    body: str
    language: Language  # the language actually used (the recipient's, else English)
    segments: int


@dataclass(frozen=True)
class Facts:
    """What a text says, read from the current data; the catalog turns it into words."""

    key: str  # the template: the kind, or "kind.variant"
    tz_name: str
    starts_at: datetime | None = None  # the time the text is about
    town: str = ""
    place: str = ""
    plain: bool = False  # family set to plain wording: `{where}` names the place
    video: bool = False
    role: str = ""  # a ShiftRole value
    escort: str = ""  # the confirmed volunteer's ShiftRole value
    volunteer: str = ""  # a volunteer's first name
    meeting: str = ""
    link: str = ""
    phone: str = ""  # the organization's help line, formatted
    count: int = 0  # open slots, for the daily digest
    code: str = ""  # an urgent shift's reply code
    message: str = ""  # a coordinator's own words


def render_text(message: OutboundMessage, *, now: datetime, first_contact: bool) -> RenderedText:
    """The body of `message` as it should go out now, or NothingToSay."""
    language = recipient_language(message)
    facts = gather_facts(message, now=now)
    if message.kind in AS_WRITTEN:
        return RenderedText(body=facts.message, language=language, segments=count_segments(facts.message))
    return _fitted(CATALOGS[language.value], message.kind, facts, language, now=now, first_contact=first_contact)


def render_number_reply(kind: MessageKind, language: str, *, now: datetime) -> RenderedText:
    """The answer to HELP, STOP or START, in `language` (the language of the word they sent:
    answering in a language we know them by would tell a stranger the number is ours)."""
    if kind not in NUMBER_REPLIES:
        raise UnknownKind(f"{kind!r} is not an answer about a number")
    if language not in CATALOGS:
        language = FALLBACK
    phone = format_national(current_app.config.get("ORG_HELP_PHONE"))
    key = f"{kind}.no_phone" if kind == MessageKind.REPLY_HELP and not phone else kind
    facts = Facts(key=key, tz_name=planning.org_timezone(), phone=phone)
    return _fitted(CATALOGS[language], kind, facts, Language(language), now=now, first_contact=False)


def _fitted(catalog: ModuleType, kind: str, facts: Facts, language: Language, *, now: datetime,
            first_contact: bool) -> RenderedText:
    """The first wording (see FITTING) that fits in MAX_SEGMENTS."""
    for compact, plain_values, keep_optional in FITTING:
        body = compose(catalog, kind, facts, now=now, first_contact=first_contact,
                       compact=compact, plain_values=plain_values, keep_optional=keep_optional)
        segments = count_segments(body)
        if segments <= MAX_SEGMENTS:
            break
    return RenderedText(body=body, language=language, segments=segments)


# -- language --------------------------------------------------------------------------------------


def recipient_language(message: OutboundMessage) -> Language:
    """The family's language, or a user's first language we have texts for; else English."""
    if message.family is not None:
        wanted = [message.family.language]
    elif message.user is not None:
        wanted = [entry.language for entry in message.user.languages]
    else:
        wanted = []
    for language in wanted:
        if language is not None and language.value in CATALOGS:
            return Language(language.value)
    return Language(FALLBACK)


def recipient_timezone(message: OutboundMessage) -> str:
    """Family texts in the family's time zone; everyone else's in the organization's."""
    if message.family is not None:
        return planning.family_timezone(message.family)
    return planning.org_timezone()


# -- facts: what is true now ------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a row is about, read once from the current data for its kind's facts function."""

    message: OutboundMessage
    appointment: Appointment | None
    shift: Shift | None
    params: dict
    now: datetime


def gather_facts(message: OutboundMessage, *, now: datetime) -> Facts:
    """Read what `message` is about, as it is now."""
    read_facts = _facts_function(message.kind)
    if message.family is None and message.user is None:
        raise NothingToSay("the recipient is gone")
    subject = Subject(
        message=message,
        appointment=db.session.get(Appointment, message.appointment_id) if message.appointment_id else None,
        shift=db.session.get(Shift, message.shift_id) if message.shift_id else None,
        params=message.params or {},
        now=now,
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
    appointment = _upcoming(subject.appointment, now=subject.now)
    volunteer, role = _confirmed_volunteer(appointment, subject.params.get("volunteer_id"))
    return replace(_family_appointment(base, appointment, subject.message), volunteer=volunteer, escort=role)


def _family_cancelled(base: Facts, subject: Subject) -> Facts:
    appointment = subject.appointment
    if appointment is None or appointment.status != AppointmentStatus.CANCELLED:
        raise NothingToSay("the appointment is not cancelled")
    return _family_appointment(base, appointment, subject.message)


def _volunteer_shift_ahead(base: Facts, subject: Subject) -> Facts:
    """Claimed, the evening before, soon, rescheduled: a shift the volunteer still holds, ahead."""
    shift = _held_upcoming_shift(subject.shift, subject.message.user, now=subject.now)
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
        raise NothingToSay("the shift is gone and the row does not say what it was")
    place = appointment.location.name if appointment is not None else ""
    return replace(
        base, key=base.key if place else f"{base.key}.no_place",
        starts_at=datetime.fromisoformat(starts_at), role=role, place=place,
    )


def _volunteer_urgent_ask(base: Facts, subject: Subject) -> Facts:
    shift, message = _open_shift(subject.shift, now=subject.now), subject.message
    if message.user is not None and any(claim.volunteer_id == message.user_id for claim in shift.claims):
        raise NothingToSay("the volunteer holds this shift already")
    # No meeting point: it is often the family's home, and only holders see it (DESIGN §3).
    return replace(base, starts_at=shift.starts_at, role=shift.role.value,
                   place=shift.appointment.location.name, code=subject.params.get("code", ""))


def _coordinator_detained(base: Facts, subject: Subject) -> Facts:
    appointment = subject.appointment
    if appointment is None:
        raise NothingToSay("the appointment is gone")
    return replace(
        base, starts_at=appointment.starts_at, place=appointment.location.name,
        link=_link(f"/coordinator/appointments/{appointment.id}"),
    )


def _coordinator_late_release(base: Facts, subject: Subject) -> Facts:
    shift = subject.shift
    if (shift is None or shift.appointment.status != AppointmentStatus.SCHEDULED
            or shift.ends_at <= subject.now or shift.filled >= shift.slots):
        raise NothingToSay("the shift is gone, over, or filled again")
    return replace(
        base, starts_at=shift.starts_at, role=shift.role.value, place=shift.appointment.location.name,
        link=_link(f"/coordinator/appointments/{shift.appointment_id}"),
    )


def _coordinator_unfilled_digest(base: Facts, subject: Subject) -> Facts:
    count = unfilled_slots_soon(now=subject.now)
    if not count:
        raise NothingToSay("every slot is filled now")
    return replace(base, count=count, link=_link("/"))


def _coordinator_ride_request(base: Facts, subject: Subject) -> Facts:
    appointment = _upcoming(subject.appointment, now=subject.now)
    return replace(base, starts_at=appointment.starts_at, place=appointment.location.name,
                   link=_link(f"/coordinator/appointments/{appointment.id}"))


def _coordinator_urgent_unfilled(base: Facts, subject: Subject) -> Facts:
    shift = _open_shift(subject.shift, now=subject.now)
    return replace(base, starts_at=shift.starts_at, role=shift.role.value,
                   place=shift.appointment.location.name, link=_link(f"/coordinator/shifts/{shift.id}/assign"))


def _urgent_reply(base: Facts, subject: Subject) -> Facts:
    """Covered, declined, not possible: which shift the volunteer answered about."""
    if subject.shift is None:
        raise NothingToSay("the shift is gone")
    return replace(base, starts_at=subject.shift.starts_at, role=subject.shift.role.value)


def _appointment_reply(base: Facts, subject: Subject) -> Facts:
    """A family's "1" or "2" answered: about their appointment still ahead, else without one."""
    appointment = subject.appointment
    if appointment is None or appointment.status != AppointmentStatus.SCHEDULED or appointment.starts_at <= subject.now:
        return replace(base, key=f"{base.key}.no_appointment")
    return replace(base, starts_at=appointment.starts_at)


def _staff_reply(base: Facts, subject: Subject) -> Facts:
    if not subject.message.body:
        raise NothingToSay("the reply has no words")
    return replace(base, message=subject.message.body)


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
    MessageKind.COORDINATOR_DETAINED: _coordinator_detained,
    MessageKind.COORDINATOR_LATE_RELEASE: _coordinator_late_release,
    MessageKind.COORDINATOR_UNFILLED_DIGEST: _coordinator_unfilled_digest,
    MessageKind.COORDINATOR_RIDE_REQUEST: _coordinator_ride_request,
    MessageKind.COORDINATOR_URGENT_UNFILLED: _coordinator_urgent_unfilled,
    MessageKind.REPLY_CONFIRMED: _appointment_reply,
    MessageKind.REPLY_RIDE: _appointment_reply,
    MessageKind.REPLY_URGENT_COVERED: _urgent_reply,
    MessageKind.REPLY_URGENT_DECLINED: _urgent_reply,
    MessageKind.REPLY_URGENT_NOT_POSSIBLE: _urgent_reply,
    MessageKind.STAFF_REPLY: _staff_reply,
}
# The kinds an outbox row can be.
KINDS = tuple(FACTS)


# -- what the facts functions share -----------------------------------------------------------------


def _open_shift(shift: Shift | None, *, now: datetime) -> Shift:
    """A shift still waiting for a volunteer: scheduled, not begun, a slot free."""
    if shift is None or not shift.is_claimable(now):
        raise NothingToSay("the shift is gone, begun, or filled")
    return shift


def _upcoming(appointment: Appointment | None, *, now: datetime) -> Appointment:
    if appointment is None or appointment.status != AppointmentStatus.SCHEDULED:
        raise NothingToSay("the appointment is gone or no longer scheduled")
    if appointment.starts_at <= now:
        raise NothingToSay("the appointment has begun")
    return appointment


def _family_appointment(base: Facts, appointment: Appointment, message: OutboundMessage) -> Facts:
    family = message.family
    if family is None:
        raise NothingToSay("family texts need a family")
    return replace(
        base,
        starts_at=appointment.starts_at,
        town=appointment.location.town.strip(),
        place=appointment.location.name,
        plain=family.wording == Wording.PLAIN,
        video=appointment.mode == AttendanceMode.VIDEO,
    )


def _confirmed_volunteer(appointment: Appointment, volunteer_id) -> tuple[str, str]:
    """The volunteer's first name and role, if they still hold a shift of this appointment."""
    if volunteer_id is None:
        raise NothingToSay("no volunteer named")
    volunteer = db.session.get(User, volunteer_id)
    shift = db.session.scalar(
        select(Shift)
        .join(Claim, Claim.shift_id == Shift.id)
        .where(Shift.appointment_id == appointment.id, Claim.volunteer_id == volunteer_id)
        .order_by(Shift.starts_at)
        .limit(1)
    )
    if volunteer is None or shift is None or not volunteer.first_name:
        raise NothingToSay("the volunteer no longer holds a shift for this appointment")
    return volunteer.first_name, shift.role.value


def _held_upcoming_shift(shift: Shift | None, volunteer: User | None, *, now: datetime) -> Shift:
    if shift is None or volunteer is None:
        raise NothingToSay("the shift is gone")
    if not shift.is_open(now):
        raise NothingToSay("the shift is no longer ahead")
    held = db.session.scalar(
        select(Claim.id).where(Claim.shift_id == shift.id, Claim.volunteer_id == volunteer.id)
    )
    if held is None:
        raise NothingToSay("the volunteer no longer holds this shift")
    return shift


def _link(path: str) -> str:
    base_url = public_base_url()
    return f"{base_url}{path}" if base_url else ""


# -- words ------------------------------------------------------------------------------------------


def compose(
    catalog: ModuleType, kind: str, facts: Facts, *, now: datetime, first_contact: bool,
    compact: bool = False, plain_values: bool = False, keep_optional: bool = True,
) -> str:
    """Fill the template for `facts` in `catalog`'s language."""
    words = catalog.WORDS
    org = current_app.config["ORG_NAME"]
    if plain_values:
        facts = replace(facts, **{name: gsm_letters(getattr(facts, name))
                                  for name in ("town", "place", "volunteer", "meeting")})
    slots = {
        "org": gsm_letters(org) if plain_values else org,
        "phone": facts.phone,
        "stop": words["stop"],
        "volunteer": facts.volunteer,
        "place": facts.place,
        "role": catalog.ROLES.get(facts.role, facts.role),
        "escort": words.get(f"escort_{facts.escort}", words["escort"]),
        "meeting": words["meeting"].format(meeting=facts.meeting) if facts.meeting and keep_optional else "",
        "link": words["link"].format(link=facts.link) if facts.link else "",
        "count": facts.count,
        "help": words["help"].format(phone=facts.phone) if facts.phone else words["help_reply"],
        "risk": words["risk"] if keep_optional else "",
        "code": facts.code,
        "message": facts.message,
    }
    if facts.starts_at is not None:
        local = to_local(facts.starts_at, facts.tz_name)
        days_until = (local.date() - to_local(now, facts.tz_name).date()).days
        early = READY_EARLY if facts.video else ARRIVE_EARLY
        slots.update(
            when=catalog.when(local, days_until, compact=compact),
            where=_where(words, facts),
            trip=words["trip_video" if facts.video else "trip"].format(arrive=catalog.arrival(local - early)),
            reply=words["reply_video" if facts.video else "reply"],
        )
    key = facts.key
    if key not in catalog.TEXTS and FAMILY_REMINDER_KIND.fullmatch(key):
        key = MessageKind.FAMILY_REMINDER  # at days the catalogs do not word one by one
    body = catalog.TEXTS[key].format(**slots)
    if first_contact:
        body = f"{words['intro'].format(org=slots['org'])}{body} {words['stop']}"
    body = re.sub(r"(?<!\.)\.\.(?!\.)", ".", body)  # "p.m." ending a sentence
    return re.sub(r"\s+", " ", body).strip()


def _where(words: dict, facts: Facts) -> str:
    """Discreet: the town only. Plain: the place's name. By video: no place at all."""
    if facts.video:
        return words["where_video"]
    if facts.plain and facts.place:
        return words["where_place"].format(place=facts.place)
    if facts.town:
        return words["where_town"].format(town=facts.town)
    return ""


LOOKALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                            "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ",
                            "\u0153": "oe", "\u0152": "OE"})


def gsm_letters(text: str) -> str:
    """`text` in GSM-7 letters: "María" → "Maria", curly quotes straight; what has no likeness goes."""
    kept = []
    for char in text.translate(LOOKALIKES):
        if char in GSM_BASIC or char in GSM_EXTENSION:
            kept.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        kept.extend(part for part in base if part in GSM_BASIC or part in GSM_EXTENSION)
    return "".join(kept)
