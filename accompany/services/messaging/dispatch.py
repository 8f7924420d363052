"""Sending what is due from the outbox (DESIGN §6, points 3–5), one committed step at a time.

For each row: claim it (commit) → re-check consent and opt-out, render the text from current
data → note the hand-over (commit) → call the carrier → record the result (commit). A crash
before the hand-over leaves a row the next run takes again; a crash after it leaves a row that
becomes UNKNOWN for a coordinator to reconcile. Never resent silently, never dropped silently.
Run by the scheduler's tick and by `flask --app wsgi reminders send-due`; never by web workers.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app

from accompany.clock import utcnow
from accompany.database import db
from accompany.models import MessageState, OutboundMessage
from accompany.services.messaging import codes, outbox, planning
from accompany.services.messaging.facts import NothingToSay, UnknownKind
from accompany.services.messaging.rendering import render_text
from accompany.services.messaging.sms.gateway import (
    FinalError,
    Gateway,
    RetryableError,
    UnknownOutcome,
    status_callback_url,
)

log = logging.getLogger(__name__)


class Pacer:
    """Holds sending to a rate (messages per second) across one run."""

    def __init__(self, per_second: float, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.sleep, self.monotonic = sleep, monotonic
        self.next_at = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.monotonic()
        if now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = max(self.next_at, now) + self.interval


def recipient_phone(row: OutboundMessage) -> str | None:
    """The number to text now, or None when consent, opt-in or opt-out says not to."""
    if row.kind.is_one_time_code:  # to the number it was asked for, which may not be theirs yet
        return codes.destination(row)
    if row.family is not None:
        return row.family.phone if planning.family_may_be_texted(row.family) else None
    return row.user.phone if row.user is not None and planning.user_may_be_texted(row.user) else None


def send_due(
    gateway: Gateway, *, clock: Callable[[], datetime] = utcnow, limit: int | None = None,
    rate: float | None = None, pacer: Pacer | None = None,
) -> Counter:
    """Send what is due now, once. Returns counts by outcome (no personal data)."""
    config = current_app.config
    outcomes: Counter = Counter()
    now = clock()
    outcomes["expired"] += outbox.expire_overdue(now=now)
    retried, unknown = outbox.recover_abandoned(now=now, lease=timedelta(seconds=config["SMS_LEASE_SECONDS"]))
    outcomes["recovered"] += retried
    outcomes["unknown"] += unknown
    db.session.commit()

    rows = outbox.claim_due(now=now, limit=limit or config["SMS_BATCH_SIZE"])
    db.session.commit()
    outcomes["claimed"] = len(rows)
    pacer = pacer or Pacer(config["SMS_RATE_PER_SECOND"] if rate is None else rate)
    for row in rows:
        outcomes[_send_one(row, gateway, clock=clock, pacer=pacer)] += 1
    if rows or any(outcomes.values()):
        log.info("outbox run: %s", dict(outcomes))
    return outcomes


def _send_one(row: OutboundMessage, gateway: Gateway, *, clock, pacer: Pacer) -> str:
    now = clock()
    if row.send_before <= now:
        outbox.finish(row, MessageState.EXPIRED, now=now)
        db.session.commit()
        return "expired"
    phone = recipient_phone(row)
    if phone is None:
        outbox.finish(row, MessageState.CANCELLED, now=now, error_message="No consent, no phone, or the number opted out.")
        db.session.commit()
        return "cancelled"
    try:
        text = render_text(row, now=now, first_contact=not outbox.has_been_texted(row))
    except NothingToSay:
        outbox.finish(row, MessageState.CANCELLED, now=now, error_message="Nothing left to say: its subject is gone.")
        db.session.commit()
        return "cancelled"
    except UnknownKind:
        outbox.finish(row, MessageState.FAILED, now=now, error_message=f"No wording exists for {row.kind.value!r} messages.")
        db.session.commit()
        return "failed"
    if not outbox.hand_over(row, body=text.body, segments=text.segments, language=text.language, now=now):
        db.session.rollback()
        return "lost"
    db.session.commit()

    callback = status_callback_url(row.id)
    pacer.wait()
    try:
        result = gateway.send(phone, text.body, status_callback=callback)
    except FinalError as error:
        outbox.finish(row, MessageState.FAILED, now=clock(), error_code=error.code, error_message=error.message)
        if error.opted_out or error.bad_number:
            outbox.block_number(row, code=error.code, now=clock())
        db.session.commit()
        return "failed"
    except RetryableError as error:
        outbox.retry_later(row, now=clock(), error_code=error.code, error_message=error.message)
        db.session.commit()
        return "retry"
    except UnknownOutcome as error:
        outbox.finish(row, MessageState.UNKNOWN, now=clock(), error_code=error.code,
                      error_message=error.message or "No answer from the carrier: check whether it arrived.")
        db.session.commit()
        return "unknown"
    outbox.finish(row, result.state, now=clock(), provider_sid=result.provider_sid)
    db.session.commit()
    return "sent"

