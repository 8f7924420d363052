"""`POST /sms/inbound`: only Twilio-signed requests are heard, the answer is TwiML from the SDK,
and two volunteers texting YES for the last slot at once give exactly one claim."""

from __future__ import annotations

import logging
import threading
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from accompany import create_app
from accompany.database import db as _db
from accompany.models import Claim, InboundMessage, Language, OptOut, Shift, UrgentAnswer, UrgentAsk
from accompany.services.messaging.urgent_calls import start_call
from tests.conftest import config_for, from_now
from tests.support.twilio_webhooks import AUTH_TOKEN, PUBLIC_BASE_URL, inbound_params, post_signed, sign

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

FAMILY_PHONE = "+16175550142"
PATH = "/sms/inbound"


@pytest.fixture
def webhook(app):
    app.config.update(PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN)
    return app.test_client()


def answer_of(response) -> list[str]:
    """The texts in a TwiML answer."""
    assert response.status_code == 200 and response.mimetype == "text/xml"
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == "Response"
    return [message.text for message in root.iter("Message")]


def stored(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(InboundMessage))


# -- signatures ------------------------------------------------------------------------------------


def test_a_signed_stop_is_handled_and_answered_in_twiml(webhook, make, db):
    make.family()
    db.session.commit()
    response = post_signed(webhook, PATH, inbound_params(FAMILY_PHONE, "Stop"))
    (text,) = answer_of(response)
    assert text.startswith("Test Accompany Group") and "START" in text
    assert db.session.scalar(select(OptOut.active)) is True


def test_a_text_answered_through_the_outbox_gets_an_empty_twiml_answer(webhook, make, db):
    make.appointment(family=make.family(), starts_at=from_now(days=4))
    db.session.commit()
    assert answer_of(post_signed(webhook, PATH, inbound_params(FAMILY_PHONE, "1"))) == []
    assert stored(db) == 1


def test_an_unknown_number_gets_the_help_text(webhook, db):
    (text,) = answer_of(post_signed(webhook, PATH, inbound_params("+16175550199", "who is this")))
    assert "Test Accompany Group" in text and "(617) 555-0100" in text


@pytest.mark.parametrize("forgery", ["tampered", "wrong url", "no header", "wrong token"])
def test_an_unsigned_or_forged_request_is_refused_logged_without_its_text_and_changes_nothing(
        webhook, make, db, caplog, forgery):
    make.family()
    db.session.commit()
    params = inbound_params(FAMILY_PHONE, "STOP secret words")
    if forgery == "tampered":
        response = post_signed(webhook, PATH, {**params, "Body": "START"},
                               signature=sign(PUBLIC_BASE_URL + PATH, params))
    elif forgery == "wrong url":
        response = post_signed(webhook, PATH, params, signed_url="https://attacker.example/sms/inbound")
    elif forgery == "no header":
        response = webhook.post(PATH, data=params)
    else:
        response = post_signed(webhook, PATH, params, signature=sign(PUBLIC_BASE_URL + PATH, params, "other-token"))
    assert response.status_code == 403
    assert stored(db) == 0 and db.session.scalar(select(func.count()).select_from(OptOut)) == 0
    assert "refused Twilio webhook" in caplog.text
    assert "secret" not in caplog.text and "555" not in caplog.text


def test_without_the_settings_to_check_a_signature_every_request_is_refused(webhook, app, db):
    app.config["TWILIO_AUTH_TOKEN"] = ""
    assert post_signed(webhook, PATH, inbound_params(FAMILY_PHONE, "HELP")).status_code == 403


def test_a_signed_request_without_a_sender_is_a_bad_request(webhook, db):
    params = inbound_params("", "HELP")
    assert post_signed(webhook, PATH, params).status_code == 400
    assert stored(db) == 0


def test_behind_the_proxy_a_signed_request_is_handled(app, database_url, make, db):
    """Behind one TLS proxy, the app sees http://10.0.0.5:8000 with X-Forwarded-* headers; the
    signature is over the public https URL Twilio called, and passes."""
    make.family()
    db.session.commit()
    proxied = create_app(config_for(database_url, PROXY_FIX_HOPS=1, PUBLIC_BASE_URL=PUBLIC_BASE_URL,
                                    TWILIO_AUTH_TOKEN=AUTH_TOKEN))
    client = proxied.test_client()
    forwarded = {"X-Forwarded-For": "54.172.60.1", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "accompany.example.org", "X-Forwarded-Port": "443"}
    response = post_signed(client, PATH, inbound_params(FAMILY_PHONE, "AYUDA"), headers=forwarded,
                           base_url="http://10.0.0.5:8000")
    (text,) = answer_of(response)
    assert "Test Accompany Group" in text
    with proxied.app_context():
        assert _db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1
        _db.engine.dispose()


