"""Filling an urgent shift by text: who is asked, in what order, and what their YES or NO does."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accompany.models import (
    AppointmentStatus,
    Claim,
    Language,
    MessageKind,
    MessageState,
    OutboundMessage,
    UrgentAnswer,
    UrgentAsk,
)
from accompany.services.messaging import urgent_calls
from accompany.services.messaging.inbound import receive_text
from accompany.services.messaging.outbox import record_opt_out
from accompany.services.messaging.urgent_calls import NobodyToAsk, Settings, ShiftCovered, advance, start_call
from accompany.services.scheduling.claims import ShiftClosed
from tests.conftest import NOW

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

_phones = itertools.count(1000)
_sids = itertools.count(1)
SETTINGS = Settings(group_size=2, wait=timedelta(minutes=20), alert_before=timedelta(hours=3))


def texting_volunteer(make, **fields):
    """An approved volunteer who takes texts, with a number of their own."""
    fields.setdefault("sms_opt_in", True)
    return make.volunteer(phone=f"617-555-{next(_phones):04d}", **fields)


def text_from(volunteer, body: str, *, now=NOW):
    return receive_text(volunteer.phone, body, provider_sid=f"SM{next(_sids):032d}", now=now)


def asks_to(db, volunteer) -> list[OutboundMessage]:
    return list(db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.user_id == volunteer.id, OutboundMessage.kind == MessageKind.VOLUNTEER_URGENT_ASK)))


def replies_to(db, volunteer) -> list[str]:
    return [row.kind for row in db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.user_id == volunteer.id, OutboundMessage.kind != MessageKind.VOLUNTEER_URGENT_ASK))]


@pytest.fixture
def shift(make, db):
    """Tomorrow's one-slot Spanish ride: it needs a car and Spanish."""
    appointment = make.appointment(starts_at=NOW + timedelta(days=1))
    return make.shift(appointment, requires_car=True, language=Language.SPANISH)


def test_only_eligible_volunteers_who_take_texts_are_asked(app, make, db, shift):
    app.config["URGENT_GROUP_SIZE"] = 50
    eligible = texting_volunteer(make, has_car=True, languages=["es"])
    no_car = texting_volunteer(make, languages=["es"])
    no_spanish = texting_volunteer(make, has_car=True, languages=["en"])
    texts_off = texting_volunteer(make, has_car=True, languages=["es"], sms_opt_in=False)
    no_phone = make.volunteer(has_car=True, languages=["es"], sms_opt_in=True)
    pending = make.pending_volunteer(phone="617-555-0990", has_car=True, languages=["es"], sms_opt_in=True)
    opted_out = texting_volunteer(make, has_car=True, languages=["es"])
    record_opt_out(opted_out.phone, now=NOW, keyword="stop")
    busy = texting_volunteer(make, has_car=True, languages=["es"])
    make.claim(make.shift(starts_at=shift.starts_at + timedelta(hours=1)), busy)
    coordinator = make.coordinator(phone="617-555-0991", sms_opt_in=True)

    call, asked = start_call(shift, by=coordinator, now=NOW)
    assert [ask.volunteer_id for ask in asked] == [eligible.id]
    rows = asks_to(db, eligible)
    assert len(rows) == 1 and rows[0].params == {"code": call.code} and rows[0].send_before == shift.starts_at
    for other in (no_car, no_spanish, texts_off, no_phone, pending, opted_out, busy):
        assert asks_to(db, other) == []
    assert len(call.code) == 4 and call.code.isdigit()


