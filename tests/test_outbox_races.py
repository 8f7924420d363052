"""The outbox under races: two senders, a lease that runs out, a slow or hung carrier, callbacks
that beat our own answer. Every move of a claimed row compares against the token this sender
claimed it with, never a reloaded value (issue 12, points 1–5)."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from accompany.clock import utcnow
from accompany.database import db as _db
from accompany.models import MessageState, OutboundMessage, SchedulerHeartbeat
from accompany.services.messaging import outbox
from accompany.services.messaging.dispatch import Pacer, send_due
from accompany.services.messaging.heartbeat import record_heartbeat
from accompany.services.scheduling.claims import claim_slot
from tests.conftest import NOW


def _rows(make, count: int, *, start=None, window=None) -> list[int]:
    """`count` due texts: each of `count` volunteers has just taken a shift ("your shift" text).
    `window`: how long each stays sendable (default: as planned)."""
    start = start or utcnow()
    ids = []
    for n in range(count):
        volunteer = make.volunteer(phone=f"617-555-{n + 100:04d}", sms_opt_in=True)
        claim_slot(make.shift(starts_at=start + timedelta(days=3, hours=n)), volunteer, now=start - timedelta(minutes=1))
        _db.session.flush()
        row = _db.session.scalars(select(OutboundMessage).where(OutboundMessage.user_id == volunteer.id, OutboundMessage.kind == "volunteer_claimed")).one()
        if window is not None:
            row.send_before = start + window
        ids.append(row.id)
    # Only these: the families' own texts about the new appointments are another matter.
    _db.session.execute(update(OutboundMessage).where(OutboundMessage.id.not_in(ids)).values(state=MessageState.CANCELLED))
    _db.session.commit()
    return ids


def _states(db) -> dict:
    db.session.expire_all()
    return dict(db.session.execute(select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)).all())


class Gate:
    """Wraps a gateway: the first send waits until `release` is set (a paused or hung request)."""

    def __init__(self, inner, *, first_waits: float = 30):
        self.inner, self.first_waits = inner, first_waits
        self.first_started, self.release = threading.Event(), threading.Event()
        self.calls = 0
        self.lock = threading.Lock()

    def send(self, to, body, **kwargs):
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            self.first_started.set()
            self.release.wait(self.first_waits)
        return self.inner.send(to, body, **kwargs)


def test_a_sender_whose_claims_were_recovered_and_reclaimed_sends_none_of_them(app, make, db, gateway):
    """Sender A is stuck on its first request past the lease (a pause, a slow carrier) and cannot
    renew it; sender B recovers A's other rows, claims them and starts sending. When A comes back
    while B is still at it, every row A has not handed over is B's now: A sends none of them,
    and nothing goes twice."""
    ids = _rows(make, 4, start=NOW)
    app.config.update(SMS_MAX_IN_FLIGHT=1)  # each sender has one request out, the rest wait for the slot
    gate_a, gate_b = Gate(gateway), Gate(gateway)
    results = {}

    def sender(name, gate, moment):
        with app.app_context():
            results[name] = send_due(gate, clock=lambda: moment, rate=0)

    a = threading.Thread(target=sender, args=("a", gate_a, NOW))
    a.start()
    assert gate_a.first_started.wait(30)
    b = threading.Thread(target=sender, args=("b", gate_b, NOW + timedelta(minutes=3)))  # A's lease (2 min) is over
    b.start()
    assert gate_b.first_started.wait(30)  # B has recovered and claimed A's three other rows
    gate_a.release.set()
    a.join(60)
    gate_b.release.set()
    b.join(60)

    sent_to = [to for to, _ in gateway.sent]
    assert len(sent_to) == len(set(sent_to)) == len(ids)  # every row once
    assert results["a"]["sent"] == 1 and results["a"]["lost"] == 3
    assert results["b"]["sent"] == 3 and results["b"]["unknown"] == 1  # A's handed-over row went unknown
    # A's answer settles the row B marked unknown: it did reach the carrier.
    assert _states(db)[MessageState.QUEUED] == 4


def test_a_live_sender_keeps_its_claims_however_long_the_batch_takes(app, make, db, gateway):
    """The lease is renewed while a batch runs, so another sender never takes rows from a live one."""
    ids = _rows(make, 6)
    app.config.update(SMS_LEASE_SECONDS=2, SMS_MAX_IN_FLIGHT=1)  # renewed every 0.5 s; the batch takes ~3.6 s

    class Slow:
        def send(self, to, body, **kwargs):
            time.sleep(0.6)
            return gateway.send(to, body, **kwargs)

    beats, results, stop = [], {}, threading.Event()

    def sender_a():
        with app.app_context():
            results["a"] = send_due(Slow(), rate=0, keepalive=beats.append)
        stop.set()

    def sender_b():
        with app.app_context():
            while not stop.is_set():
                results.setdefault("b", []).append(send_due(gateway, rate=0)["claimed"])
                time.sleep(0.1)

    threads = [threading.Thread(target=sender_a), threading.Thread(target=sender_b)]
    threads[0].start()
    time.sleep(0.3)  # A has claimed the batch
    threads[1].start()
    for thread in threads:
        thread.join(60)
    assert results["a"]["sent"] == len(ids) and sum(results["b"]) == 0
    assert len(gateway.sent) == len(ids)
    assert len(beats) >= 3  # the heart beat while the batch ran (3.6 s, every 0.5 s)


def test_a_hung_request_holds_up_no_other(app, make, db, gateway):
    """One request hangs; the rest of the batch goes meanwhile (before this, one after another)."""
    ids = _rows(make, 5)
    others_done = threading.Event()

    class FirstHangs(Gate):
        def send(self, to, body, **kwargs):
            result = super().send(to, body, **kwargs)
            if len(gateway.sent) == len(ids) - 1 and not self.release.is_set():
                others_done.set()
                self.release.set()
            return result

    hanging = FirstHangs(gateway, first_waits=20)
    started = time.monotonic()
    outcomes = send_due(hanging, rate=0)
    assert others_done.is_set()  # the other four went while the first was still out
    assert time.monotonic() - started < 15
    assert outcomes["sent"] == len(ids) and len(gateway.sent) == len(ids)


def test_the_window_is_checked_after_the_pacers_wait_and_the_carrier_is_told_it(app, make, db, gateway):
    """A row whose window closes while it waits its turn expires; a row that goes tells the carrier
    to give up when its window closes (Twilio's ValidityPeriod), at most 4 hours."""
    start = NOW
    moment = {"now": start}
    short = _rows(make, 2, start=start - timedelta(minutes=1), window=timedelta(seconds=105))
    (long_row,) = _rows(make, 1, start=start, window=timedelta(days=1))
    db.session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(short)).values(state=MessageState.PENDING))
    db.session.commit()

    def sleep(seconds):
        moment["now"] += timedelta(seconds=seconds)

    pacer = Pacer(1 / 60, sleep=sleep, monotonic=lambda: (moment["now"] - start).total_seconds())
    outcomes = send_due(gateway, clock=lambda: moment["now"], pacer=pacer)
    # One text a minute: the first short-window row goes at once, the second's window (45 s)
    # closes while it waits its turn, the long one (a day) goes a minute later.
    assert (outcomes["sent"], outcomes["expired"]) == (2, 1)
    assert gateway.valid_for == [45, 24 * 3600 - 60]  # seconds left in each window
    db.session.expire_all()
    assert db.session.get(OutboundMessage, short[1]).state == MessageState.EXPIRED


