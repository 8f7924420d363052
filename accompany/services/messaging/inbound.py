"""Handling a text someone sent us (`POST /sms/inbound`).

The sender is found by the phone's keyed hash (never by decrypting every number). What the text
means comes from accompany/services/messaging/keywords.py, and each meaning does one thing at once:

- STOP (in any of our languages, or Twilio's own opt-out): the number is opted out, everything
  planned to it is cancelled, and one confirmation is the answer. When it is a family's number
  with an appointment ahead, the coordinators are alerted (nothing else would remind the family).
- START: the number opts back in; reminders still ahead are planned again.
- HELP: the organization's name and help number.
- From a family: 1 / YES confirms the appointment; 2 / RIDE flags a ride request, alerts the
  coordinators and adds a ride shift if there is none.
- From a volunteer: YES 4821 / NO 4821 answers an urgent ask (accompany/services/messaging/urgent_calls.py).
- Anything else (and anything sounding like "stop texting me") waits in the coordinators' inbox.

Answers about the number itself (HELP, STOP, START, and the help text for a text left for a
person) are given in the webhook's reply; a number we do not know gets only the help text.
Answers about a person's appointment or shift are planned in the outbox like every other text,
in that person's language.

The language of the webhook's answer (`answer_language`): the language of the words when they
belong to one language only (AYUDA, SISPANN, "Merci"), the same whether or not we know the number,
so texting words tells nobody whether a number is ours. Words that several languages share (STOP
is English and French, PARAR Spanish and Portuguese, START every language's, since every stop
confirmation asks for it) and free text: the family's or volunteer's language when we know the
number, else English. That answer differs between a known and an unknown number, but only in its
language, and it goes only to the phone that sent the text, whose inbox already holds our texts
in that language.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload

from accompany.crypto import phone_index
from accompany.database import db, set_once
from accompany.models import (
    Appointment,
    AppointmentStatus,
    AttendanceMode,
    Claim,
    Family,
    InboundMessage,
    MessageKind,
    OutboundMessage,
    Role,
    Shift,
    ShiftRole,
    UrgentAnswer,
    User,
    UserStatus,
)
from accompany.phones import InvalidPhone, mask_phone, normalize_phone
from accompany.services.detention import cases as detention_cases
from accompany.services.messaging import (
    audience,
    family_texts,
    keywords,
    outbox,
    planning,
    staff_texts,
    urgent_calls,
    volunteer_texts,
)
from accompany.services.messaging.rendering import (
    NUMBER_REPLIES,
    RenderedText,
    render_number_reply,
    spoken_language,
)
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling import shifts

log = logging.getLogger(__name__)


@dataclass
class Senders:
    """Who texts from a number: open families and accounts with that phone (rarely more than one)."""

    phone: str
    phone_hash: str
    families: list[Family] = field(default_factory=list)
    users: list[User] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.families or self.users)

    @property
    def volunteers(self) -> list[User]:
        return [user for user in self.users if user.status == UserStatus.ACTIVE]


@dataclass(frozen=True)
class Handled:
    """What came of an inbound text: the stored message (None for a repeat delivery) and the
    answer to give in the webhook's reply, if any."""

    message: InboundMessage | None
    reply: RenderedText | None = None


# The statements every text runs, built once (SQLAlchemy then reuses their compiled SQL; building
# one each time cost more than running it): what differs is a bound parameter.
_SEEN = select(InboundMessage.id).where(InboundMessage.provider_sid == bindparam("provider_sid"))
_FAMILIES_WITH = (select(Family)
                  .where(Family.phone_hash == bindparam("digest"), Family.closed_at.is_(None), Family.purged_at.is_(None))
                  .order_by(Family.id))
# (An account comes with its languages in the same query, which reading a YES or a STOP uses.)
_ACCOUNTS_WITH = (select(User).where(User.phone_hash == bindparam("digest"), User.status != UserStatus.DISABLED)
                  .options(joinedload(User.languages)).order_by(User.id))


