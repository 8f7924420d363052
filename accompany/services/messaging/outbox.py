"""The outbox's states, moved by compare-and-set updates so two senders never take one row.

These functions flush and never commit: the dispatcher (accompany/services/messaging/dispatch.py) commits between
them, because a send has to be claimed durably before it happens and recorded after.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from accompany.crypto import phone_index
from accompany.database import db
from accompany.models import MessageState, OptOut, OutboundMessage

DUE_ORDER = (OutboundMessage.not_before, OutboundMessage.id)


def expire_overdue(*, now: datetime) -> int:
    """Rows whose window has closed are never sent: mark them expired."""
    return db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.state == MessageState.PENDING, OutboundMessage.send_before <= now)
        .values(state=MessageState.EXPIRED, status_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def recover_abandoned(*, now: datetime, lease: timedelta) -> tuple[int, int]:
    """Rows a dead sender claimed: never handed over → pending again; handed over → unknown."""
    stale = and_(OutboundMessage.state == MessageState.SENDING, OutboundMessage.claimed_at < now - lease)
    retried = db.session.execute(
        update(OutboundMessage)
        .where(stale, OutboundMessage.handed_at.is_(None))
        .values(state=MessageState.PENDING, claim_token=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    unknown = db.session.execute(
        update(OutboundMessage)
        .where(stale, OutboundMessage.handed_at.is_not(None))
        .values(state=MessageState.UNKNOWN, status_at=now,
                error_message="The sender stopped while handing this to the carrier: check whether it arrived.")
        .execution_options(synchronize_session=False)
    ).rowcount
    return retried, unknown


def claim_due(*, now: datetime, limit: int) -> list[OutboundMessage]:
    """Take up to `limit` due rows for this sender: SKIP LOCKED on PostgreSQL, and a
    compare-and-set on the state everywhere, so a row is only ever claimed once."""
    candidates = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.state == MessageState.PENDING,
            OutboundMessage.not_before <= now,
            OutboundMessage.send_before > now,
        )
        .order_by(*DUE_ORDER)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    if not ids:
        return []
    token = secrets.token_hex(16)
    db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.state == MessageState.PENDING)
        .values(state=MessageState.SENDING, claim_token=token, claimed_at=now, handed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return list(
        db.session.scalars(select(OutboundMessage).where(OutboundMessage.claim_token == token).order_by(*DUE_ORDER))
    )


def hand_over(row: OutboundMessage, *, body: str, segments: int, language, now: datetime) -> bool:
    """Note that `row` is about to go to the carrier (with the text it will carry). False if
    the row is no longer ours."""
    handed = db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == row.id, OutboundMessage.claim_token == row.claim_token,
               OutboundMessage.state == MessageState.SENDING)
        .values(handed_at=now, attempts=OutboundMessage.attempts + 1, body=body, segments=segments,
                language=language)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(row)
    return bool(handed)


def finish(row: OutboundMessage, state: MessageState, *, now: datetime, provider_sid: str | None = None,
           error_code: str | None = None, error_message: str | None = None) -> None:
    """Record how a send ended (sent, queued, failed, unknown, cancelled)."""
    if state in (MessageState.QUEUED, MessageState.SENT):
        db.session.refresh(row, ["state", "provider_sid"])
        if row.state != MessageState.SENDING:  # a delivery callback got here first: keep its news
            row.provider_sid = row.provider_sid or provider_sid
            row.claim_token = None
            row.sent_at = row.sent_at or now
            db.session.flush()
            return
    row.state = state
    row.claim_token = None
    if provider_sid:
        row.provider_sid = provider_sid
    if state in (MessageState.QUEUED, MessageState.SENT):
        row.sent_at = now
    row.status_at = now
    row.error_code, row.error_message = error_code, (error_message or None) and error_message[:255]
    db.session.flush()


def retry_later(row: OutboundMessage, *, now: datetime, error_code: str | None, error_message: str) -> None:
    """Put a throttled or failed-at-the-carrier row back, later, with exponential backoff."""
    delay = min(timedelta(seconds=30) * 2 ** max(row.attempts - 1, 0), timedelta(minutes=30))
    row.claim_token, row.claimed_at, row.handed_at = None, None, None
    row.error_code, row.error_message = error_code, error_message[:255]
    if now + delay < row.send_before:
        row.state, row.not_before = MessageState.PENDING, now + delay
    else:
        row.state = MessageState.EXPIRED  # the next try would be too late
    row.status_at = now
    db.session.flush()


def record_opt_out(phone_e164: str, *, now: datetime, keyword: str) -> None:
    """The number said STOP (or the carrier says it did): nothing more goes to it."""
    digest = phone_index(phone_e164)
    existing = db.session.scalar(select(OptOut).where(OptOut.phone_hash == digest))
    if existing is None:
        db.session.add(OptOut(phone_hash=digest, active=True, keyword=keyword, opted_out_at=now))
    else:
        existing.active, existing.keyword, existing.opted_out_at = True, keyword, now
    db.session.flush()


def block_number(row: OutboundMessage, *, code: str, now: datetime) -> None:
    """The carrier refused `row` because of its number (opted out, not a mobile...): record it on
    the number and cancel what else waits for that recipient. A corrected number is a new one.
    A one-time code's number may not be the recipient's own yet: theirs is left alone."""
    if row.kind.is_one_time_code:
        return
    phone = row.family.phone if row.family is not None else row.user.phone if row.user is not None else None
    if phone:
        record_opt_out(phone, now=now, keyword=f"carrier {code}")
    recipient = (OutboundMessage.family_id == row.family_id if row.family_id is not None
                 else OutboundMessage.user_id == row.user_id)
    db.session.execute(
        update(OutboundMessage).where(recipient, OutboundMessage.state == MessageState.PENDING)
        .values(state=MessageState.CANCELLED).execution_options(synchronize_session="fetch")
    )


def has_been_texted(row: OutboundMessage) -> bool:
    """Whether this recipient has had a text from us before (the first one introduces us)."""
    same_recipient = (
        OutboundMessage.family_id == row.family_id if row.family_id is not None
        else OutboundMessage.user_id == row.user_id
    )
    return bool(
        db.session.scalar(
            select(func.count()).select_from(OutboundMessage).where(
                same_recipient, OutboundMessage.id != row.id, OutboundMessage.sent_at.is_not(None)
            )
        )
    )


def backlog(*, now: datetime, stale_after: timedelta) -> dict[str, int]:
    """Counts for /healthz and the dashboard: overdue, failed, expired and unknown rows."""
    counts = dict(
        db.session.execute(
            select(OutboundMessage.state, func.count())
            .where(or_(OutboundMessage.state.in_([MessageState.FAILED, MessageState.EXPIRED, MessageState.UNKNOWN])))
            .group_by(OutboundMessage.state)
        ).all()
    )
    overdue = db.session.scalar(
        select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.state == MessageState.PENDING, OutboundMessage.not_before < now - stale_after
        )
    )
    return {
        "overdue": overdue or 0,
        "failed": counts.get(MessageState.FAILED, 0),
        "expired": counts.get(MessageState.EXPIRED, 0),
        "unknown": counts.get(MessageState.UNKNOWN, 0),
    }
