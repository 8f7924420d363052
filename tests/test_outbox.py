"""The outbox's state moves: expiry, claiming once, recovery after a crash, backoff, the log's actions."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from accompany.database import db as _db
from accompany.models import MessageState, OptOut, OutboundMessage, RecipientKind
from accompany.services.messaging import message_log, outbox
from tests.conftest import NOW

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant


def _row(make, key="k", **fields):
    values = dict(dedupe_key=key, kind="family_reminder_1d", recipient_kind=RecipientKind.FAMILY,
                  family=fields.pop("family", None) or make.family(), not_before=NOW - timedelta(minutes=1),
                  send_before=NOW + timedelta(hours=5), created_at=NOW, state=MessageState.PENDING, attempts=0)
    values.update(fields)
    row = OutboundMessage(**values)
    _db.session.add(row)
    _db.session.flush()
    return row


def test_a_row_past_send_before_expires_and_is_never_claimed(make, db):
    late = _row(make, "late", send_before=NOW)
    due = _row(make, "due")
    assert outbox.expire_overdue(now=NOW) == 1
    assert outbox.claim_due(now=NOW, limit=10).ids == [due.id]
    db.session.refresh(late)
    assert late.state == MessageState.EXPIRED


def test_rows_not_yet_due_are_left_alone(make, db):
    _row(make, "later", not_before=NOW + timedelta(minutes=5))
    assert outbox.claim_due(now=NOW, limit=10).rows == []


def test_two_senders_claiming_at_once_never_share_a_row(app, make, db):
    family = make.family()
    for n in range(40):
        _row(make, f"m{n}", family=family)
    db.session.commit()
    barrier, taken = threading.Barrier(2), []

    def sender():
        barrier.wait()
        with app.app_context():
            batch = outbox.claim_due(now=NOW, limit=30)
            _db.session.commit()
            taken.append(batch.ids)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    first, second = taken
    assert not set(first) & set(second)
    rest = outbox.claim_due(now=NOW, limit=100).ids
    assert sorted(first + second + rest) == sorted(set(first + second + rest))
    assert len(first + second + rest) == 40


def test_an_abandoned_claim_goes_again_but_a_handed_over_one_becomes_unknown(make, db):
    never_handed, handed = _row(make, "a"), _row(make, "b")
    claimed = outbox.claim_due(now=NOW, limit=10)
    assert len(claimed.rows) == 2
    assert outbox.hand_over(handed.id, claimed.token, body="x", segments=1, language=None, now=NOW)
    assert outbox.recover_abandoned(now=NOW + timedelta(minutes=1), lease=timedelta(minutes=2)) == (0, 0)
    assert outbox.recover_abandoned(now=NOW + timedelta(minutes=3), lease=timedelta(minutes=2)) == (1, 1)
    db.session.expire_all()
    assert db.session.get(OutboundMessage, never_handed.id).state == MessageState.PENDING
    assert db.session.get(OutboundMessage, handed.id).state == MessageState.UNKNOWN


def test_retries_back_off_and_stop_at_the_window(make, db):
    row = _row(make, send_before=NOW + timedelta(minutes=3))
    token = outbox.claim_due(now=NOW, limit=1).token
    assert outbox.retry_later(row.id, token, attempts=1, send_before=row.send_before, now=NOW, error_code="20429",
                              error_message="Too many requests")
    db.session.refresh(row)
    assert (row.state, row.not_before) == (MessageState.PENDING, NOW + timedelta(seconds=30))
    token = outbox.claim_due(now=NOW + timedelta(seconds=30), limit=1).token
    assert outbox.retry_later(row.id, token, attempts=4, send_before=row.send_before, now=NOW + timedelta(seconds=30),
                              error_code="503", error_message="Unavailable")
    db.session.refresh(row)
    assert row.state == MessageState.EXPIRED  # 4 minutes later would be past its window


def test_an_opt_out_is_recorded_once_per_number(make, db):
    outbox.record_opt_out("+16175550142", now=NOW, keyword="STOP")
    outbox.record_opt_out("+16175550142", now=NOW + timedelta(days=1), keyword="carrier 21610")
    rows = db.session.scalars(select(OptOut)).all()
    assert len(rows) == 1 and rows[0].active and rows[0].keyword == "carrier 21610"


def test_the_log_cancels_retries_and_settles(make, db):
    coordinator = make.coordinator()
    planned, failed, unknown = _row(make, "p"), _row(make, "f", state=MessageState.FAILED), _row(make, "u", state=MessageState.UNKNOWN)
    message_log.cancel_message(planned, by=coordinator, now=NOW)
    message_log.retry_message(failed, by=coordinator, now=NOW)
    message_log.settle_unknown(unknown, arrived=True, by=coordinator, now=NOW)
    assert [r.state for r in (planned, failed, unknown)] == [MessageState.CANCELLED, MessageState.PENDING, MessageState.SENT]
    with pytest.raises(message_log.WrongState):
        message_log.settle_unknown(unknown, arrived=False, by=coordinator, now=NOW)
    closed = _row(make, "c", state=MessageState.FAILED, send_before=NOW)
    with pytest.raises(message_log.TooLate):
        message_log.retry_message(closed, by=coordinator, now=NOW)


@pytest.mark.parametrize("act", ["cancel", "retry", "settle"])
def test_the_log_acts_only_on_the_state_its_request_read(make, db, act):
    """The button pressed twice, or the dispatcher moving the row meanwhile: the second change
    finds the row no longer in the state it read, and changes nothing."""
    coordinator = make.coordinator()
    was = {"cancel": MessageState.PENDING, "retry": MessageState.FAILED, "settle": MessageState.UNKNOWN}[act]
    row = _row(make, "r", state=was)
    assert row.state == was  # what this request read; another moves it on behind its back:
    db.session.execute(update(OutboundMessage).where(OutboundMessage.id == row.id)
                       .values(state=MessageState.SENT).execution_options(synchronize_session=False))
    with pytest.raises(message_log.WrongState):
        {"cancel": lambda: message_log.cancel_message(row, by=coordinator, now=NOW),
         "retry": lambda: message_log.retry_message(row, by=coordinator, now=NOW),
         "settle": lambda: message_log.settle_unknown(row, arrived=False, by=coordinator, now=NOW)}[act]()
    db.session.expire_all()
    assert db.session.get(OutboundMessage, row.id).state == MessageState.SENT


def test_the_unfilled_digest_goes_once_a_day_after_eight_and_only_when_needed(make, db):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from accompany.services.messaging.staff_texts import plan_unfilled_digest

    coordinator = make.coordinator(phone="617-555-0170", sms_opt_in=True)
    make.coordinator()  # no phone: sees the dashboard instead
    boston = ZoneInfo("America/New_York")
    early = datetime(2026, 11, 23, 7, 59, tzinfo=boston)
    morning = datetime(2026, 11, 23, 8, 0, tzinfo=boston)
    assert plan_unfilled_digest(now=early, unfilled=3) == []
    assert plan_unfilled_digest(now=morning, unfilled=0) == []
    first = plan_unfilled_digest(now=morning, unfilled=3)
    assert [r.user_id for r in first] == [coordinator.id]
    message_log.cancel_message(first[0], by=coordinator, now=morning)
    assert plan_unfilled_digest(now=morning + timedelta(hours=2), unfilled=2) == []  # a cancel sticks
    assert first[0].state == MessageState.CANCELLED
    next_day = plan_unfilled_digest(now=morning + timedelta(days=1), unfilled=2)
    assert next_day[0].id != first[0].id


def test_a_coordinators_action_compares_against_the_state_the_page_showed(app, make, db):
    """The dispatcher claims a planned text after the coordinator's request loaded it: the cancel
    says it moved on and leaves the dispatcher's claim alone. A second "send again" on a failed
    text finds it already pending and does nothing."""
    coordinator = make.coordinator()
    planned, failed = _row(make, "p"), _row(make, "f", state=MessageState.FAILED)
    db.session.commit()
    assert planned.state == MessageState.PENDING  # what the coordinator's page saw
    with app.app_context():  # the dispatcher, in its own session
        token = outbox.claim_due(now=NOW, limit=10).token
        _db.session.commit()
    with pytest.raises(message_log.WrongState):
        message_log.cancel_message(planned, by=coordinator, now=NOW)
    db.session.rollback()
    row = db.session.get(OutboundMessage, planned.id, populate_existing=True)
    assert (row.state, row.claim_token) == (MessageState.SENDING, token)

    seen_twice = [db.session.get(OutboundMessage, failed.id, populate_existing=True)] * 2
    message_log.retry_message(seen_twice[0], by=coordinator, now=NOW)
    stale = OutboundMessage(id=failed.id, state=MessageState.FAILED, send_before=failed.send_before, kind=failed.kind)
    with pytest.raises(message_log.WrongState):
        message_log.retry_message(stale, by=coordinator, now=NOW)  # the second tap saw it failed too