def find_senders(raw_phone: str) -> Senders:
    """The families and accounts whose phone is `raw_phone`, by its keyed hash."""
    try:
        phone = normalize_phone(raw_phone)
    except InvalidPhone:
        phone = (raw_phone or "").strip()[:40]  # a short code or an odd sender: nobody we text
    digest = phone_index(phone)
    families = list(db.session.scalars(_FAMILIES_WITH, {"digest": digest}))
    users = list(db.session.scalars(_ACCOUNTS_WITH, {"digest": digest}).unique())
    return Senders(phone=phone, phone_hash=digest, families=families, users=users)


def receive_text(from_number: str, body: str, *, provider_sid: str | None, now: datetime,
                 carrier_keyword: str = "") -> Handled:
    """Store and act on one inbound text. `carrier_keyword` is Twilio's own reading of it
    (`OptOutType`: STOP, START or HELP) when its opt-out handling is on."""
    if provider_sid and db.session.scalar(_SEEN, {"provider_sid": provider_sid}):
        return Handled(None)  # Twilio delivered it again: it was handled the first time
    senders = find_senders(from_number)
    reading = keywords.read(body)
    carrier = carrier_keyword.strip().lower()
    if not reading.is_keyword and carrier in (keywords.STOP, keywords.START, keywords.HELP):
        reading = keywords.Reading(carrier)
    message = InboundMessage(
        provider_sid=provider_sid or None, from_hash=senders.phone_hash, from_phone=senders.phone,
        body=body or "", received_at=now, kind=reading.meaning, answered_with=None,
        family_id=senders.families[0].id if senders.families else None,
        user_id=senders.users[0].id if senders.users else None,
    )
    if carrier == keywords.START and reading.meaning != keywords.START:
        opt_in(senders, now=now)  # Twilio lifted its block (it takes YES as START): so do we
    reply = _act(message, reading, senders, now=now)
    if reply is None and message.handled_at is None and _may_send_help(senders, now=now):
        reply = MessageKind.REPLY_HELP  # for a person to read: the same answer, known number or not
    if reply is not None:
        message.answered_with = reply
    # Stored once it is handled, in one INSERT. The same text delivered twice at the very same
    # moment: the second INSERT raises IntegrityError (unique MessageSid) and the webhook rolls
    # back all it did and answers nothing. (No savepoint here: on SQLite one opened before any
    # write would commit this row on its own.)
    db.session.add(message)
    db.session.flush()
    log.info("inbound text %s from %s (%s): read as %s, answered with %s", message.id, mask_phone(senders.phone),
             "known" if senders.known else "unknown", reading.meaning, message.answered_with or "nothing")
    if message.answered_with in NUMBER_REPLIES:
        language = answer_language(reading, senders)
        return Handled(message, render_number_reply(message.answered_with, language, now=now))
    return Handled(message)


def answer_language(reading: keywords.Reading, senders: Senders) -> str:
    """The language of the webhook's answer (the module's docstring says why): the words' own
    language, else the sender's when we know them, else English."""
    if reading.language is not None:
        return reading.language
    return spoken_language(senders.families, senders.users).value


