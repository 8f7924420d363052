"""The message log coordinators read and act on: cancel, retry, and settle unknown sends.

Each action is one compare-and-set UPDATE on the state the coordinator's request read, as the
dispatcher's are: when the dispatcher, a delivery callback or the same button pressed twice moved
the row first, the action matches nothing and says the message has moved on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.models import MessageState, OutboundMessage, RecipientKind, User
from accompany.services.errors import DomainError
from accompany.services.privacy.audit import record_event


class WrongState(DomainError):
    message = "That message has moved on since the page was loaded; look again."


class TooLate(DomainError):
    message = "It is too late to send this one: its window has closed."


@dataclass
class MessageFilters:
    states: list[MessageState] = field(default_factory=list)
    recipient_kind: RecipientKind | None = None
    kind: str = ""


def find_messages(filters: MessageFilters, *, limit: int = 100, soonest_first: bool = False) -> list[OutboundMessage]:
    """Latest first (by when they may go), or soonest first; with their recipients loaded."""
    order = (
        (OutboundMessage.not_before, OutboundMessage.id) if soonest_first
        else (OutboundMessage.not_before.desc(), OutboundMessage.id.desc())
    )
    query = (
        select(OutboundMessage)
        .options(selectinload(OutboundMessage.family), selectinload(OutboundMessage.user))
        .order_by(*order)
        .limit(limit)
    )
    if filters.states:
        query = query.where(OutboundMessage.state.in_(filters.states))
    if filters.recipient_kind is not None:
        query = query.where(OutboundMessage.recipient_kind == filters.recipient_kind)
    if filters.kind:
        query = query.where(OutboundMessage.kind.startswith(filters.kind))
    return list(db.session.scalars(query))


def recipient_number(row: OutboundMessage) -> str | None:
    person = row.family if row.family is not None else row.user
    return person.phone if person is not None else None


def _move(row: OutboundMessage, allowed: tuple[MessageState, ...], action: str, *, by: User, now: datetime,
          **values) -> None:
    """Set `values` on `row` if it is still in the state this request read (one of `allowed`)."""
    seen = row.state
    if seen not in allowed:
        raise WrongState()
    moved = db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == row.id, OutboundMessage.state == seen)
        .values(status_at=now, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(row)
    if not moved:
        raise WrongState()
    record_event(f"message.{action}", now=now, actor=by, subject=row, kind=row.kind, was=seen.value)
    db.session.flush()


def cancel_message(row: OutboundMessage, *, by: User, now: datetime) -> None:
    """Stop a planned message."""
    _move(row, (MessageState.PENDING,), "cancelled", by=by, now=now, state=MessageState.CANCELLED)


def retry_message(row: OutboundMessage, *, by: User, now: datetime) -> None:
    """Send a failed (or settled-as-not-sent) message again, if its window is still open."""
    if row.state in (MessageState.FAILED, MessageState.CANCELLED) and row.send_before <= now + timedelta(minutes=1):
        raise TooLate()
    _move(row, (MessageState.FAILED, MessageState.CANCELLED), "retried", by=by, now=now,
          state=MessageState.PENDING, not_before=now, claim_token=None, claimed_at=None, handed_at=None,
          error_code=None, error_message=None)


def settle_unknown(row: OutboundMessage, *, arrived: bool, by: User, now: datetime) -> None:
    """A coordinator checked an unknown send: it arrived (sent) or it did not (failed, retryable)."""
    _move(row, (MessageState.UNKNOWN,), "settled_sent" if arrived else "settled_not_sent", by=by, now=now,
          state=MessageState.SENT if arrived else MessageState.FAILED,
          **({} if arrived else {"error_message": "A coordinator found it was not sent."}))
