"""The message log coordinators read and act on: what is planned (with the words it would go
with), what went, and cancelling, retrying and settling unknown sends.

Each action is one compare-and-set UPDATE on the state the coordinator's request read, as the
dispatcher's are: when the dispatcher, a delivery callback or the same button pressed twice moved
the row first, the action matches nothing and says the message has moved on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    Language,
    MessageState,
    OutboundMessage,
    RecipientKind,
    User,
)
from accompany.pagination import Page, paginate
from accompany.phrases import Phrase
from accompany.services.errors import DomainError
from accompany.services.messaging import planning
from accompany.services.messaging.dispatch import recipient_phone
from accompany.services.messaging.facts import NothingToSay, UnknownKind
from accompany.services.messaging.prefetch import ONE_BY_ONE, Lookups, prefetch
from accompany.services.messaging.rendering import MAX_SEGMENTS, TOO_LONG, TextTooLong, render_text
from accompany.services.privacy.audit import record_event

# Rows not yet handed to the carrier: their words are made when they go, so the log shows them
# rendered from today's data.
WAITING = (MessageState.PENDING, MessageState.SENDING)


class WrongState(DomainError):
    message = N_("That message has moved on since the page was loaded; look again.")


class TooLate(DomainError):
    message = N_("It is too late to send this one: its window has closed.")


@dataclass
class MessageFilters:
    states: list[MessageState] = field(default_factory=list)
    recipient_kind: RecipientKind | None = None
    kind: str = ""
    family_id: int | None = None  # to the family, or about one of its appointments
    appointment_id: int | None = None  # about the appointment or one of its shifts


def _messages_query(filters: MessageFilters, *, soonest_first: bool) -> Select:
    order = (
        (OutboundMessage.not_before, OutboundMessage.id) if soonest_first
        else (OutboundMessage.not_before.desc(), OutboundMessage.id.desc())
    )
    query = (
        select(OutboundMessage)
        .options(selectinload(OutboundMessage.family), selectinload(OutboundMessage.user))
        .order_by(*order)
    )
    if filters.states:
        query = query.where(OutboundMessage.state.in_(filters.states))
    if filters.recipient_kind is not None:
        query = query.where(OutboundMessage.recipient_kind == filters.recipient_kind)
    if filters.kind:
        query = query.where(OutboundMessage.kind.startswith(filters.kind))
    if filters.appointment_id is not None:
        query = query.where(planning.about_appointments([filters.appointment_id]))
    if filters.family_id is not None:
        theirs = select(Appointment.id).where(Appointment.family_id == filters.family_id)
        query = query.where(or_(OutboundMessage.family_id == filters.family_id, planning.about_appointments(theirs)))
    return query


def find_messages(filters: MessageFilters, *, limit: int = 100, soonest_first: bool = False) -> list[OutboundMessage]:
    """Latest first (by when they may go), or soonest first; with their recipients loaded."""
    return list(db.session.scalars(_messages_query(filters, soonest_first=soonest_first).limit(limit)))


@dataclass(frozen=True)
class Words:
    """What a text says: as it went, or as it would go now; `problem` says why it will not go."""

    body: str = ""
    language: Language | None = None
    segments: int | None = None
    as_sent: bool = False
    problem: Phrase | str = ""  # a page shows it in its own language (the in_words filter)


@dataclass(frozen=True)
class LogEntry:
    message: OutboundMessage
    words: Words | None  # None: it never went and never will (cancelled, expired)

    @property
    def error_words(self) -> Phrase | str:
        """The row's error, for a page to translate: ours are fixed words (`NOT_ARRIVED`); the
        provider's stay as they are (a page finds them in no catalog)."""
        return Phrase(self.message.error_message) if self.message.error_message else ""


