"""Sending a batch (issue 16): what its rows need is read together, a few statements per batch
rather than ten a text, and every row still goes exactly once, said as it is when it goes."""

from collections import Counter
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import insert, select

from accompany.database import db as _db
from accompany.models import AppointmentKind, MessageState, OptOut, OutboundMessage, ShiftRole
from accompany.services.messaging import dispatch
from accompany.services.messaging.dispatch import Pacer, send_due
from accompany.services.scheduling import appointments
from accompany.services.scheduling.claims import claim_slot
from accompany.services.scheduling.shifts import propose_shifts
from tests.conftest import NOW
from tests.support.queries import count_queries

# What each row costs on its own, whatever the batch: the hand-over and the result, each a
# compare-and-set UPDATE on the sender's claim token (their commits are not statements).
PER_ROW = 2


def fixed(moment):
    return lambda: moment


def _network(make, units: int, *, first: int) -> None:
    """`units` families, each with a hearing in two days (its 3-day reminder is due) and a
    volunteer who has just taken its companion shift ("your shift", and the family's "a volunteer
    is coming"): due texts of five kinds, to families and volunteers, each number its own."""
    coordinator = make.coordinator()
    for n in range(first, first + units):
        family = make.family(name=f"Rosa Quispe{n}", phone=f"617-555-{100 + n:04d}")
        details = appointments.AppointmentDetails(
            family=family, location=make.location(), kind=AppointmentKind.MASTER_CALENDAR,
            starts_at=NOW + timedelta(days=2, minutes=10 * n))
        plans = propose_shifts(details, [ShiftRole.COMPANION], family_language=family.language, town=family.town)
        appointment = appointments.create_appointment(details, plans, by=coordinator, now=NOW - timedelta(hours=1))
        volunteer = make.volunteer(phone=f"781-555-{100 + n:04d}", sms_opt_in=True, languages=["es"],
                                   court_training_on=date(2025, 5, 1))
        claim_slot(appointment.shifts[0], volunteer, now=NOW - timedelta(minutes=1))
    _db.session.commit()


def _due_ids(db) -> set[int]:
    return set(db.session.scalars(select(OutboundMessage.id).where(
        OutboundMessage.state == MessageState.PENDING, OutboundMessage.not_before <= NOW)))


def _sent_row_ids(gateway) -> Counter:
    """Row ids as the requests named them (each status callback URL carries its row's id)."""
    return Counter(int(parse_qs(urlsplit(url).query)["m"][0]) for url in gateway.status_callbacks)


def test_a_batch_runs_the_same_statements_however_many_rows_and_sends_each_row_once(app, make, db, gateway):
    app.config.update(PUBLIC_BASE_URL="https://accompany.example.org")  # status callbacks name the rows
    counts, due_sets = [], []
    for units, first in ((5, 0), (30, 10)):
        _network(make, units, first=first)
        due = _due_ids(db)
        # One batch, read once: on a clock that stands still, however busy the machine (a batch
        # that took longer than FRESH_FOR would read its later rows again, as it should).
        with count_queries(db.engine) as counted:
            outcomes = send_due(gateway, clock=fixed(NOW), limit=200, pacer=Pacer(0, monotonic=lambda: 0.0))
        assert outcomes["sent"] == len(due), outcomes
        counts.append(len(counted))
        due_sets.append(due)
    small, large = counts
    assert {len(d) for d in due_sets} == {5 * 3, 30 * 3}, "three due texts per family and volunteer pair"
    # Only the per-row updates grow with the batch: recipients, opt-outs, first contacts,
    # shifts, appointments, places and claims are read once for it.
    assert large - small == PER_ROW * (len(due_sets[1]) - len(due_sets[0])), (small, large)
    assert small - PER_ROW * len(due_sets[0]) <= 20
    # Every due row went exactly once, to its own recipient, and was recorded.
    assert _sent_row_ids(gateway) == Counter({row_id: 1 for due in due_sets for row_id in due})
    rows = db.session.scalars(select(OutboundMessage).where(OutboundMessage.id.in_(due_sets[0] | due_sets[1]))).all()
    assert {(row.state, row.attempts) for row in rows} == {(MessageState.QUEUED, 1)}
    assert {row.body for row in rows} == {body for _, body in gateway.sent}
    assert not any("Quispe" in body or "Rosa" in body for _, body in gateway.sent)


def test_the_batch_reads_the_same_texts_the_rows_read_one_by_one(app, make, db, gateway):
    """The words a batch sends are the words the message log shows for each row on its own."""
    from accompany.services.messaging.message_log import words_of

    _network(make, 4, first=50)
    due = sorted(_due_ids(db))
    expected = {row_id: words_of(db.session.get(OutboundMessage, row_id), now=NOW).body for row_id in due}
    db.session.rollback()
    send_due(gateway, clock=fixed(NOW), rate=0)
    db.session.expire_all()
    assert {row_id: db.session.get(OutboundMessage, row_id).body for row_id in due} == expected