def _act(message: InboundMessage, reading: keywords.Reading, senders: Senders, *, now: datetime) -> str | None:
    """Do what the text asks; returns the kind of text that answers it (or None) and marks the
    message handled when no person needs to read it."""
    meaning = reading.meaning
    if meaning == keywords.STOP:
        # The word itself when it is one of ours; never the words of a longer text (not sealed here).
        said = keywords.normalize(message.body)
        if opt_out(senders, now=now, keyword=said if said in keywords.WORDS else "carrier stop"):
            alert_stopped_families(senders, now=now)
        return _done(message, now, MessageKind.STOP_CONFIRMATION)
    if meaning == keywords.START:
        opt_in(senders, now=now)
        return _done(message, now, MessageKind.START_CONFIRMATION)
    if meaning == keywords.HELP:
        return _done(message, now, MessageKind.REPLY_HELP)
    answered = _detention(message, reading, senders, now=now)
    if answered is not None:
        return _done(message, now, answered)
    if not senders.known:
        return None  # kept for a coordinator to read (a family's new phone?)
    if reading.acknowledgement and audience.is_opted_out(senders.phone_hash):
        return None  # "OK" to our "no more texts" confirmation confirms no appointment

    # A bare YES answers a volunteer's one open ask; an "OK" could answer any text, so it needs the code.
    if meaning in (keywords.YES, keywords.NO) and (reading.code or not (senders.families or reading.acknowledgement)):
        ask = urgent_calls.find_ask(senders.volunteers, reading.code)
        if ask is not None:
            outcome = urgent_calls.answer(ask, yes=meaning == keywords.YES, now=now)
            if outcome is None:
                return None  # NO after taking the shift: a coordinator settles it with them
            return _done(message, now, _REPLIES[outcome])
    if meaning == keywords.YES and senders.families and not reading.code:
        return _family_confirms(message, senders, now=now)
    if meaning == keywords.RIDE and senders.families:
        return _family_needs_ride(message, senders, now=now)
    return None  # for the inbox


def _detention(message: InboundMessage, reading: keywords.Reading, senders: Senders, *,
               now: datetime) -> str | None:
    """A detention, by text: "OK K7Q" from a coordinator's confirmed phone acknowledges the open
    case with that code; DETAINED (each language's word) from a volunteer who holds a shift today
    opens a case for that shift's family. Each is answered by a text planned in the outbox.
    Anything else, from anyone else (an unknown number, a family, a volunteer holding nothing
    today), is not about a detention: it goes on as any text (the help answer, the inbox)."""
    code = keywords.read_case_acknowledgement(message.body)
    staff = [user for user in senders.volunteers if user.role in (Role.COORDINATOR, Role.ADMIN)]
    if code and staff and detention_cases.acknowledge_by_text(staff, code, now=now) is not None:
        return MessageKind.REPLY_DETENTION_ACKNOWLEDGED
    if reading.meaning == keywords.DETAINED and senders.volunteers:
        reported = detention_cases.report_by_text(senders.volunteers, now=now)
        if reported is not None:
            return MessageKind.REPLY_DETENTION_REPORTED
    return None


# What answers each way an urgent ask can end (taking it: the claim's own "your shift" text).
_REPLIES = {
    UrgentAnswer.TOOK_IT: MessageKind.VOLUNTEER_CLAIMED,
    UrgentAnswer.DECLINED: MessageKind.REPLY_URGENT_DECLINED,
    UrgentAnswer.TOO_LATE: MessageKind.REPLY_URGENT_COVERED,
    UrgentAnswer.NOT_POSSIBLE: MessageKind.REPLY_URGENT_NOT_POSSIBLE,
}


def _done(message: InboundMessage, now: datetime, answer: str | None) -> str | None:
    message.handled_at = now
    return answer


HELP_AGAIN_AFTER = timedelta(hours=24)


def _may_send_help(senders: Senders, *, now: datetime) -> bool:
    """A text left for a person gets the help text, at most once a day per number and never to
    a number that opted out: the same rule whether or not we know the number."""
    if audience.is_opted_out(senders.phone_hash):
        return False
    return db.session.scalar(_HELPED_SINCE, {"digest": senders.phone_hash, "since": now - HELP_AGAIN_AFTER}) is None


_HELPED_SINCE = select(InboundMessage.id).where(
    InboundMessage.from_hash == bindparam("digest"),
    InboundMessage.answered_with == MessageKind.REPLY_HELP,
    InboundMessage.received_at > bindparam("since"),
).limit(1)


# -- the number ------------------------------------------------------------------------------------