def message_page(filters: MessageFilters, page: int | None, *, per_page: int, now: datetime,
                 soonest_first: bool = False) -> Page[LogEntry]:
    """One page of the log, each row with its words (what the waiting ones need read together,
    as the dispatcher reads a batch: prefetch.py)."""
    found = paginate(_messages_query(filters, soonest_first=soonest_first), page, per_page=per_page)
    lookups = prefetch([row for row in found.items if row.state in WAITING])
    entries = [LogEntry(row, words_of(row, now=now, lookups=lookups)) for row in found.items]
    return replace(found, items=entries)


def words_of(row: OutboundMessage, *, now: datetime, lookups: Lookups = ONE_BY_ONE) -> Words | None:
    """The words `row` went with; for a row still waiting, the words it would go with at its
    time, from today's data, in the recipient's language (or, plainly, why it will not go)."""
    if row.state not in WAITING:
        if row.body:
            return Words(body=row.body, language=row.language, segments=row.segments, as_sent=True)
        return None
    if row.send_before <= now:
        return Words(problem=Phrase(N_("Its time to go has passed: it will not be sent.")))
    if recipient_phone(row, lookups) is None:
        return Words(problem=Phrase(N_("It will not be sent: no consent to texts, no phone, or the number opted out.")))
    try:
        text = render_text(row, now=max(now, row.not_before), first_contact=not lookups.texted_before(row),
                           lookups=lookups)
    except NothingToSay as reason:
        return Words(problem=Phrase(N_("It will not be sent: %(reason)s."), reason=Phrase(str(reason))))
    except UnknownKind:
        return Words(problem=Phrase(N_("It cannot be sent: no wording exists for %(kind)s texts."),
                                    kind=repr(row.kind.value)))
    except TextTooLong as error:
        return Words(problem=Phrase(TOO_LONG, segments=error.segments, most=MAX_SEGMENTS))
    return Words(body=text.body, language=text.language, segments=text.segments)


def recipient_number(row: OutboundMessage) -> str | None:
    person = row.family if row.family is not None else row.user
    return person.phone if person is not None else None


def _move(row: OutboundMessage, allowed: tuple[MessageState, ...], action: str, *, by: User, now: datetime,
          **values) -> None:
    """Move `row` on from the state this request saw it in, with a compare-and-set on that
    state: the dispatcher, a callback or a second tap that moved it first wins, and this one
    says so (WrongState) rather than write over it."""
    seen = row.state
    if seen not in allowed:
        raise WrongState()
    moved = db.session.execute(
        update(OutboundMessage).where(OutboundMessage.id == row.id, OutboundMessage.state == seen)
        .values(status_at=now, **values).execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise WrongState()
    record_event(f"message.{action}", now=now, actor=by, subject=row, kind=row.kind, was=seen.value)
    db.session.expire(row)
    db.session.flush()


def cancel_message(row: OutboundMessage, *, by: User, now: datetime) -> None:
    """Stop a planned message."""
    _move(row, (MessageState.PENDING,), "cancelled", by=by, now=now, state=MessageState.CANCELLED)


def retry_message(row: OutboundMessage, *, by: User, now: datetime) -> None:
    """Send a failed (or settled-as-not-sent) message again, if its window is still open."""
    if row.state in (MessageState.FAILED, MessageState.CANCELLED) and row.send_before <= now + timedelta(minutes=1):
        raise TooLate()
    _move(row, (MessageState.FAILED, MessageState.CANCELLED), "retried", by=by, now=now, state=MessageState.PENDING,
          not_before=now, claim_token=None, claimed_at=None, handed_at=None, error_code=None, error_message=None)


NOT_ARRIVED = N_("A coordinator found it was not sent.")


def settle_unknown(row: OutboundMessage, *, arrived: bool, by: User, now: datetime) -> None:
    """A coordinator checked an unknown send: it arrived (sent) or it did not (failed, retryable)."""
    _move(row, (MessageState.UNKNOWN,), "settled_sent" if arrived else "settled_not_sent", by=by, now=now,
          **({"state": MessageState.SENT} if arrived
             else {"state": MessageState.FAILED, "error_message": NOT_ARRIVED}))