def test_the_least_recently_asked_go_first_in_groups(app, make, db, shift):
    app.config["URGENT_GROUP_SIZE"] = 2
    volunteers = [texting_volunteer(make, has_car=True, languages=["es"]) for _ in range(5)]
    coordinator = make.coordinator()
    # Two of them were asked about another shift last week; one of those longer ago.
    other_call, _ = start_call(make.shift(requires_car=True), by=coordinator, now=NOW - timedelta(days=7))
    for ask in other_call.asks:
        db.session.delete(ask)
    db.session.flush()
    db.session.add_all([
        UrgentAsk(call_id=other_call.id, volunteer_id=volunteers[0].id, round=1, asked_at=NOW - timedelta(days=2)),
        UrgentAsk(call_id=other_call.id, volunteer_id=volunteers[1].id, round=1, asked_at=NOW - timedelta(days=5)),
    ])
    db.session.flush()
    _, first = start_call(shift, by=coordinator, now=NOW)
    assert [a.volunteer_id for a in first] == [volunteers[2].id, volunteers[3].id]  # never asked: first
    _, second = start_call(shift, by=coordinator, now=NOW + timedelta(minutes=1))  # "text the next group now"
    assert [a.volunteer_id for a in second] == [volunteers[4].id, volunteers[1].id]
    _, third = start_call(shift, by=coordinator, now=NOW + timedelta(minutes=2))
    assert [a.volunteer_id for a in third] == [volunteers[0].id]
    with pytest.raises(NobodyToAsk):
        start_call(shift, by=coordinator, now=NOW + timedelta(minutes=3))


def test_the_first_yes_takes_the_slot_and_later_ones_are_thanked(make, db, shift):
    first, second = (texting_volunteer(make, has_car=True, languages=["es"]) for _ in range(2))
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    text_from(first, f"YES {call.code}")
    assert shift.filled == 1 and [c.volunteer_id for c in shift.claims] == [first.id]
    assert MessageKind.VOLUNTEER_CLAIMED in replies_to(db, first)  # with the shift's details link
    assert call.ended_at == NOW and call.end_reason == "filled"
    assert [row.state for row in asks_to(db, second)] == [MessageState.CANCELLED]  # not sent yet: not sent
    text_from(second, f"sí {call.code}", now=NOW + timedelta(minutes=1))
    assert shift.filled == 1
    assert replies_to(db, second) == [MessageKind.REPLY_URGENT_COVERED]
    answers = {ask.volunteer_id: ask.answer for ask in call.asks}
    assert answers == {first.id: UrgentAnswer.TOOK_IT, second.id: UrgentAnswer.TOO_LATE}


def test_no_stops_asking_that_volunteer_about_that_shift(app, make, db, shift):
    app.config["URGENT_GROUP_SIZE"] = 1
    volunteer = texting_volunteer(make, has_car=True, languages=["es"])
    coordinator = make.coordinator()
    call, _ = start_call(shift, by=coordinator, now=NOW)
    handled = text_from(volunteer, f"no {call.code}")
    assert handled.message.handled_at == NOW
    assert call.asks[0].answer == UrgentAnswer.DECLINED and shift.filled == 0
    assert replies_to(db, volunteer) == [MessageKind.REPLY_URGENT_DECLINED]
    with pytest.raises(NobodyToAsk):  # they are not asked again
        start_call(shift, by=coordinator, now=NOW + timedelta(minutes=5))


def test_a_bare_yes_counts_when_there_is_only_one_open_ask(make, db, shift):
    volunteer = texting_volunteer(make, has_car=True, languages=["es"])
    start_call(shift, by=make.coordinator(), now=NOW)
    text_from(volunteer, "Yes!")
    assert [c.volunteer_id for c in shift.claims] == [volunteer.id]


@pytest.mark.parametrize("body", ["OK", "Sí gracias", "wi mèsi", "d'accord", "dakò", "certo"])
def test_an_acknowledgement_takes_an_urgent_shift_only_with_its_code(make, db, shift, body):
    """"OK" or "yes, thanks" could answer any text we sent (a reminder, a thank-you), so alone it
    takes no shift: a coordinator reads it. With the shift's code it is a clear yes."""
    volunteer = texting_volunteer(make, has_car=True, languages=["es"])
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    handled = text_from(volunteer, body)
    assert handled.message.handled_at is None and shift.filled == 0
    if body.isalpha():  # a one-word form: "OK 4821" (the code follows one word)
        text_from(volunteer, f"{body} {call.code}", now=NOW + timedelta(minutes=1))
        assert [c.volunteer_id for c in shift.claims] == [volunteer.id]


def test_a_bare_yes_with_two_open_asks_waits_for_a_coordinator(make, db, shift):
    volunteer = texting_volunteer(make, has_car=True, languages=["es"])
    coordinator = make.coordinator()
    start_call(shift, by=coordinator, now=NOW)
    start_call(make.shift(starts_at=NOW + timedelta(days=4)), by=coordinator, now=NOW)
    handled = text_from(volunteer, "YES")
    assert handled.message.handled_at is None and shift.filled == 0