def test_the_twilio_request_carries_the_validity_cut_to_the_window(app):
    from accompany.services.messaging.sms.twilio_backend import TwilioGateway
    from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

    with FakeTwilio() as twilio:
        gateway = TwilioGateway(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number="+16175550100",
                                api_base_url=twilio.base_url)
        gateway.send("+16175550142", "a", valid_for=600)
        gateway.send("+16175550142", "b", valid_for=90000)
        gateway.send("+16175550142", "c")
        assert [m.form["ValidityPeriod"] for m in twilio.messages] == ["600", "14400", "14400"]


def test_two_schedulers_starting_on_an_empty_heartbeat_table_both_beat(app, db):
    barrier, errors = threading.Barrier(2), []

    def beat():
        with app.app_context():
            try:
                barrier.wait()
                record_heartbeat("scheduler", now=utcnow())
                _db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports it
                errors.append(error)

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(SchedulerHeartbeat)) == 1


def test_a_retry_or_failure_after_another_sender_took_the_row_changes_nothing(make, db):
    """The failed, retry and unknown branches move a row only from `sending` with our token."""
    (row_id,) = _rows(make, 1, start=NOW)
    ours = outbox.claim_due(now=NOW, limit=1).token
    db.session.commit()
    assert outbox.recover_abandoned(now=NOW + timedelta(minutes=3), lease=timedelta(minutes=2)) == (1, 0)
    theirs = outbox.claim_due(now=NOW + timedelta(minutes=3), limit=1).token
    assert ours != theirs
    assert not outbox.hand_over(row_id, ours, body="x", segments=1, language=None, now=NOW)
    assert not outbox.retry_later(row_id, ours, attempts=1, send_before=NOW + timedelta(hours=5), now=NOW,
                                  error_code="20429", error_message="slow down")
    for state in (MessageState.FAILED, MessageState.UNKNOWN, MessageState.QUEUED):
        assert not outbox.finish(row_id, ours, state, now=NOW)
    row = db.session.get(OutboundMessage, row_id, populate_existing=True)
    assert (row.state, row.claim_token, row.attempts) == (MessageState.SENDING, theirs, 0)


