"""A forgotten password: a code texted to the account's confirmed number, then a new password. The
pages answer the same whether or not an account exists; codes are short-lived, single-use, tried a
few times at most, kept as keyed hashes; asking is throttled; every other session ends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from accompany.clock import utcnow
from accompany.models import AuditEvent, LoginSession, LoginThrottle, MessageKind, OutboundMessage, UserStatus
from accompany.services import submissions
from accompany.services.messaging import codes
from accompany.services.messaging.inbound import receive_text
from accompany.services.messaging.sms.gateway import current_gateway
from accompany.services.people import password_reset
from accompany.services.people.login_throttle import LoginThrottled
from accompany.services.people.password_reset import (
    PasswordAlreadyReset,
    request_reset,
    reset_password,
    reset_token,
    send_reset_code,
)
from accompany.services.people.phone_codes import MAX_ATTEMPTS, CodeNotAccepted
from tests.conftest import csrf_token, from_now
from tests.support.browsing import hidden_fields, logged_in
from tests.support.texting import code_texted_to, send_texts
from tests.test_two_factor import code_at, code_step, enroll_for_pages, password_step

PHONE = "+16175550123"
NEW_PASSWORD = "a brand new password"
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def _volunteer(make, **fields):
    return make.volunteer(**{"name": "Dana Rivera", "phone": "617-555-0123", "sms_opt_in": True, **fields})


def _ask(client, account: str):
    return client.post("/password/forgot", data={"account": account,
                                                 "csrf_token": csrf_token(client, "/password/forgot")})


def _reset(client, code: str, password: str = NEW_PASSWORD):
    return client.post("/password/reset", data={"code": code, "password": password, "confirm": password,
                                                "csrf_token": csrf_token(client, "/password/reset")})


def _can_log_in(app, user, password: str) -> bool:
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": password,
                                           "csrf_token": csrf_token(client, "/login")})
    return response.status_code == 302


# -- the whole way --------------------------------------------------------------------------------------


def test_the_login_page_offers_a_way_back(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<a href="/password/forgot" class="go">Forgot your password?</a>' in page


def test_a_volunteer_who_forgot_their_password_sets_a_new_one_with_a_texted_code(app, client, make, db):
    volunteer = _volunteer(make, status=UserStatus.PENDING, sms_opt_in=False)  # waiting, texts off: still
    db.session.commit()
    response = _ask(client, f" {volunteer.email.upper()} ")
    assert response.status_code == 302 and response.headers["Location"] == "/password/reset"
    code = code_texted_to(PHONE)
    response = _reset(client, code)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Your password is changed" in client.get("/login").get_data(as_text=True)
    assert _can_log_in(app, volunteer, NEW_PASSWORD)
    assert not _can_log_in(app, volunteer, make.PASSWORD)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "password.reset_requested" in actions and "password.reset" in actions


def test_asking_by_mobile_number_works_too(app, client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    _ask(client, "(617) 555-0123")
    assert _reset(client, code_texted_to(PHONE)).headers["Location"] == "/login"
    assert _can_log_in(app, volunteer, NEW_PASSWORD)


def test_a_reset_ends_every_other_session(app, client, make, db):
    volunteer = _volunteer(make)
    elsewhere = logged_in(app, volunteer)
    assert elsewhere.get("/my/profile").status_code == 200
    _ask(client, volunteer.email)
    _reset(client, code_texted_to(PHONE))
    response = elsewhere.get("/my/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_staff_with_two_step_login_still_need_their_second_step_after_a_reset(app, client, make, db):
    app.config["TWO_FACTOR_REQUIRED"] = True
    coordinator = make.coordinator(phone="617-555-0123")
    secret, _ = enroll_for_pages(db, coordinator)
    _ask(client, coordinator.email)
    _reset(client, code_texted_to(PHONE))
    browser = app.test_client()
    response = password_step(browser, coordinator, NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert browser.get("/coordinator/families").status_code == 302  # not in yet
    assert code_step(browser, code_at(secret, utcnow())).status_code == 302
    assert browser.get("/coordinator/families").status_code == 200


# -- no email oracle ----------------------------------------------------------------------------------


def _answer(client, account: str) -> tuple[int, str, str]:
    asked = _ask(client, account)
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    return asked.status_code, asked.headers["Location"], CSRF_VALUE.sub(r'\1"', page)


def test_asking_answers_the_same_whether_or_not_the_account_exists(app, make, db):
    with_phone = _volunteer(make)
    without_phone = make.volunteer(email="nophone@example.org")
    disabled = make.volunteer(email="gone@example.org", phone="617-555-0199", status=UserStatus.DISABLED)
    db.session.commit()
    answers = {account: _answer(app.test_client(), account)
               for account in (with_phone.email, without_phone.email, disabled.email, "nobody@example.org",
                               "617-555-0177")}
    assert len(set(answers.values())) == 1, "every answer is the same page"
    status, location, page = answers["nobody@example.org"]
    assert (status, location) == (302, "/password/reset")
    assert "If that email or number belongs to an account with a confirmed mobile number" in page
    assert [to for to, _ in send_texts()] == [PHONE]  # only the account that may have a code gets one


def test_a_code_for_no_account_never_works_and_says_what_a_wrong_code_says(app, make, db):
    _volunteer(make)
    db.session.commit()
    stranger = app.test_client()
    _ask(stranger, "nobody@example.org")
    page = _reset(stranger, "123456").get_data(as_text=True)
    assert "That code does not work. Type the code from our newest text, or ask for a new code." in page


def test_the_reset_page_without_asking_first_sends_you_to_ask(client):
    response = client.get("/password/reset")
    assert response.status_code == 302 and response.headers["Location"] == "/password/forgot"


@pytest.mark.parametrize("fields, message", [
    ({"account": "my name"}, "Type the email address you log in with, or your mobile number"),
    ({"account": ""}, "Type the email address you log in with, or your mobile number."),
    ({"account": "x" * 300}, "That is too long"),
])
def test_asking_with_bad_input_gets_a_plain_message(client, fields, message):
    response = client.post("/password/forgot", data={**fields, "csrf_token": csrf_token(client, "/password/forgot")})
    assert response.status_code == 200 and message in response.get_data(as_text=True)


@pytest.mark.parametrize("code, password, confirm, message", [
    ("12", NEW_PASSWORD, NEW_PASSWORD, "That code does not work"),
    ("x" * 30, NEW_PASSWORD, NEW_PASSWORD, "That code is too long"),
    ("123456", "short", "short", "Use at least 10 characters"),
    ("123456", NEW_PASSWORD, "something else entirely", "The two passwords differ"),
])
def test_a_bad_code_or_password_gets_a_plain_message(client, make, db, code, password, confirm, message):
    _volunteer(make)
    db.session.commit()
    _ask(client, "person1@example.org")
    response = client.post("/password/reset", data={"code": code, "password": password, "confirm": confirm,
                                                    "csrf_token": csrf_token(client, "/password/reset")})
    assert response.status_code == 200 and message in response.get_data(as_text=True)


# -- the code's limits ----------------------------------------------------------------------------------


def _asked(make, db, **fields):
    volunteer = _volunteer(make, **fields)
    token = request_reset(volunteer.email, now=from_now(), address="203.0.113.9")
    db.session.commit()
    return volunteer, token, code_texted_to(PHONE)


def test_a_code_works_once(make, db):
    _, token, code = _asked(make, db)
    reset_password(token, code, NEW_PASSWORD, now=from_now(), address=None)
    db.session.commit()
    with pytest.raises(CodeNotAccepted):
        reset_password(token, code, "another new password", now=from_now(), address=None)


def test_wrong_codes_are_counted_and_after_the_last_try_even_the_right_one_fails(make, db):
    volunteer, token, code = _asked(make, db)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeNotAccepted):
            reset_password(token, wrong, NEW_PASSWORD, now=from_now(), address=None)
        db.session.commit()
    with pytest.raises(CodeNotAccepted):
        reset_password(token, code, NEW_PASSWORD, now=from_now(), address=None)


def test_a_code_expires(make, db):
    _, token, code = _asked(make, db)
    with pytest.raises(CodeNotAccepted):
        reset_password(token, code, NEW_PASSWORD, now=from_now() + codes.CODE_LIFETIME + timedelta(seconds=1),
                       address=None)


def test_asking_again_makes_the_last_code_stop_working(make, db):
    volunteer, first_token, first_code = _asked(make, db)
    second_token = request_reset(volunteer.email, now=from_now(), address=None)
    db.session.commit()
    second_code = code_texted_to(PHONE)
    with pytest.raises(CodeNotAccepted):
        reset_password(first_token, first_code, NEW_PASSWORD, now=from_now(), address=None)
    reset_password(second_token, second_code, NEW_PASSWORD, now=from_now(), address=None)


def test_the_code_is_kept_only_as_a_keyed_hash_and_its_text_is_erased_once_used(make, db):
    _, token, code = _asked(make, db)
    reset_password(token, code, NEW_PASSWORD, now=from_now(), address=None)
    db.session.commit()
    for table in ("phone_codes", "outbound_messages", "audit_events"):
        for values in db.session.execute(text(f"SELECT * FROM {table}")):
            assert not any(code in str(value) for value in values), table
    [body] = db.session.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == MessageKind.PASSWORD_CODE))
    assert body is None


def test_no_code_goes_to_a_number_that_said_stop(make, db):
    volunteer = _volunteer(make)
    receive_text(PHONE, "STOP", provider_sid=None, now=from_now())
    request_reset(volunteer.email, now=from_now(), address=None)
    db.session.commit()
    assert send_texts() == []


# -- throttles --------------------------------------------------------------------------------------------


@pytest.fixture
def strict(app):
    app.config.update(LOGIN_FREE_FAILURES=2, LOGIN_FREE_FAILURES_PER_ADDRESS=3)


def test_asking_about_one_address_is_throttled_alike_whether_or_not_it_has_an_account(strict, make, db):
    volunteer = _volunteer(make)
    for account in (volunteer.email, "nobody@example.org"):
        for n in range(3):
            request_reset(account, now=from_now(), address=f"198.51.100.{n}")
        with pytest.raises(LoginThrottled):
            request_reset(account, now=from_now(), address="198.51.100.99")


def test_asking_from_one_client_address_is_throttled(strict, make, db):
    for n in range(4):
        request_reset(f"someone{n}@example.org", now=from_now(), address="203.0.113.7")
    with pytest.raises(LoginThrottled) as raised:
        request_reset("someone-else@example.org", now=from_now(), address="203.0.113.7")
    assert "Wait" in str(raised.value)
    request_reset("someone-else@example.org", now=from_now(), address="203.0.113.8")  # another address is fine


def test_wrong_codes_from_one_address_make_it_wait(strict, make, db):
    _, token, code = _asked(make, db)
    for _ in range(4):
        with pytest.raises(CodeNotAccepted):
            reset_password("not the token", code, NEW_PASSWORD, now=from_now(), address="192.0.2.1")
    with pytest.raises(LoginThrottled):
        reset_password(token, code, NEW_PASSWORD, now=from_now(), address="192.0.2.1")


def test_wrong_codes_typed_on_the_page_make_the_address_wait_even_for_the_right_code(strict, client, make, db):
    _volunteer(make)
    db.session.commit()
    _ask(client, "person1@example.org")
    code = code_texted_to(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(3):  # asking took one of the address's 3 free tries, each wrong code another
        assert "That code does not work" in _reset(client, wrong).get_data(as_text=True)
    response = _reset(client, code)
    assert response.status_code == 200 and "Too many tries" in response.get_data(as_text=True)


def test_an_account_gets_only_a_few_codes_an_hour_and_the_page_does_not_say_so(app, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    app.config["LOGIN_FREE_FAILURES"] = 100  # this test is about the per-account limit only
    answers, texts = set(), []
    for _ in range(password_reset.phone_codes.CODES_PER_HOUR + 1):
        answers.add(_answer(app.test_client(), volunteer.email))
        texts += send_texts()
    assert len(answers) == 1
    assert len(texts) == password_reset.phone_codes.CODES_PER_HOUR


def test_the_pages_work_when_signed_in_by_sending_you_home(app, make, db):
    client = logged_in(app, _volunteer(make))
    assert client.get("/password/forgot").headers["Location"] == "/"
    assert client.get("/password/reset").headers["Location"] == "/"


# -- the same form sent twice (a double tap) -------------------------------------------------------------


def test_the_same_asking_form_sent_twice_texts_one_code_that_works_with_either_answer(make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    key = "the-asking-forms-key-1234"
    assert send_reset_code(volunteer.email, key, now=from_now()) == reset_token(key)
    db.session.commit()
    with pytest.raises(submissions.AlreadySent):
        send_reset_code(volunteer.email, key, now=from_now())
    db.session.rollback()
    code = code_texted_to(PHONE)
    assert [to for to, _ in current_gateway().sent] == [PHONE]  # one code went
    reset_password(reset_token(key), code, NEW_PASSWORD, now=from_now(), address=None)


def _same_browser(app, client):
    """Another test client with `client`'s cookie: the second send of a double tap."""
    cookie = app.config["SESSION_COOKIE_NAME"]
    other = app.test_client()
    other.set_cookie(cookie, client.get_cookie(cookie).value)
    return other