def test_a_yes_to_a_shift_they_can_no_longer_take_is_answered_kindly(make, db, shift):
    volunteer = texting_volunteer(make, has_car=True, languages=["es"])
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    make.claim(make.shift(starts_at=shift.starts_at), volunteer)  # took an overlapping shift since
    text_from(volunteer, f"YES {call.code}")
    assert shift.filled == 0 and call.asks[0].answer == UrgentAnswer.NOT_POSSIBLE
    assert replies_to(db, volunteer) == [MessageKind.REPLY_URGENT_NOT_POSSIBLE]


def test_a_wrong_code_from_a_volunteer_waits_for_a_coordinator(make, db, shift):
    volunteer = texting_volunteer(make, has_car=True, languages=["es"])
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    wrong = "1000" if call.code != "1000" else "1001"
    handled = text_from(volunteer, f"YES {wrong}")
    assert handled.message.handled_at is None and shift.filled == 0


def test_a_code_an_open_call_uses_is_not_drawn_again(make, db, monkeypatch):
    coordinator = make.coordinator()
    texting_volunteer(make)
    draws = iter([3821, 3821, 3821, 1234])  # 1000 + n: the second call draws the first's code twice
    monkeypatch.setattr(urgent_calls.secrets, "randbelow", lambda _: next(draws))
    first, _ = start_call(make.shift(starts_at=NOW + timedelta(days=2)), by=coordinator, now=NOW)
    second, _ = start_call(make.shift(starts_at=NOW + timedelta(days=3)), by=coordinator, now=NOW)
    assert (first.code, second.code) == ("4821", "2234")


def test_no_from_the_volunteer_who_took_the_shift_goes_to_a_coordinator(make, db, shift):
    volunteer = texting_volunteer(make, has_car=True, languages=["es"])
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    text_from(volunteer, f"YES {call.code}")
    handled = text_from(volunteer, f"NO {call.code}", now=NOW + timedelta(minutes=5))
    assert handled.message.handled_at is None  # waits in the inbox
    assert [c.volunteer_id for c in shift.claims] == [volunteer.id] and call.asks[0].answer == UrgentAnswer.TOOK_IT
    assert MessageKind.REPLY_URGENT_DECLINED not in replies_to(db, volunteer)


def test_a_call_needs_an_open_unfilled_shift(make, db, shift):
    coordinator = make.coordinator()
    make.claim(shift, make.volunteer())
    with pytest.raises(ShiftCovered):
        start_call(shift, by=coordinator, now=NOW)
    started = make.shift(starts_at=NOW - timedelta(hours=1))
    with pytest.raises(ShiftClosed):
        start_call(started, by=coordinator, now=NOW)
    nobody = make.shift(starts_at=NOW + timedelta(days=3))
    with pytest.raises(NobodyToAsk):
        start_call(nobody, by=coordinator, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(UrgentAsk)) == 0


# -- the scheduler's part --------------------------------------------------------------------------


def test_after_the_wait_the_next_group_is_asked(app, make, db, shift):
    app.config["URGENT_GROUP_SIZE"] = 1
    volunteers = [texting_volunteer(make, has_car=True, languages=["es"]) for _ in range(3)]
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    assert advance(now=NOW + timedelta(minutes=19), settings=SETTINGS)["asked"] == 0
    assert advance(now=NOW + timedelta(minutes=20), settings=SETTINGS)["asked"] == 2
    assert {ask.volunteer_id for ask in call.asks} == {v.id for v in volunteers}
    assert call.rounds == 2


def test_coordinators_are_told_when_nobody_is_left_or_the_shift_is_near(make, db, shift):
    coordinator = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    texting_volunteer(make, has_car=True, languages=["es"])
    call, _ = start_call(shift, by=coordinator, now=NOW)
    far = advance(now=NOW + timedelta(minutes=30), settings=SETTINGS)  # nobody left to ask: tell them
    assert far["alerted"] == 1 and call.alerted_at == NOW + timedelta(minutes=30)
    alerts = db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.kind == MessageKind.COORDINATOR_URGENT_UNFILLED)).all()
    assert [a.user_id for a in alerts] == [coordinator.id] and alerts[0].shift_id == shift.id
    assert advance(now=NOW + timedelta(hours=1), settings=SETTINGS)["alerted"] == 0  # once