def opt_out(senders: Senders, *, now: datetime, keyword: str) -> bool:
    """Nothing more goes to this number, and nothing planned for it is left waiting. True when
    the number was taking texts until now."""
    newly = outbox.record_opt_out(senders.phone, now=now, keyword=keyword)
    # Everyone with this number, open or closed, active or not: the number decides. Their ids
    # are read first (with a subquery in the cancel, SQLite without statistics walks every
    # pending row instead of the recipient's index).
    planning.cancel_to(family_ids=list(db.session.scalars(_ANY_FAMILY_IDS_WITH, {"digest": senders.phone_hash})),
                       user_ids=list(db.session.scalars(_ANY_ACCOUNT_IDS_WITH, {"digest": senders.phone_hash})))
    return newly


_ANY_FAMILY_IDS_WITH = select(Family.id).where(Family.phone_hash == bindparam("digest"))
_ANY_ACCOUNT_IDS_WITH = select(User.id).where(User.phone_hash == bindparam("digest"))


def alert_stopped_families(senders: Senders, *, now: datetime) -> None:
    """A family with an appointment ahead just said STOP: every reminder to them is cancelled, so
    the coordinators are told at once (and can call), and a STOP someone sent in the family's
    name does not go unnoticed. One alert per family and STOP text (keyed by the moment it came,
    to the microsecond); the dashboard lists them too."""
    for family in senders.families:
        appointment = reply_target([family], now=now) if family.sms_consent else None
        if appointment is None:
            continue  # nothing ahead, or no reminders were going to them anyway
        record_event("family.texts_stopped", now=now, subject=family, appointment_id=appointment.id)
        staff_texts.alert_coordinators(
            MessageKind.COORDINATOR_FAMILY_STOPPED, f"family:{family.id}:stopped:{now:%Y%m%dT%H%M%S.%fZ}", now=now,
            appointment=appointment, valid_for=max(appointment.starts_at - now, timedelta(hours=1)),
        )


def opt_in(senders: Senders, *, now: datetime) -> None:
    """The number takes our texts again; reminders still ahead are planned again (their rows come
    back under the same keys, so nothing already sent goes twice)."""
    opted = outbox.opt_out_of(senders.phone_hash)
    if opted is None or not opted.active:
        return
    opted.active, opted.opted_in_at = False, now
    db.session.flush()
    # Everything ahead in one query per kind of recipient, planned together: a fixed number of
    # statements however full the number's calendar is.
    if senders.families:
        appointments = db.session.scalars(_AHEAD_OF_FAMILIES, {
            "family_ids": [family.id for family in senders.families], "now": now})
        family_texts.plan_family_reminders_for(list(appointments), now=now, opted_out=_taking_texts_now)
    if senders.volunteers:
        claims = db.session.scalars(_OPEN_CLAIMS_OF, {"volunteer_ids": [user.id for user in senders.volunteers],
                                                      "now": now})
        volunteer_texts.plan_volunteer_reminders_for(list(claims), now=now, announce=False, opted_out=_taking_texts_now)


def _taking_texts_now(_phone_hash: str) -> bool:
    """Whether a sender of START is opted out: no longer (their families and accounts share the number)."""
    return False


_AHEAD_OF_FAMILIES = (
    select(Appointment)
    .where(Appointment.family_id.in_(bindparam("family_ids", expanding=True)),
           Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at > bindparam("now"))
    .order_by(Appointment.starts_at)
)
_OPEN_CLAIMS_OF = (
    select(Claim).join(Claim.shift)
    .where(Claim.volunteer_id.in_(bindparam("volunteer_ids", expanding=True)), Shift.is_open(bindparam("now")))
    .options(contains_eager(Claim.shift))
)


# -- families --------------------------------------------------------------------------------------


def reply_target(families: list[Family], *, now: datetime, with_shifts: bool = False) -> Appointment | None:
    """The appointment a family's "1" or "2" answers: the one we last texted them about, if it is
    still ahead; else their next one. One query (`with_shifts`: with its shifts and place, which
    adding a ride reads)."""
    ids = [family.id for family in families]
    return db.session.scalar(_RIDE_TARGET if with_shifts else _REPLY_TARGET,
                             {"family_ids": ids, "texted_family_ids": ids, "now": now})