def test_only_the_first_text_of_a_batch_to_a_new_number_introduces_us(app, make, db, gateway):
    """Once its answer is in: a text prepared while the first is still out introduces us too."""
    app.config.update(SMS_MAX_IN_FLIGHT=1)
    volunteer = make.volunteer(phone="617-555-0170", sms_opt_in=True)
    for hours in (0, 5):
        claim_slot(make.shift(starts_at=NOW + timedelta(days=3, hours=hours)), volunteer, now=NOW - timedelta(minutes=1))
    _db.session.commit()
    send_due(gateway, clock=fixed(NOW), rate=0)
    to_volunteer = [body for to, body in gateway.sent if to == "+16175550170"]
    assert len(to_volunteer) == 2
    assert [app.config["SMS_SENDER_NAME"] in body for body in to_volunteer] == [True, False]


def test_a_stop_that_comes_while_a_batch_goes_reaches_the_rows_read_after_it(app, make, db, gateway):
    """What a batch read is used for FRESH_FOR seconds at most: a row whose turn comes later is
    read again, so a number that said STOP meanwhile gets nothing (DESIGN §6.4)."""
    app.config.update(SMS_MAX_IN_FLIGHT=1)  # the second row is prepared after the first request came back
    first, second = make.volunteer(phone="617-555-0171", sms_opt_in=True), make.volunteer(phone="617-555-0172",
                                                                                        sms_opt_in=True)
    for n, volunteer in enumerate((first, second)):
        claim_slot(make.shift(starts_at=NOW + timedelta(days=3, hours=n)), volunteer, now=NOW - timedelta(minutes=1))
    _db.session.commit()
    second_hash, engine = second.phone_hash, _db.engine  # the request runs on another thread
    clock = {"now": 0.0}

    class SlowCarrierAndAStop:
        """The first request takes longer than FRESH_FOR; meanwhile the second number says STOP."""

        def send(self, to, body, **kwargs):
            clock["now"] += dispatch.FRESH_FOR + 1
            if not gateway.sent:
                with engine.begin() as connection:
                    connection.execute(insert(OptOut).values(phone_hash=second_hash, active=True, keyword="STOP",
                                                             opted_out_at=NOW))
            return gateway.send(to, body, **kwargs)

    due = _due_ids(db)
    outcomes = send_due(SlowCarrierAndAStop(), clock=fixed(NOW), pacer=Pacer(0, monotonic=lambda: clock["now"]))
    assert (outcomes["sent"], outcomes["cancelled"]) == (len(due) - 1, 1)
    sent_to = [to for to, _ in gateway.sent]
    assert "+16175550171" in sent_to and "+16175550172" not in sent_to


@pytest.mark.parametrize("rate", [1.0, 20.0])
def test_a_paced_batch_is_read_a_little_at_a_time(app, make, db, gateway, rate, monkeypatch):
    """At a rate, rows are read FRESH_FOR seconds' worth at a time, so what a text says is never
    older than that when it goes, however long the batch takes."""
    for n in range(6):
        volunteer = make.volunteer(phone=f"617-555-{n + 180:04d}", sms_opt_in=True)
        claim_slot(make.shift(starts_at=NOW + timedelta(days=3, hours=n)), volunteer, now=NOW - timedelta(minutes=1))
    _db.session.commit()
    clock = {"now": 0.0}
    reads: list[int] = []
    real_prefetch = dispatch.prefetch

    def counting(*args, ids=(), **kwargs):
        reads.append(len(ids))
        return real_prefetch(*args, ids=ids, **kwargs)

    monkeypatch.setattr(dispatch, "prefetch", counting)
    due = _due_ids(db)
    pacer = Pacer(rate, sleep=lambda seconds: clock.update(now=clock["now"] + seconds), monotonic=lambda: clock["now"])
    outcomes = send_due(gateway, clock=fixed(NOW), pacer=pacer)
    assert outcomes["sent"] == len(due) == len(gateway.sent)
    assert max(reads) <= max(int(dispatch.FRESH_FOR * rate), 1) and sum(reads) >= len(due)


def test_what_a_batch_did_not_read_is_asked_of_the_database(app, make, db):
    """A question about a number, recipient or shift outside the rows read is answered as one
    row on its own would be, never from what happens to be in memory."""
    from accompany.services.messaging.prefetch import prefetch

    _network(make, 1, first=60)
    other = make.volunteer(phone="617-555-0190", sms_opt_in=True)
    db.session.add(OptOut(phone_hash=other.phone_hash, active=True, keyword="STOP", opted_out_at=NOW))
    held_elsewhere = make.shift(starts_at=NOW + timedelta(days=4))
    claim_slot(held_elsewhere, other, now=NOW - timedelta(minutes=1))
    db.session.commit()
    lookups = prefetch(ids=_due_ids(db) - set(db.session.scalars(
        select(OutboundMessage.id).where(OutboundMessage.user_id == other.id))))
    assert lookups.opted_out(other.phone_hash)
    assert lookups.holds(held_elsewhere.id, other.id)
    assert not lookups.holds(held_elsewhere.id, other.id + 1000)