def test_a_call_started_close_to_the_shift_waits_one_round_before_alerting(make, db, shift):
    make.coordinator(phone="617-555-0122", sms_opt_in=True)
    texting_volunteer(make, has_car=True, languages=["es"])
    soon = shift.starts_at - timedelta(hours=1)
    call, _ = start_call(shift, by=make.coordinator(), now=soon)
    assert advance(now=soon + timedelta(seconds=5), settings=SETTINGS)["alerted"] == 0
    assert advance(now=soon + SETTINGS.wait, settings=SETTINGS)["alerted"] == 1


def test_two_schedulers_advancing_one_call_at_once_ask_one_group(app, make, db, shift):
    """The round is taken with a compare-and-set: the second taker asks nobody."""
    import threading

    from accompany.database import db as _db
    from accompany.models import UrgentCall

    app.config["URGENT_GROUP_SIZE"] = 1
    for _ in range(4):
        texting_volunteer(make, has_car=True, languages=["es"])
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    db.session.commit()
    barrier = threading.Barrier(2)
    asked: list[int] = []

    def scheduler():
        with app.app_context():
            barrier.wait()
            asked.append(advance(now=NOW + timedelta(minutes=30), settings=SETTINGS)["asked"])
            _db.session.commit()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(asked) == [0, 2]
    db.session.expire_all()
    assert db.session.get(UrgentCall, call.id).rounds == 2
    assert db.session.scalar(select(func.count()).select_from(UrgentAsk)) == 3


def test_a_shift_near_its_time_alerts_even_while_people_are_left_to_ask(app, make, db, shift):
    app.config["URGENT_GROUP_SIZE"] = 1
    make.coordinator(phone="617-555-0122", sms_opt_in=True)
    for _ in range(4):
        texting_volunteer(make, has_car=True, languages=["es"])
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    assert advance(now=shift.starts_at - timedelta(hours=4), settings=SETTINGS)["alerted"] == 0
    assert advance(now=shift.starts_at - timedelta(hours=2, minutes=59), settings=SETTINGS)["alerted"] == 1


def test_calls_end_when_their_shift_is_filled_or_closed(make, db, shift):
    texting_volunteer(make, has_car=True, languages=["es"])
    coordinator = make.coordinator()
    call, _ = start_call(shift, by=coordinator, now=NOW)
    make.claim(shift, make.volunteer())  # filled from the board
    assert advance(now=NOW + timedelta(minutes=1), settings=SETTINGS)["ended"] == 1
    assert call.end_reason == "filled"
    other = make.shift(starts_at=NOW + timedelta(days=2))
    second, _ = start_call(other, by=coordinator, now=NOW)
    other.appointment.status = AppointmentStatus.CANCELLED
    advance(now=NOW + timedelta(minutes=2), settings=SETTINGS)
    assert second.end_reason == "closed"


def test_an_ask_is_not_sent_once_the_shift_is_filled(make, db, shift, app):
    from accompany.services.messaging.dispatch import send_due
    from accompany.services.messaging.sms.gateway import current_gateway

    texting_volunteer(make, has_car=True, languages=["es"])
    start_call(shift, by=make.coordinator(), now=NOW)
    make.claim(shift, make.volunteer())
    db.session.commit()
    gateway = current_gateway()
    send_due(gateway, clock=lambda: NOW, rate=0)
    assert gateway.sent == []


def test_an_ask_says_role_time_place_and_code(make, db, shift, app):
    from accompany.services.messaging.dispatch import send_due
    from accompany.services.messaging.sms.gateway import current_gateway

    volunteer = texting_volunteer(make, has_car=True, languages=["es", "en"])
    call, _ = start_call(shift, by=make.coordinator(), now=NOW)
    db.session.commit()
    gateway = current_gateway()
    send_due(gateway, clock=lambda: NOW, rate=0)
    (to, body), = gateway.sent
    assert to == volunteer.phone
    assert f"YES {call.code}" in body and shift.appointment.location.name in body
    assert "Companion" in body and "Sunday, November 22" in body
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 0