def test_two_scheduler_processes_one_paused_past_the_lease_send_every_row_exactly_once(app, make, db, database_url,
                                                                                        tmp_path):
    """Two real `flask scheduler` processes, a carrier that takes 1 s to answer, and the first
    scheduler stopped (SIGSTOP) for twice the lease in the middle of its batch: every row reaches
    the carrier exactly once, and each ends queued (bench/two_schedulers.py runs it at full size)."""
    from tests.conftest import clock_env
    from tests.support.two_schedulers import run_two_schedulers

    ids = _rows(make, 30)
    env = {**clock_env(), "ACCOMPANY_ENV": "development", "ACCOMPANY_INSTANCE_DIR": str(tmp_path),
           "DATABASE_URL": database_url, "SECRET_KEY": "x" * 32,
           "FIELD_ENCRYPTION_KEYS": ",".join(app.config["FIELD_ENCRYPTION_KEYS"]),
           "BLIND_INDEX_KEY": app.config["BLIND_INDEX_KEY"]}
    report = run_two_schedulers(database_url, env, latency=1.0, rate=10, lease=2, batch=10, pause_after=5,
                                pause_seconds=4, interval=0.3, timeout=120)
    assert report["exit_codes"] == [0, 0], report["outputs"]
    assert (report["doubled"], report["missing"]) == (0, 0), report
    assert report["rows_with_one_request"] == report["requests"] == report["rows"] == len(ids)
    assert report["states"].get("queued") == len(ids), report["states"]


def test_a_database_error_mid_batch_still_records_the_requests_already_out(app, make, db, gateway, monkeypatch):
    """The dispatcher's own thread fails while preparing a row (here: a statement the database
    refuses, which on PostgreSQL also aborts the transaction); the requests it had already sent are
    still recorded, then the error is raised."""
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from accompany.services.messaging import dispatch

    ids = _rows(make, 3)
    real_hand_over, calls = outbox.hand_over, []

    def fails_on_the_third(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            _db.session.execute(text("SELECT count(*) FROM no_such_table"))
        return real_hand_over(*args, **kwargs)

    monkeypatch.setattr(dispatch.outbox, "hand_over", fails_on_the_third)
    with pytest.raises(DatabaseError):
        send_due(gateway, rate=0)
    states = _states(db)
    assert states[MessageState.QUEUED] == 2 and len(gateway.sent) == 2
    assert db.session.get(OutboundMessage, ids[2]).state == MessageState.SENDING  # the lease recovers it
