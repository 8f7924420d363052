"""Sending what is due from the outbox (DESIGN §6, points 3–5), one committed step at a time.

For each row: claim it (commit) → re-check consent and opt-out, render the text from current
data → note the hand-over (commit) → call the carrier → record the result (committed with the
next row's hand-over, or at once when it did not go, or before the sender waits). A crash
before the hand-over leaves a row the next run takes again; a crash after it leaves a row that
becomes UNKNOWN for a coordinator to reconcile. Never resent silently, never dropped silently.
Run by the scheduler's tick and by `flask --app wsgi reminders send-due`; never by web workers.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from accompany.clock import utcnow
from accompany.database import db
from accompany.models import MessageState, OutboundMessage
from accompany.services.messaging import audience, codes, outbox
from accompany.services.messaging.facts import NothingToSay, UnknownKind
from accompany.services.messaging.prefetch import ONE_BY_ONE, Lookups, Prefetched, prefetch, recipient_key
from accompany.services.messaging.quiet_hours import QuietHours
from accompany.services.messaging.rendering import TextTooLong, render_text
from accompany.services.messaging.sms.gateway import (
    FinalError,
    Gateway,
    RetryableError,
    UnknownOutcome,
    status_callback_url,
)

log = logging.getLogger(__name__)

# What a text says and whether its number may be texted are read for many rows at once
# (prefetch.py), at most this many seconds before each of those rows is handed over: rows whose
# turn comes later are read again (DESIGN §6.4: what is true when it goes, opt-outs included).
FRESH_FOR = 1.0


class Pacer:
    """Holds sending to a rate (messages per second) across one run, or across ticks."""

    def __init__(self, per_second: float, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.sleep, self.monotonic = sleep, monotonic
        self.next_at = 0.0

    def delay(self) -> float:
        """Seconds until the next send may go (0: now)."""
        return max(self.next_at - self.monotonic(), 0.0) if self.interval else 0.0

    def take(self) -> None:
        """A send goes now: the next one waits an interval from this one's slot (or from now,
        when this one is late by more than an interval), so a little lateness never drifts."""
        if self.interval:
            now = self.monotonic()
            self.next_at = (self.next_at if now - self.next_at < self.interval else now) + self.interval

    def wait(self) -> None:
        if not self.interval:
            return
        pause = self.delay()
        if pause:
            self.sleep(pause)
        self.take()


def recipient_phone(row: OutboundMessage, lookups: Lookups = ONE_BY_ONE) -> str | None:
    """The number to text now, or None when consent, opt-in or opt-out says not to."""
    if row.kind.is_one_time_code:  # to the number it was asked for, which may not be theirs yet
        return codes.destination(row)
    if row.family is not None:
        return row.family.phone if audience.family_may_be_texted(row.family, opted_out=lookups.opted_out) else None
    if row.user is None or not audience.user_may_be_texted(row.user, opted_out=lookups.opted_out):
        return None
    return row.user.phone


def send_due(
    gateway: Gateway, *, clock: Callable[[], datetime] = utcnow, limit: int | None = None,
    rate: float | None = None, pacer: Pacer | None = None, keepalive: Callable[[datetime], None] | None = None,
) -> Counter:
    """Send everything due now, batch after batch, once. Returns counts by outcome (no personal data).

    `limit` is the batch size (default SMS_BATCH_SIZE). Requests to the carrier run side by side
    (at most SMS_MAX_IN_FLIGHT at once), so a slow or hung request delays no other: the pacer's
    rate is the only limit. This thread does all the database work; while requests are out it
    renews the lease on its claims and calls `keepalive(now)` (the scheduler's heartbeat),
    committing both, at least every quarter lease. What the rows need is read a batch at a time
    (prefetch.py), no older than FRESH_FOR when a row goes."""
    session = db.session()
    # A commit leaves what was read in memory: a row's commits would otherwise make the next row
    # read its recipient and subject again. Freshness is kept by reading again (FRESH_FOR).
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        return _send_due(gateway, clock=clock, limit=limit, rate=rate, pacer=pacer, keepalive=keepalive)
    finally:
        session.expire_on_commit = expire_on_commit
        session.expire_all()  # as after any commit: the caller reads the rows as they are now


def _send_due(gateway: Gateway, *, clock, limit, rate, pacer, keepalive) -> Counter:
    config = current_app.config
    outcomes: Counter = Counter()
    now = clock()
    lease = timedelta(seconds=config["SMS_LEASE_SECONDS"])
    outcomes["expired"] += outbox.expire_overdue(now=now)
    retried, unknown = outbox.recover_abandoned(now=now, lease=lease)
    outcomes["recovered"] += retried
    outcomes["unknown"] += unknown
    db.session.commit()

    batch_size = limit or config["SMS_BATCH_SIZE"]
    pacer = pacer or Pacer(config["SMS_RATE_PER_SECOND"] if rate is None else rate)
    run = _Run(gateway, clock=clock, pacer=pacer, outcomes=outcomes, lease=lease, keepalive=keepalive,
               max_in_flight=max(int(config["SMS_MAX_IN_FLIGHT"]), 1))
    try:
        while True:
            batch = outbox.claim_due(now=clock(), limit=batch_size)
            run.save()
            outcomes["claimed"] += len(batch.rows)
            run.send_batch(batch)
            if len(batch.rows) < batch_size:
                break
    except BaseException:
        run.rollback()  # what failed here is undone; what is out still gets recorded
        run.drain()
        raise
    run.drain()
    if any(outcomes.values()):
        log.info("outbox run: %s", dict(outcomes))
    return outcomes


@dataclass(frozen=True)
class _Out:
    """A request on its way to the carrier, with what this sender knew when it handed it over."""

    row_id: int
    token: str
    attempts: int
    send_before: datetime
    hours: QuietHours | None  # the recipient's, for a retry
    recipient: tuple[str, int]


class _Run:
    """One `send_due` run: prepares and records sends here, makes the requests in a thread pool."""

    def __init__(self, gateway: Gateway, *, clock, pacer: Pacer, outcomes: Counter, lease: timedelta,
                 keepalive, max_in_flight: int):
        self.gateway, self.clock, self.pacer, self.outcomes = gateway, clock, pacer, outcomes
        self.keepalive, self.max_in_flight = keepalive, max_in_flight
        self.renew_every = lease.total_seconds() / 4
        self.renewed_at = time.monotonic()
        self.tokens: Counter = Counter()  # claim token -> this run's rows still being worked on
        self.in_flight: dict[Future, _Out] = {}
        self.pool = ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="sms-send")
        self.crash: BaseException | None = None
        self.lookups: Prefetched | None = None
        self.read_at = 0.0
        # Sends that went, recorded in the open transaction: committed with the next row's
        # hand-over (one commit a text, not two), or before any wait, so no lock is held meanwhile.
        self.unsaved: list[tuple[_Out, MessageState, datetime, str | None]] = []

    def save(self) -> None:
        """Commit: the step just taken and the results recorded since the last commit."""
        db.session.commit()
        self.unsaved.clear()

    def rollback(self) -> None:
        """Undo the open transaction, but record again the sends it held (each a compare-and-set
        on this sender's token, as the first time) and commit them."""
        db.session.rollback()
        redo, self.unsaved = self.unsaved, []
        for out, state, now, provider_sid in redo:
            outbox.finish(out.row_id, out.token, state, now=now, provider_sid=provider_sid)
        if redo:
            self.save()

    def send_batch(self, batch: outbox.Batch) -> None:
        self.tokens[batch.token] += len(batch.rows)
        ids = batch.ids
        for at, row_id in enumerate(ids):
            while len(self.in_flight) >= self.max_in_flight:  # a free request slot
                self.collect(timeout=None)
            if not self.fresh(row_id):
                self.read(ids[at:at + self.read_ahead(len(ids))])
            outcome = self.start(row_id, batch.token)
            if outcome:
                self.outcomes[outcome] += 1

    def fresh(self, row_id: int) -> bool:
        return (self.lookups is not None and row_id in self.lookups.ids
                and self.pacer.monotonic() - self.read_at <= FRESH_FOR)

    def read_ahead(self, batch_size: int) -> int:
        """How many rows to read for: those that go within FRESH_FOR at the pacer's rate."""
        return max(int(FRESH_FOR / self.pacer.interval), 1) if self.pacer.interval else batch_size

    def read(self, ids: list[int]) -> None:
        """Read the rows with `ids` and what sending them needs, together and as they are now."""
        if self.unsaved:  # no write lock held while reading
            self.save()
        db.session.expire_all()
        self.read_at = self.pacer.monotonic()
        self.lookups = prefetch(ids=ids)

    def start(self, row_id: int, token: str) -> str | None:
        """Check one row's window and its recipient's hours (at night it waits for their morning),
        render and hand it over, wait for its turn, check its window again and send it off; or say
        why it does not go."""
        now = self.clock()
        row = db.session.get(OutboundMessage, row_id)
        if row.send_before <= now:
            return self.end(row_id, token, MessageState.EXPIRED, now=now)
        hours = audience.recipient_hours(row)
        if hours is not None and not hours.allows(now):  # due in their night: it waits for the morning
            outbox.wait_for_hours(row_id, token, hours=hours, send_before=row.send_before, now=now)
            self.save()
            self.done(token)
            return "waiting"
        lookups = self.lookups or ONE_BY_ONE
        phone = recipient_phone(row, lookups)
        if phone is None:
            return self.end(row_id, token, MessageState.CANCELLED, now=now,
                            error_message="No consent, no phone, or the number opted out.")
        try:
            # A voice call says only its words: no "Reply STOP" introduction spoken to someone.
            text = render_text(row, now=now, lookups=lookups,
                               first_contact=not row.kind.is_voice_call and not lookups.texted_before(row))
        except NothingToSay:
            return self.end(row_id, token, MessageState.CANCELLED, now=now,
                            error_message="Nothing left to say: its subject is gone.")
        except UnknownKind:
            return self.end(row_id, token, MessageState.FAILED, now=now,
                            error_message=f"No wording exists for {row.kind.value!r} messages.")
        except TextTooLong as error:  # never sent as three segments
            return self.end(row_id, token, MessageState.FAILED, now=now, error_message=str(error))
        out = _Out(row_id, token, row.attempts + 1, row.send_before, hours, recipient_key(row))
        if not outbox.hand_over(row_id, token, body=text.body, segments=text.segments, language=text.language,
                                now=now):
            self.rollback()  # (what rendering changed, a one-time code's hash, is not ours to keep)
            self.done(token)
            return "lost"  # another sender recovered it while this one was away: it is theirs now
        self.save()

        self.wait_for_turn()
        now = self.clock()
        seconds_left = int((out.send_before - now).total_seconds())
        if seconds_left < 1:  # its window closed while it waited its turn: it never went
            return self.end(row_id, token, MessageState.EXPIRED, now=now,
                            error_message="Its time to be sent ran out while it waited its turn.")
        self.pacer.take()
        # The carrier gives up when the window closes, rather than deliver a text no longer true.
        if row.kind.is_voice_call:  # the one gateway places it; its errors sort like a text's
            future = self.pool.submit(self.gateway.call, phone, text.body, language=text.language.value)
        else:
            future = self.pool.submit(self.gateway.send, phone, text.body,
                                      status_callback=status_callback_url(row_id), valid_for=seconds_left)
        self.in_flight[future] = out
        return None  # counted when it comes back

    def wait_for_turn(self) -> None:
        """Wait until the rate lets the next request go, recording what comes back meanwhile."""
        while pause := self.pacer.delay():
            if self.in_flight:
                self.collect(timeout=pause)
            else:
                if self.unsaved:
                    self.save()
                self.pacer.sleep(min(pause, self.until_renewal()))
                self.keep_alive()

    def end(self, row_id: int, token: str, state: MessageState, **fields) -> str:
        outbox.finish(row_id, token, state, **fields)
        self.save()
        self.done(token)
        return state.value

    def done(self, token: str) -> None:
        self.tokens[token] -= 1
        if self.tokens[token] <= 0:
            del self.tokens[token]

    def collect(self, timeout: float | None) -> None:
        """Record the requests that have come back (waiting up to `timeout` for one), keeping
        this sender's claims and heartbeat alive while requests are out."""
        timeout = self.until_renewal() if timeout is None else min(timeout, self.until_renewal())
        if self.unsaved:
            self.save()
        finished, _ = wait(list(self.in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in finished:
            self.outcomes[self.record(self.in_flight.pop(future), future)] += 1
        self.keep_alive()

    def until_renewal(self) -> float:
        return max(self.renew_every - (time.monotonic() - self.renewed_at), 0.0)

    def keep_alive(self) -> None:
        """Every quarter lease: renew the lease on this run's claims and beat the heart."""
        if self.until_renewal() > 0:
            return
        now = self.clock()
        outbox.renew_lease(list(self.tokens), now=now)
        if self.keepalive is not None:
            self.keepalive(now)
        self.save()
        self.renewed_at = time.monotonic()

    def record(self, out: _Out, future: Future) -> str:
        """Record how one request ended; every move is a compare-and-set on this sender's token."""
        now = self.clock()
        try:
            result = future.result()
        except FinalError as error:
            outbox.finish(out.row_id, out.token, MessageState.FAILED, now=now, error_code=error.code,
                          error_message=error.message)
            if error.opted_out or error.bad_number:
                outbox.block_number(db.session.get(OutboundMessage, out.row_id), code=error.code, now=now)
            outcome = "failed"
        except RetryableError as error:
            outbox.retry_later(out.row_id, out.token, attempts=out.attempts, send_before=out.send_before, now=now,
                               error_code=error.code, error_message=error.message, hours=out.hours)
            outcome = "retry"
        except UnknownOutcome as error:
            outbox.finish(out.row_id, out.token, MessageState.UNKNOWN, now=now, error_code=error.code,
                          error_message=error.message or "No answer from the carrier: check whether it arrived.")
            outcome = "unknown"
        except BaseException as error:  # noqa: BLE001 - a crash in a request: the others are still recorded
            self.crash = self.crash or error
            outcome = "crashed"  # left handed over: the lease makes it unknown, never sent twice
        else:
            outbox.finish(out.row_id, out.token, result.state, now=now, provider_sid=result.provider_sid)
            self.unsaved.append((out, result.state, now, result.provider_sid))
            if self.lookups is not None:  # the next text to this recipient needs no introduction
                self.lookups.note_texted(out.row_id, out.recipient)
            self.done(out.token)
            return "sent"  # committed with the next step (save)
        self.save()
        self.done(out.token)
        return outcome

    def drain(self) -> None:
        """Wait for every request still out and record it; then re-raise a crash, if any."""
        try:
            while self.in_flight:
                self.collect(timeout=None)
            if self.unsaved:
                self.save()
        finally:
            self.pool.shutdown(wait=True)
        if self.crash is not None:
            raise self.crash