def test_a_repeat_delivery_of_one_text_is_handled_once(webhook, make, db):
    make.appointment(family=make.family(), starts_at=from_now(days=4))
    db.session.commit()
    params = inbound_params(FAMILY_PHONE, "2")
    for _ in range(2):
        assert post_signed(webhook, PATH, params).status_code == 200
    assert stored(db) == 1
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 1  # one ride shift added


def test_hostile_text_is_stored_as_text_and_answered_safely(webhook, make, db):
    make.family(language=Language.ENGLISH)  # free text is answered in the family's language
    db.session.commit()
    body = "<Message>FREE</Message>' OR 1=1; --" + "\u202e" * 3 + "x" * 1600
    response = post_signed(webhook, PATH, inbound_params(FAMILY_PHONE, body))
    (answer,) = answer_of(response)  # our help text, and nothing of theirs
    assert answer.startswith("Test Accompany Group: for help") and "FREE" not in answer
    db.session.expire_all()
    assert db.session.scalar(select(InboundMessage.body)) == body


def test_logging_holds_no_number_and_no_text(webhook, make, db, caplog):
    caplog.set_level(logging.DEBUG)
    make.family()
    db.session.commit()
    post_signed(webhook, PATH, inbound_params(FAMILY_PHONE, "Necesito hablar con Rosa"))
    assert "inbound text" in caplog.text
    assert "Rosa" not in caplog.text and "6175550142" not in caplog.text


# -- two YES at once -------------------------------------------------------------------------------


def test_two_volunteers_texting_yes_for_the_last_slot_at_once_give_exactly_one_claim(webhook, app, make, db):
    shift = make.shift(starts_at=from_now(days=1), slots=1)
    volunteers = [make.volunteer(phone=f"617-555-02{n:02d}", sms_opt_in=True) for n in range(2)]
    call, _ = start_call(shift, by=make.coordinator(), now=from_now())
    db.session.commit()
    code, shift_id = call.code, shift.id
    requests = [inbound_params(volunteer.phone, f"YES {code}") for volunteer in volunteers]
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def text_yes(params):
        client = app.test_client()
        barrier.wait()
        statuses.append(post_signed(client, PATH, params).status_code)

    threads = [threading.Thread(target=text_yes, args=(params,)) for params in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200, 200]
    db.session.expire_all()
    assert db.session.get(Shift, shift_id).filled == 1
    assert db.session.scalar(select(func.count()).select_from(Claim).where(Claim.shift_id == shift_id)) == 1
    answers = sorted(db.session.scalars(select(UrgentAsk.answer)))
    assert answers == sorted([UrgentAnswer.TOOK_IT, UrgentAnswer.TOO_LATE])
    assert stored(db) == 2


def test_yes_arriving_after_the_shift_began_is_thanked_not_claimed(webhook, make, db):
    shift = make.shift(starts_at=from_now(hours=1), slots=1)
    volunteer = make.volunteer(phone="617-555-0210", sms_opt_in=True)
    call, _ = start_call(shift, by=make.coordinator(), now=from_now(hours=-1))
    shift.starts_at = from_now(minutes=-5)  # the shift began before they answered
    shift.ends_at = from_now(hours=2)
    db.session.commit()
    assert post_signed(webhook, PATH, inbound_params(volunteer.phone, f"YES {call.code}")).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 0
    assert db.session.scalar(select(UrgentAsk.answer)) == UrgentAnswer.TOO_LATE


def test_one_text_delivered_twice_at_the_same_moment_is_stored_once_and_never_a_500(webhook, app, make, db):
    make.appointment(family=make.family(), starts_at=from_now(days=4))
    db.session.commit()
    params = inbound_params(FAMILY_PHONE, "2")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def deliver():
        client = app.test_client()
        barrier.wait()
        statuses.append(post_signed(client, PATH, params).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200, 200]
    assert stored(db) == 1
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 1
