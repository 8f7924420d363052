"""Answering from the inbox (services): who can be answered, and when a family's answer goes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accompany.crypto import phone_index
from accompany.services.messaging.conversations import CannotReply, reply
from accompany.services.messaging.inbound import receive_text
from accompany.timezones import to_local
from tests.conftest import NOW

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

EVENING = datetime(2026, 11, 22, 1, 30, tzinfo=UTC)  # 20:30 in Boston, after family hours


def texted(phone: str, body: str = "Can someone call me?", now=NOW) -> str:
    receive_text(phone, body, provider_sid=None, now=now)
    return phone_index(phone)


def test_an_evening_answer_to_a_family_waits_for_their_morning(make, db):
    coordinator = make.coordinator()
    make.family()
    key = texted("+16175550142", now=EVENING)
    row = reply(key, "Yes, we will call you tomorrow.", by=coordinator, now=EVENING)
    morning = to_local(row.not_before, "America/New_York")
    assert (morning.date().isoformat(), morning.hour, morning.minute) == ("2026-11-22", 8, 0)
    assert row.send_before > row.not_before


def test_a_volunteer_who_does_not_take_texts_cannot_be_answered_by_text(make, db):
    coordinator = make.coordinator()
    make.volunteer(name="Ana Ruiz", phone="617-555-0177", sms_opt_in=False)
    key = texted("+16175550177")
    with pytest.raises(CannotReply, match="Ana does not take texts"):
        reply(key, "Thanks, see you there.", by=coordinator, now=NOW)


def test_a_closed_familys_number_is_named_as_closed(make, db):
    coordinator = make.coordinator()
    make.family(closed_at=NOW)
    key = texted("+16175550142")
    with pytest.raises(CannotReply, match="closed"):
        reply(key, "Hello again.", by=coordinator, now=NOW)


def test_a_number_nobody_has_cannot_be_answered(make, db):
    key = texted("+16175550199")
    with pytest.raises(CannotReply, match="not a family's or a volunteer's"):
        reply(key, "Who is this?", by=make.coordinator(), now=NOW)


def test_a_text_that_arrives_while_the_coordinator_types_stays_waiting(make, db):
    from sqlalchemy import select

    from accompany.models import InboundMessage
    from accompany.services.messaging.conversations import mark_handled, thread

    coordinator = make.coordinator()
    make.family()
    key = texted("+16175550142", "Can you call me?")
    seen = thread(key, by=coordinator, now=NOW).newest_id
    texted("+16175550142", "Actually my son is sick, we need to reschedule", now=NOW)
    reply(key, "We will call you at noon.", by=coordinator, now=NOW, seen=seen)
    waiting = db.session.scalars(select(InboundMessage.body).where(InboundMessage.handled_at.is_(None))).all()
    assert waiting == ["Actually my son is sick, we need to reschedule"]
    assert mark_handled(key, by=coordinator, now=NOW) == 1  # without `seen`: everything


def test_name_particles_are_everyday_words_but_the_name_is_not(make, db):
    coordinator = make.coordinator()
    make.family(name="María de la Cruz")
    key = texted("+16175550142")
    assert reply(key, "Hola, la cita es el martes a las 9.", by=coordinator, now=NOW).body
    with pytest.raises(CannotReply, match="family's name"):
        reply(key, "Hola Maria, la cita es el martes.", by=coordinator, now=NOW)
    with pytest.raises(CannotReply, match="family's name"):
        reply(key, "Saludos a la familia Cruz.", by=coordinator, now=NOW)
