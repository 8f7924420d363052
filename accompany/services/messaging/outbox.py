"""The outbox's states, moved by compare-and-set updates so two senders never take one row.

These functions flush and never commit: the dispatcher (accompany/services/messaging/dispatch.py) commits between
them, because a send has to be claimed durably before it happens and recorded after.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, func, literal, select, update

from accompany.crypto import phone_index
from accompany.database import UTCDateTime, db
from accompany.models import DetentionCase, MessageState, OptOut, OutboundMessage
from accompany.services.messaging.quiet_hours import QuietHours

DUE_ORDER = (OutboundMessage.not_before, OutboundMessage.id)
# A family whose texts an open detention case holds (issue 15): its rows wait, pending, until a
# coordinator resumes or cancels them (services/detention/cases.py); they are never claimed.
PAUSED_FAMILY = exists().where(DetentionCase.family_id == OutboundMessage.family_id,
                               DetentionCase.texts_paused.is_(True), DetentionCase.closed_at.is_(None))


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


@dataclass(frozen=True)
class Batch:
    """Rows one sender claimed, and the token it claimed them with. Every later move of these
    rows compares against this token as this process holds it, never against a reloaded row:
    another sender may have recovered and re-claimed a row since (a pause, a lease run out)."""

    token: str
    rows: list[OutboundMessage]

    @property
    def ids(self) -> list[int]:
        return [row.id for row in self.rows]


def claim_due(*, now: datetime, limit: int) -> Batch:
    """Take up to `limit` due rows for this sender: SKIP LOCKED on PostgreSQL, and a
    compare-and-set on the state everywhere, so a row is only ever claimed once."""
    token = secrets.token_hex(16)
    candidates = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.state == MessageState.PENDING,
            OutboundMessage.not_before <= now,
            OutboundMessage.send_before > now,
            ~PAUSED_FAMILY,
        )
        .order_by(*DUE_ORDER)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    if not ids:
        return Batch(token, [])
    db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.state == MessageState.PENDING)
        .values(state=MessageState.SENDING, claim_token=token, claimed_at=now, handed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    rows = db.session.scalars(select(OutboundMessage).where(OutboundMessage.claim_token == token).order_by(*DUE_ORDER))
    return Batch(token, list(rows))


def ours(row_id: int, token: str, *states: MessageState):
    """The compare in every compare-and-set on a claimed row: still this sender's claim (the
    token it claimed with) and still in one of `states` (default: sending)."""
    return and_(OutboundMessage.id == row_id, OutboundMessage.claim_token == token,
                OutboundMessage.state.in_(states or (MessageState.SENDING,)))


def renew_lease(tokens, *, now: datetime) -> int:
    """This sender is alive and still working on its claims: move their lease on, so another
    sender's `recover_abandoned` leaves them alone however long the batch takes."""
    if not tokens:
        return 0
    return db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.claim_token.in_(list(tokens)), OutboundMessage.state == MessageState.SENDING)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


# The dispatcher's two updates per text, built once with parameters (building an UPDATE and its
# cache key each time cost more than running it): `ours` with the row and token bound.
_ROWS = OutboundMessage.__table__


def _param(name: str, column: str):
    return bindparam(name, type_=_ROWS.c[column].type)


def _ours_bound(*states: MessageState):
    return and_(_ROWS.c.id == bindparam("row_id"), _ROWS.c.claim_token == bindparam("token"), _ROWS.c.state.in_(states))


_HAND_OVER = update(_ROWS).where(_ours_bound(MessageState.SENDING)).values(
    handed_at=_param("now", "handed_at"), claimed_at=_param("now", "claimed_at"), attempts=_ROWS.c.attempts + 1,
    body=_param("body", "body"), segments=_param("segments", "segments"), language=_param("language", "language"),
)
_FINISHED = dict(
    state=_param("state", "state"), status_at=_param("now", "status_at"), claim_token=None,
    error_code=_param("error_code", "error_code"), error_message=_param("error_message", "error_message"),
    provider_sid=func.coalesce(_param("provider_sid", "provider_sid"), _ROWS.c.provider_sid),
)
_FINISH = update(_ROWS).where(_ours_bound(MessageState.SENDING)).values(**_FINISHED)
_FINISH_WENT = update(_ROWS).where(_ours_bound(MessageState.SENDING, MessageState.UNKNOWN)).values(
    **_FINISHED, sent_at=_param("now", "sent_at"))


def hand_over(row_id: int, token: str, *, body: str, segments: int, language, now: datetime) -> bool:
    """Note that the row is about to go to the carrier (with the text it will carry). False if
    the row is no longer ours: then it must not be sent."""
    return bool(db.session.execute(_HAND_OVER, dict(
        row_id=row_id, token=token, now=now, body=body, segments=segments, language=language)).rowcount)


