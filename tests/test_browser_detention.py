"""Detention response in a real browser on a 360 px phone (issue 15): a volunteer reports from a
held shift; the on-call coordinator's OK by text (a signed webhook) stops the chain and makes her
the owner of the case's checklist, where she ticks a step done; without it
the chain reaches everyone and the voice call reaches the fake Twilio server (the real SDK);
the family's texts are paused meanwhile."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from accompany.models import RotaSpan
from accompany.services.detention import cases, on_call
from accompany.services.messaging import family_texts
from accompany.services.messaging.dispatch import send_due
from accompany.services.messaging.sms.gateway import current_gateway, init_gateway
from tests.conftest import NOW
from tests.support.browser import fits_the_screen, open_menu, too_small_or_cut
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.support.twilio_webhooks import PUBLIC_BASE_URL, inbound_params, post_signed, sign

pytestmark = pytest.mark.browser

MIN = timedelta(minutes=1)
FAMILY_PHONE = "+16175550142"


@pytest.fixture
def twilio(app):
    """The app's gateway: the real Twilio SDK talking to the fake Twilio server; webhooks signed
    with the same account's token."""
    with FakeTwilio() as fake:
        app.config.update(
            SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_MESSAGING_SERVICE_SID="", TWILIO_FROM_NUMBER="+16175550100", TWILIO_API_BASE_URL=fake.base_url,
            TWILIO_TIMEOUT_SECONDS=5, PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        )
        init_gateway(app)
        yield fake


def _network(make, db):
    """Olga then Nate on call today, an admin, a family with a reminder waiting, and Hal holding
    this morning's companion shift."""
    olga = make.coordinator(name="Olga Oncall", phone="617-555-0201", sms_opt_in=True)
    nate = make.coordinator(name="Nate Next", phone="617-555-0202", sms_opt_in=True)
    ada = make.admin(name="Ada Admin", phone="617-555-0203", sms_opt_in=True)
    today = on_call.org_today(NOW)
    on_call.add_turn(olga, starts_on=today, span=RotaSpan.WEEK, position=1, now=NOW)
    on_call.add_turn(nate, starts_on=today, span=RotaSpan.WEEK, position=2, now=NOW)
    family = make.family(name="Rosa M.", phone=FAMILY_PHONE, consent_given_by="herself",
                         consent_method="verbally at intake", consent_at=NOW - timedelta(days=30))
    check_in = make.appointment(family=family, starts_at=NOW - timedelta(minutes=30))
    hearing = make.appointment(family=family, starts_at=NOW + timedelta(days=7, hours=1))
    family_texts.plan_family_reminders(hearing, now=NOW - timedelta(days=1))  # the 7-day reminder is due
    shift = make.shift(check_in, starts_at=NOW - timedelta(hours=1))
    hal = make.volunteer(name="Hal Holder", email="hal@example.org", phone="617-555-0162", sms_opt_in=True)
    make.claim(shift, hal)
    db.session.commit()
    return olga, nate, ada, family, shift, hal


def _log_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def _report_from_the_held_shift(phone, make, shift, hal) -> str:
    _log_in(phone, hal.email, make.PASSWORD)
    phone.goto(f"/my/shifts/{shift.id}")
    phone.get_by_text("Someone was detained").click()
    phone.get_by_label("A short note (optional)").fill("At the check-in window")
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []
    phone.get_by_role("button", name="Report a detention now").click()
    phone.get_by_role("heading", name="Detention reported").wait_for()
    assert fits_the_screen(phone)
    return re.search(r"Case ([A-Z0-9]{3}) is open", phone.inner_text("body")).group(1)


def _sent_to(twilio) -> list[str]:
    return [message.form["To"] for message in twilio.messages]


def test_the_on_call_ok_by_text_stops_the_chain_and_the_familys_texts_wait(phone, app, make, db, twilio):
    olga, nate, ada, family, shift, hal = _network(make, db)
    code = _report_from_the_held_shift(phone, make, shift, hal)
    gateway = current_gateway()

    send_due(gateway, clock=lambda: NOW + MIN, rate=0)  # the first alert; the family's reminder waits
    assert _sent_to(twilio) == [olga.phone]
    assert f"OK {code}" in twilio.messages[0].form["Body"] and "Rosa" not in twilio.messages[0].form["Body"]

    params = inbound_params(olga.phone, f"ok {code}")
    answer = post_signed(app.test_client(), "/sms/inbound", params,
                         signature=sign(PUBLIC_BASE_URL + "/sms/inbound", params, AUTH_TOKEN))
    assert answer.status_code == 200
    send_due(gateway, clock=lambda: NOW + 45 * MIN, rate=0)  # every later step is due, and stopped
    assert _sent_to(twilio) == [olga.phone, olga.phone]  # and the answer to her OK
    assert "is yours" in twilio.messages[1].form["Body"]
    assert twilio.calls == [] and FAMILY_PHONE not in _sent_to(twilio)

    open_menu(phone)
    phone.get_by_role("button", name="Log out").click()
    phone.wait_for_url(re.compile(r"/login$"))
    _log_in(phone, olga.email, make.PASSWORD)  # (the two-step login is off in tests)
    phone.goto("/")
    phone.get_by_role("heading", name="Detentions open").wait_for()
    phone.get_by_role("link", name=f"Case {code}").click()
    phone.get_by_text("Acknowledged").first.wait_for()
    timeline = phone.locator("#timeline").inner_text()
    assert "Acknowledged · Olga Oncall" in timeline and "not sent" in timeline
    assert "Paused" in phone.locator("#family-texts").inner_text()
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []

    # What follows: her OK made her the owner of every step; she ticks "Tell the family" done.
    tell = phone.locator("#checklist + ol li", has_text="Tell the family")
    assert "Olga Oncall" in tell.inner_text()
    phone.get_by_role("button", name="Done: Tell the family").click()
    phone.get_by_text("The step is ticked done.").wait_for()
    assert "done" in tell.inner_text() and "Not done after all" in tell.inner_text()
    assert "Checklist step done · Olga Oncall · step 2" in phone.locator("#timeline").inner_text()
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []


def test_without_an_acknowledgement_the_chain_reaches_everyone_and_calls_through_the_sdk(phone, app, make, db, twilio):
    olga, nate, ada, family, shift, hal = _network(make, db)
    code = _report_from_the_held_shift(phone, make, shift, hal)
    gateway = current_gateway()
    for minutes in (0, 10, 20, 30):
        send_due(gateway, clock=lambda m=minutes: NOW + (m + 1) * MIN, rate=0)
    assert _sent_to(twilio)[:2] == [olga.phone, nate.phone]
    assert sorted(_sent_to(twilio)[2:]) == sorted([olga.phone, nate.phone, ada.phone])
    assert [call.form["To"] for call in twilio.calls] == [olga.phone]
    twiml = twilio.calls[0].form["Twiml"]
    assert twiml.startswith("<?xml") and '<Response><Say language="en-US" voice="Polly.Joanna">' in twiml and " ".join(code) in twiml
    assert "Rosa" not in twiml and FAMILY_PHONE not in _sent_to(twilio)
    case = cases.open_case_of(family)
    assert case.texts_paused and case.acknowledged_at is None