def _reply_target(*options):
    last_texted = (
        select(func.max(OutboundMessage.sent_at))
        .where(OutboundMessage.appointment_id == Appointment.id,
               OutboundMessage.family_id.in_(bindparam("texted_family_ids", expanding=True)))
        .scalar_subquery()
    )
    return (
        select(Appointment).options(*options)
        .where(Appointment.family_id.in_(bindparam("family_ids", expanding=True)),
               Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at > bindparam("now"))
        .order_by(last_texted.desc().nulls_last(), Appointment.starts_at)
        .limit(1)
    )


_REPLY_TARGET = _reply_target()
_RIDE_TARGET = _reply_target(joinedload(Appointment.shifts), joinedload(Appointment.location))


def _family_reply(kind: str, family: Family, appointment: Appointment | None, *, now: datetime,
                  with_rows: Sequence[planning.Wanted] = ()) -> None:
    """Plan the answer to a family's reply (with `with_rows`, other rows to plan in the same
    statements); one per appointment (a second "1" is not answered twice). At night it waits
    for the family's morning."""
    subject = (f"appt:{appointment.id}@{planning.stamp(appointment.starts_at)}" if appointment is not None
               else f"family:{family.id}:{now.date().isoformat()}")
    reply = family_texts.family_text(f"{subject}:family:{kind}", kind, family, now=now,
                                 send_before=family_texts.answer_deadline(now, appointment), appointment=appointment)
    planning.plan_messages([*with_rows, *([reply] if reply is not None else [])], now=now)


def _family_confirms(message: InboundMessage, senders: Senders, *, now: datetime) -> str | None:
    appointment = reply_target(senders.families, now=now)
    if appointment is None:
        return None  # nothing ahead to confirm: a coordinator reads it
    if appointment.family_confirmed_at is None and set_once(appointment, "family_confirmed_at", now):
        record_event("appointment.family_confirmed", now=now, subject=appointment)
    _family_reply(MessageKind.REPLY_CONFIRMED, appointment.family, appointment, now=now)
    message.appointment_id = appointment.id  # stored with the answer, in the one INSERT
    return _done(message, now, MessageKind.REPLY_CONFIRMED)


def _family_needs_ride(message: InboundMessage, senders: Senders, *, now: datetime) -> str | None:
    # With what add_ride_shift reads (the appointment's shifts and place), in the same query.
    appointment = reply_target(senders.families, now=now, with_shifts=True)
    if appointment is None:
        _family_reply(MessageKind.REPLY_RIDE, senders.families[0], None, now=now)
        return MessageKind.REPLY_RIDE  # no appointment ahead: a coordinator reads it
    # Set once: of two "2"s at once (two phones of one family, a resend) only one adds a ride.
    alerts = []
    if appointment.ride_requested_at is None and set_once(appointment, "ride_requested_at", now):
        record_event("appointment.ride_requested", now=now, subject=appointment)
        add_ride_shift(appointment, now=now)
        alerts = staff_texts.coordinator_alerts(
            MessageKind.COORDINATOR_RIDE_REQUEST, f"appt:{appointment.id}:ride_request", now=now,
            appointment=appointment, valid_for=max(appointment.starts_at - now, timedelta(hours=1)),
        )
    _family_reply(MessageKind.REPLY_RIDE, appointment.family, appointment, now=now, with_rows=alerts)
    message.appointment_id = appointment.id  # stored with the answer, in the one INSERT
    return _done(message, now, MessageKind.REPLY_RIDE)


def add_ride_shift(appointment: Appointment, *, now: datetime) -> Shift | None:
    """A "ride there" shift, proposed as a coordinator's form would, unless the appointment has a
    ride already or is by video."""
    if appointment.mode == AttendanceMode.VIDEO or any(shift.role == ShiftRole.RIDE_THERE for shift in appointment.shifts):
        return None
    plan = shifts.propose_shifts(appointment, [ShiftRole.RIDE_THERE], family_language=appointment.family.language,
                                 town=appointment.family.town)[0]
    return shifts.add_shift(appointment, plan, by=None, now=now)
