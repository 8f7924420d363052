"""Delivery status from the carrier: it moves an outbox row forward, never back (DESIGN §6.6).

The order is queued < sent < (delivered | undelivered | failed); the last three are final and
whichever comes first stays. Callbacks arrive late, twice, or out of order, and two can race on
two web workers, so each change is one compare-and-set UPDATE that only matches a row still
behind the new status: a repeat or a late "sent" matches nothing.

A row left `unknown` (the send timed out) is settled by any callback for it: the message did
reach the carrier. Such a row has no provider SID yet, so it is found by the outbox id the
callback URL carries (`?m=<id>`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, literal, select, update

from accompany.database import UTCDateTime, db
from accompany.models import MessageState, OutboundMessage
from accompany.services.messaging import outbox
from accompany.services.messaging.sms.gateway import blocks_number, describe_code

log = logging.getLogger(__name__)

# Twilio's MessageStatus values, as our states. Anything else ("canceled", "receiving", ...) is
# not about delivery of a message we sent and changes nothing.
TWILIO_STATUSES = {
    "accepted": MessageState.QUEUED,
    "scheduled": MessageState.QUEUED,
    "queued": MessageState.QUEUED,
    "sending": MessageState.QUEUED,  # still on Twilio's side
    "sent": MessageState.SENT,
    "delivered": MessageState.DELIVERED,
    "read": MessageState.DELIVERED,
    "partially_delivered": MessageState.DELIVERED,
    "undelivered": MessageState.UNDELIVERED,
    "failed": MessageState.FAILED,
}
RANK = {
    MessageState.UNKNOWN: 0,
    MessageState.QUEUED: 1,
    MessageState.SENT: 2,
    MessageState.DELIVERED: 3,
    MessageState.UNDELIVERED: 3,
    MessageState.FAILED: 3,
}
FAILURES = (MessageState.UNDELIVERED, MessageState.FAILED)


def states_before(target: MessageState) -> list[MessageState]:
    """The states a callback saying `target` may move a row out of."""
    return [state for state, rank in RANK.items() if rank < RANK[target]]


def record_status(provider_sid: str, status: str, error_code: str | None = None, *, now: datetime,
                  message_id: int | None = None) -> OutboundMessage | None:
    """Apply a delivery status to the row Twilio knows as `provider_sid` (or, for a row left
    `unknown`, the row `message_id`). Returns the row when it moved, None when nothing changed."""
    target = TWILIO_STATUSES.get((status or "").strip().lower())
    if target is None:
        log.info("delivery status %r for %s ignored: not a delivery state", status, provider_sid)
        return None
    values = {
        "state": target,
        "status_at": now,
        # It reached the carrier: a row settled from `unknown` gets the time we learned it.
        "sent_at": func.coalesce(OutboundMessage.sent_at, literal(now, UTCDateTime())),
    }
    if target in FAILURES:
        code = (error_code or "").strip()[:16] or None
        values.update(error_code=code, error_message=describe_code(code) or "The carrier could not deliver it.")

    row_id = db.session.scalar(select(OutboundMessage.id).where(OutboundMessage.provider_sid == provider_sid))
    if row_id is not None:
        moved = _move(OutboundMessage.id == row_id, states_before(target), values)
    elif message_id is not None:
        # Before our own record of the send is committed (SENDING), or after a lost answer (UNKNOWN).
        moved = _move(OutboundMessage.id == message_id, [MessageState.SENDING, MessageState.UNKNOWN],
                      {**values, "provider_sid": provider_sid}, OutboundMessage.provider_sid.is_(None))
        row_id = message_id if moved else None
    else:
        log.info("delivery status %s for %s: no outbox row has that SID", target.value, provider_sid)
        return None
    if not moved:
        log.info("delivery status %s for %s changed nothing (repeat, late or not ours)", target.value, provider_sid)
        return None
    db.session.flush()
    log.info("outbox row %s is now %s (%s)", row_id, target.value, provider_sid)
    row = db.session.get(OutboundMessage, row_id, populate_existing=True)
    if target in FAILURES and blocks_number(values["error_code"]):
        outbox.block_number(row, code=values["error_code"], now=now)  # as if the send had said so
    return row


def _move(which, from_states: list[MessageState], values: dict, *conditions) -> bool:
    """Compare-and-set: update the row only while it is still in one of `from_states`."""
    return bool(
        db.session.execute(
            update(OutboundMessage)
            .where(which, OutboundMessage.state.in_(from_states), *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    )