def test_asking_twice_with_one_page_texts_one_code_that_works_with_either_answer(app, client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    form = {**hidden_fields(client, "/password/forgot"), "account": volunteer.email}
    second_send = _same_browser(app, client)
    answers = [browser.post("/password/forgot", data=form) for browser in (client, second_send)]
    assert {(answer.status_code, answer.headers["Location"]) for answer in answers} == {(302, "/password/reset")}
    page = second_send.get("/password/reset").get_data(as_text=True)
    assert "we just texted that number a code" in page and "sent twice" not in page
    kinds = db.session.scalars(select(OutboundMessage.kind)).all()
    assert kinds == [MessageKind.PASSWORD_CODE]  # one code asked for, not one dropped and another
    assert _reset(client, code_texted_to(PHONE)).headers["Location"] == "/login"  # the first answer's token


def test_the_same_code_sent_twice_sets_the_password_once_and_the_second_is_told_so(app, make, db):
    volunteer, token, code = _asked(make, db)
    turns_taken = db.session.scalar(select(func.sum(LoginThrottle.failures)))
    reset_password(token, code, NEW_PASSWORD, now=from_now(), address="198.51.100.7")
    db.session.commit()
    with pytest.raises(PasswordAlreadyReset):
        reset_password(token, code, "another new password", now=from_now(), address="198.51.100.7")
    db.session.commit()  # as the page does: what a refused code leaves is kept
    assert _can_log_in(app, volunteer, NEW_PASSWORD)
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "password.reset")).all() == [
        "password.reset"]
    # The right code sent again is no failed try: the address has its turn back.
    assert db.session.scalar(select(func.sum(LoginThrottle.failures))) == turns_taken


def test_a_wrong_code_after_the_reset_is_still_a_wrong_code(make, db):
    _, token, code = _asked(make, db)
    reset_password(token, code, NEW_PASSWORD, now=from_now(), address=None)
    db.session.commit()
    with pytest.raises(CodeNotAccepted) as refused:
        reset_password(token, f"{(int(code) + 1) % 10**6:06d}", NEW_PASSWORD, now=from_now(), address=None)
    assert not isinstance(refused.value, PasswordAlreadyReset)


def test_the_reset_form_sent_twice_at_once_gets_the_same_answer_twice(app, client, make, db):
    volunteer = _volunteer(make)
    other_device = logged_in(app, volunteer)
    db.session.commit()
    _ask(client, volunteer.email)
    form = {**hidden_fields(client, "/password/reset"), "code": code_texted_to(PHONE), "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD}
    second_send = _same_browser(app, client)
    assert client.post("/password/reset", data=form).headers["Location"] == "/login"
    assert second_send.post("/password/reset", data=form).headers["Location"] == "/login"
    assert "Your password is changed" in second_send.get("/login").get_data(as_text=True)
    assert other_device.get("/my/profile").status_code == 302  # logged out there, once
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0