def finish(row_id: int, token: str, state: MessageState, *, now: datetime, provider_sid: str | None = None,
           error_code: str | None = None, error_message: str | None = None) -> bool:
    """Record how a send ended (sent, queued, failed, unknown, expired, cancelled), only while the
    row is still this sender's claim. False when it was not moved:

    - a delivery callback got there first (delivered, undelivered...): its news stays, and a
      send that went through still records its SID and time;
    - another sender took the row over: what it records stands.

    A send that went through also settles a row another sender marked unknown while ours waited."""
    went = state in (MessageState.QUEUED, MessageState.SENT)
    if db.session.execute(_FINISH_WENT if went else _FINISH, dict(
        row_id=row_id, token=token, state=state, now=now, provider_sid=provider_sid or None, error_code=error_code,
        error_message=(error_message or None) and error_message[:255],
    )).rowcount:
        return True
    if went:  # a callback moved it on first: keep its state, add what only our answer knows
        _update(and_(OutboundMessage.id == row_id, OutboundMessage.claim_token == token), dict(
            provider_sid=func.coalesce(OutboundMessage.provider_sid, provider_sid),
            sent_at=func.coalesce(OutboundMessage.sent_at, literal(now, UTCDateTime())),
            claim_token=None,
        ))
    return False


def retry_later(row_id: int, token: str, *, attempts: int, send_before: datetime, now: datetime,
                error_code: str | None, error_message: str, hours: QuietHours | None = None) -> bool:
    """Put a throttled or failed-at-the-carrier row back, later, with exponential backoff
    (`attempts`: the tries so far, this one included), and inside the recipient's `hours`.
    False when the row is no longer ours."""
    delay = min(timedelta(seconds=30) * 2 ** max(attempts - 1, 0), timedelta(minutes=30))
    at = now + delay if hours is None else hours.next_opening(now + delay)
    values = dict(claim_token=None, claimed_at=None, handed_at=None, status_at=now, error_code=error_code,
                  error_message=error_message[:255])
    if at < send_before:
        values.update(state=MessageState.PENDING, not_before=at)
    elif at > now + delay:  # the night would have to pass first
        values.update(state=MessageState.EXPIRED,
                      error_message=(f"Not tried again: the recipient's hours ({hours.describe()}) open only "
                                     f"after its time ran out. {error_message}")[:255])
    else:
        values.update(state=MessageState.EXPIRED)  # the next try would be too late
    return _update(ours(row_id, token), values)


def wait_for_hours(row_id: int, token: str, *, hours: QuietHours, send_before: datetime, now: datetime) -> bool:
    """A claimed row came due outside its recipient's hours (a stopped scheduler, a late retry):
    back to pending until they open, or expired, saying why, when that is past `send_before`.
    A compare-and-set on this sender's token, like every move of a claimed row."""
    at = hours.next_opening(now)
    values = dict(claim_token=None, claimed_at=None, handed_at=None, status_at=now)
    if at < send_before:
        values.update(state=MessageState.PENDING, not_before=at)
    else:
        values.update(state=MessageState.EXPIRED,
                      error_message=f"Not sent: it came due outside the recipient's hours ({hours.describe()}), "
                                    "and they open only after its time ran out.")
    return _update(ours(row_id, token), values)


def _update(which, values: dict) -> bool:
    return bool(db.session.execute(update(_ROWS).where(which).values(**values)).rowcount)


_OPT_OUT = select(OptOut).where(OptOut.phone_hash == bindparam("digest"))


def opt_out_of(phone_hash: str) -> OptOut | None:
    """The number's opt-out record (active or lifted), if it ever had one."""
    return db.session.scalar(_OPT_OUT, {"digest": phone_hash})


def record_opt_out(phone_e164: str, *, now: datetime, keyword: str) -> bool:
    """The number said STOP (or the carrier says it did): nothing more goes to it. True when it
    was taking texts until now (no opt-out yet, or one it had lifted with START)."""
    digest = phone_index(phone_e164)
    existing = opt_out_of(digest)
    newly = existing is None or not existing.active
    if existing is None:
        db.session.add(OptOut(phone_hash=digest, active=True, keyword=keyword, opted_out_at=now))
    else:
        existing.active, existing.keyword, existing.opted_out_at = True, keyword, now
    db.session.flush()
    return newly


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


BACKLOG = ("overdue", "paused", "failed", "expired", "unknown")


def backlog_counts(*, late_before) -> list:
    """backlog()'s numbers as labelled scalar subqueries (named as in BACKLOG), for one statement
    that may read other numbers too (the coordinators' dashboard). A pending row is late when it
    was due before `late_before` (now less the grace: a moment, or a bound parameter for one).
    Each is an index range of ix_outbound_messages_due (state, not_before)."""

    def count(state: MessageState, *where):
        return (select(func.count()).select_from(OutboundMessage)
                .where(OutboundMessage.state == state, *where).scalar_subquery())

    late = OutboundMessage.not_before < late_before
    return [
        count(MessageState.PENDING, late, ~PAUSED_FAMILY).label("overdue"),
        count(MessageState.PENDING, late, PAUSED_FAMILY).label("paused"),
        count(MessageState.FAILED).label("failed"),
        count(MessageState.EXPIRED).label("expired"),
        count(MessageState.UNKNOWN).label("unknown"),
    ]


def backlog(*, now: datetime, stale_after: timedelta) -> dict[str, int]:
    """Counts for /healthz and the dashboard: overdue, failed, expired and unknown rows, and the
    rows an open detention case holds (paused on purpose, so never counted as overdue). One query."""
    row = db.session.execute(select(*backlog_counts(late_before=now - stale_after))).one()
    return {name: row._mapping[name] or 0 for name in BACKLOG}
