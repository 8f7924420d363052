"""A volunteer's phone number is theirs only once the code we text to it comes back: signing up,
changing it in the profile, what the profile says about STOP, the code's limits, what is kept of
it, and the migration that decides which numbers already stored count as confirmed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from accompany import create_app
from accompany.crypto import keyring, phone_index
from accompany.database import db as _db
from accompany.models import AuditEvent, Claim, MessageKind, MessageState, OutboundMessage, PhoneCode, User, UserStatus
from accompany.services.messaging import codes
from accompany.services.messaging.audience import is_opted_out
from accompany.services.messaging.inbound import receive_text
from accompany.services.messaging.sms.gateway import FinalError, current_gateway
from accompany.services.people import phone_codes
from accompany.services.people.phone_codes import (
    MAX_ATTEMPTS,
    CodeNotAccepted,
    NewCodeAlreadyAsked,
    NumberAlreadyForgotten,
    TooManyCodes,
    cancel_phone_check,
    pending_phone_check,
    start_phone_check,
)
from accompany.services.people.profile import (
    PhoneAlreadyConfirmed,
    confirm_new_phone,
    details_of,
    text_new_code,
    update_profile,
)
from accompany.services.privacy.account_deletion import delete_volunteer_account
from accompany.services.scheduling.claims import claim_slot
from tests.conftest import NOW, config_for, csrf_token, fresh_database_url, from_now, log_in
from tests.support.browsing import hidden_fields, logged_in
from tests.support.texting import code_texted_to, send_texts

OLD, NEW = "+16175550123", "+18575550199"
STOP_SAID = "This number replied STOP"
PASSWORD = "a long password"


def _volunteer(make, **fields):
    return make.volunteer(**{"name": "Dana Rivera", "phone": "617-555-0123", "sms_opt_in": True, **fields})


def _said_stop(db, number: str) -> None:
    receive_text(number, "STOP", provider_sid=None, now=from_now())
    db.session.commit()


def _sign_up(client, phone: str = "857-555-0199", email: str = "lucia@example.org"):
    """Sign up (which logs nobody in), then log in as the person would: their home page."""
    response = client.post("/signup", data={
        "name": "Lucía Gómez", "email": email, "phone": phone, "password": PASSWORD,
        "confirm": PASSWORD, "languages": ["es"], "sms_opt_in": "y",
        "csrf_token": csrf_token(client, "/signup"),
    })
    assert response.status_code == 302 and response.headers["Location"] == "/signup/thanks"
    log_in(client, _db.session.scalar(select(User).where(User.email == email)), PASSWORD)
    return client.get("/")


# -- the STOP oracle (issue 12, point 10) -------------------------------------------------------------


def test_a_sign_up_cannot_learn_whether_a_number_it_typed_ever_said_stop(client, db):
    _said_stop(db, NEW)  # someone else's number, which once replied STOP
    page = _sign_up(client).get_data(as_text=True)
    assert "waiting for a coordinator" in page and STOP_SAID not in page
    profile = client.get("/my/profile").get_data(as_text=True)
    assert STOP_SAID not in profile
    assert 'value="(857) 555-0199"' not in profile  # not saved as theirs either
    assert "(857) 555-0199" in profile  # only shown as waiting for its code
    assert send_texts() == []  # and the code is never texted to a number that said STOP


def test_typing_someone_elses_number_in_the_profile_tells_nothing_about_stop(app, make, db):
    _said_stop(db, NEW)
    client = logged_in(app, _volunteer(make))
    client.post("/my/profile", data={"name": "Dana Rivera", "phone": "857-555-0199", "languages": ["en"],
                                     "sms_opt_in": "y", "csrf_token": csrf_token(client, "/my/profile")})
    page = client.get("/my/profile").get_data(as_text=True)
    assert STOP_SAID not in page
    assert 'value="(617) 555-0123"' in page  # the confirmed number stays


def test_the_profile_says_stop_for_the_confirmed_number(app, make, db):
    volunteer = _volunteer(make)
    _said_stop(db, OLD)
    client = logged_in(app, volunteer)
    assert STOP_SAID in client.get("/my/profile").get_data(as_text=True)


# -- signing up ---------------------------------------------------------------------------------------


def test_signing_up_texts_a_code_and_the_number_is_saved_once_it_comes_back(client, db):
    page = _sign_up(client).get_data(as_text=True)
    assert "We texted a code to <strong>(857) 555-0199</strong>" in page
    user = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert (user.phone, user.phone_hash) == (None, None)

    code = code_texted_to(NEW)  # to a pending account: the code goes all the same
    page = client.post("/my/profile/phone/confirm", data={
        "code": code, "back": "home", "csrf_token": csrf_token(client, "/"),
    }, follow_redirects=True).get_data(as_text=True)
    assert "Your number is now (857) 555-0199" in page and "Confirm your mobile number" not in page
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.phone, user.phone_hash) == (NEW, phone_index(NEW))
    assert user.status == UserStatus.PENDING


def test_the_code_text_goes_in_the_volunteers_language_and_names_nobody(client, db):
    _sign_up(client)
    send_texts()
    [(to, body)] = current_gateway().sent
    assert to == NEW
    assert body.startswith("Test Accompany Group: Su clave para confirmar este celular: ")
    assert "Lucía" not in body and "Gómez" not in body


# -- changing the number ----------------------------------------------------------------------------


def test_a_new_number_is_used_only_once_its_code_comes_back(make, db):
    volunteer = _volunteer(make)
    shift = make.shift(starts_at=from_now(days=2))
    claim_slot(shift, volunteer, now=from_now())
    details = details_of(volunteer)
    details.phone = "857-555-0199"
    assert update_profile(volunteer, details, now=from_now()) == ["new_phone"]
    db.session.commit()
    assert volunteer.phone == OLD

    code = code_texted_to(NEW)
    # The shift's texts still went to the number they had; only the code went to the new one.
    assert [to for to, _ in current_gateway().sent if to in (OLD, NEW)] == [OLD, NEW]
    assert confirm_new_phone(volunteer, code, now=from_now()) == NEW
    db.session.commit()
    assert (volunteer.phone, volunteer.phone_hash) == (NEW, phone_index(NEW))
    assert pending_phone_check(volunteer) is None
    assert db.session.scalar(select(Claim).where(Claim.volunteer_id == volunteer.id)) is not None


def test_the_code_goes_even_with_text_reminders_off_but_nothing_else_does(make, db):
    volunteer = _volunteer(make, sms_opt_in=False)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    assert [to for to, _ in send_texts()] == [NEW]


def test_a_wrong_code_counts_and_after_the_last_try_even_the_right_one_fails(make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    code = code_texted_to(NEW)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeNotAccepted):
            confirm_new_phone(volunteer, wrong, now=from_now())
        db.session.commit()  # as the view does: a wrong try is kept
    with pytest.raises(CodeNotAccepted):
        confirm_new_phone(volunteer, code, now=from_now())
    assert volunteer.phone == OLD


def test_a_code_expires(make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    code = code_texted_to(NEW)
    with pytest.raises(CodeNotAccepted):
        confirm_new_phone(volunteer, code, now=from_now() + codes.CODE_LIFETIME + timedelta(seconds=1))
    assert volunteer.phone == OLD


def test_a_new_code_replaces_the_last_and_a_used_code_works_once(make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    first = code_texted_to(NEW)
    text_new_code(volunteer, now=from_now())
    db.session.commit()
    second = code_texted_to(NEW)
    if first != second:
        with pytest.raises(CodeNotAccepted):
            confirm_new_phone(volunteer, first, now=from_now())
    confirm_new_phone(volunteer, second, now=from_now())
    db.session.commit()
    with pytest.raises(CodeNotAccepted):
        confirm_new_phone(volunteer, second, now=from_now())


def test_codes_are_limited_per_account_and_per_number(make, db):
    volunteer = _volunteer(make)
    for _ in range(phone_codes.CODES_PER_HOUR):
        start_phone_check(volunteer, "857-555-0199", now=from_now())
    with pytest.raises(TooManyCodes):
        start_phone_check(volunteer, "857-555-0100", now=from_now())  # per account, whatever the number
    someone_else = _volunteer(make, phone="617-555-0124")
    with pytest.raises(TooManyCodes):
        start_phone_check(someone_else, "857-555-0199", now=from_now())  # per number, whoever asks
    assert start_phone_check(someone_else, "857-555-0101", now=from_now()).message_id is not None
    assert start_phone_check(volunteer, "857-555-0100", now=from_now(hours=1, seconds=1)).message_id


def test_a_sign_up_over_the_limit_keeps_the_number_waiting_without_a_code(client, make, db):
    volunteer = _volunteer(make)
    for _ in range(phone_codes.CODES_PER_HOUR):
        start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    current_gateway().clear()
    page = _sign_up(client).get_data(as_text=True)
    assert "We have not texted <strong>(857) 555-0199</strong> yet" in page
    user = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert pending_phone_check(user).message_id is None


def test_the_profile_asks_for_a_new_code_and_forgets_a_number(app, make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    client = logged_in(app, volunteer)
    page = client.post("/my/profile/phone/new-code", data={"csrf_token": csrf_token(client, "/my/profile")},
                       follow_redirects=True).get_data(as_text=True)
    assert "We texted you a new code" in page
    assert db.session.scalar(select(PhoneCode.id).where(PhoneCode.user_id == volunteer.id,
                                                         PhoneCode.dropped_at.is_(None))) is not None
    page = client.post("/my/profile/phone/cancel", data={"csrf_token": csrf_token(client, "/my/profile")},
                       follow_redirects=True).get_data(as_text=True)
    assert "That number is forgotten" in page and "Confirm your mobile number" not in page
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).phone == OLD
    assert pending_phone_check(volunteer) is None
    planned = db.session.scalars(select(OutboundMessage.state).where(OutboundMessage.kind == MessageKind.PHONE_CODE))
    assert set(planned) == {MessageState.CANCELLED}


def test_a_wrong_code_on_the_page_gets_a_plain_message(app, make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    code_texted_to(NEW)
    client = logged_in(app, volunteer)
    page = client.post("/my/profile/phone/confirm", data={"code": "12 34", "back": "profile",
                                                         "csrf_token": csrf_token(client, "/my/profile")},
                       follow_redirects=True).get_data(as_text=True)
    assert "That code does not work" in page
    db.session.expire_all()
    assert db.session.get(PhoneCode, pending_phone_check(volunteer).id).attempts == 1  # counted, and committed


def test_emptying_the_phone_box_removes_the_number_and_the_one_waiting(make, db):
    volunteer = _volunteer(make, sms_opt_in=False)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    details = details_of(volunteer)
    details.phone = ""
    assert update_profile(volunteer, details, now=from_now()) == ["phone"]
    assert volunteer.phone is None and pending_phone_check(volunteer) is None


def test_a_carrier_refusing_the_new_number_leaves_the_old_one_alone(make, db):
    volunteer = _volunteer(make)
    shift = make.shift(starts_at=from_now(days=2))
    claim_slot(shift, volunteer, now=from_now())
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    send_texts()  # the claim's text goes now; the evening-before and soon reminders wait
    current_gateway().fail_next(FinalError(code="21211", message="Invalid 'To' phone number"))
    text_new_code(volunteer, now=from_now())
    db.session.commit()
    send_texts()
    db.session.expire_all()
    states = db.session.scalars(select(OutboundMessage.state).where(OutboundMessage.kind == MessageKind.PHONE_CODE)
                                .order_by(OutboundMessage.id))
    assert list(states) == [MessageState.QUEUED, MessageState.FAILED]
    assert not is_opted_out(phone_index(OLD))
    waiting = db.session.scalars(select(OutboundMessage.kind).where(OutboundMessage.state == MessageState.PENDING))
    assert MessageKind.VOLUNTEER_SOON in set(waiting)


# -- what is kept of a code ---------------------------------------------------------------------------


def test_only_a_keyed_hash_of_the_code_is_kept_and_its_text_is_erased_once_used(make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    row = db.session.scalar(select(PhoneCode))
    assert row.code_hash is None  # no code exists until the text goes
    code = code_texted_to(NEW)
    db.session.refresh(row)
    assert row.code_hash == codes.digest(row, code) and code not in row.code_hash
    message = db.session.get(OutboundMessage, row.message_id)
    assert code in message.body  # sealed, as every text as sent, until the code is spent
    confirm_new_phone(volunteer, code, now=from_now())
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(OutboundMessage, row.message_id).body is None
    for table in ("phone_codes", "outbound_messages"):
        for values in db.session.execute(text(f"SELECT * FROM {table}")):
            assert not any(code in str(value) for value in values), table


def test_a_coordinator_reading_the_conversation_never_sees_a_code(app, make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "617-555-0123", now=from_now())  # the same number, say, to check it again
    db.session.commit()
    code = code_texted_to(OLD)
    receive_text(OLD, "Did my code arrive?", provider_sid=None, now=from_now())
    db.session.commit()
    page = logged_in(app, make.coordinator()).get(f"/coordinator/inbox/{phone_index(OLD)}").get_data(as_text=True)
    assert "Did my code arrive?" in page
    assert code not in page and codes.HIDDEN in page


# -- the numbers already stored (migrations/versions/0007_phone_codes.py) ----------------------------------


def test_the_migration_keeps_reviewed_numbers_and_makes_unreviewed_sign_ups_confirm_theirs(db_kind, postgres, tmp_path):
    url = fresh_database_url(db_kind, postgres, tmp_path, "accompany_phone_codes")
    app = create_app(config_for(url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0004_message_kinds"]).exit_code == 0
    with app.app_context():
        sealed = {number: keyring().encrypt(number) for number in ("+16175550101", "+16175550102", "+16175550103")}
        hashes = {number: phone_index(number) for number in sealed}
        _db.engine.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        for n, (role, status, approved) in enumerate([("volunteer", "active", True), ("volunteer", "pending", False),
                                                      ("coordinator", "active", True)], start=1):
            number = f"+1617555010{n}"
            conn.execute(text(
                "INSERT INTO users (id, email, name, password_hash, role, status, session_version, created_at, "
                "approved_at, phone, phone_hash, has_car, obligor_eligible, home_area, sms_opt_in) VALUES "
                "(:id, :email, 'Someone', 'x', :role, :status, 1, :at, :approved, :phone, :hash, false, false, '', true)"
            ), {"id": n, "email": f"p{n}@example.org", "role": role, "status": status, "at": NOW,
                "approved": NOW if approved else None, "phone": sealed[number], "hash": hashes[number]})
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        users = {user.id: user for user in _db.session.scalars(select(User))}
        assert (users[1].phone, users[3].phone) == ("+16175550101", "+16175550103")  # reviewed: confirmed
        assert (users[2].phone, users[2].phone_hash) == (None, None)
        waiting = pending_phone_check(users[2])
        assert (waiting.phone, waiting.phone_hash, waiting.message_id) == ("+16175550102", hashes["+16175550102"], None)
        _db.session.remove()
        _db.engine.dispose()
    with engine.begin() as conn:  # the new kinds pass the database's CHECK
        conn.execute(text(
            "INSERT INTO outbound_messages (dedupe_key, kind, recipient_kind, user_id, params, not_before, "
            "send_before, state, attempts, created_at) VALUES ('k', 'phone_code', 'volunteer', 2, '{}', :a, :b, "
            "'pending', 0, :a)"), {"a": NOW, "b": NOW + timedelta(minutes=10)})
    result = runner.invoke(args=["db", "downgrade", "0004_message_kinds"])
    assert result.exit_code == 0, result.output
    with engine.begin() as conn:
        restored = conn.execute(text("SELECT phone_hash FROM users WHERE id = 2")).scalar()
    assert restored == hashes["+16175550102"]
    engine.dispose()
    with app.app_context():
        _db.engine.dispose()



def test_deleting_the_account_deletes_the_number_waiting_for_its_code(make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    delete_volunteer_account(volunteer, make.PASSWORD, now=from_now())
    assert db.session.scalar(select(PhoneCode.id)) is None


def test_spent_codes_are_forgotten_a_day_later_and_a_number_waiting_stays(make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    start_phone_check(volunteer, "857-555-0100", now=from_now())  # drops the first
    later = from_now(days=1, minutes=1)
    start_phone_check(make.volunteer(), "857-555-0101", now=later)
    numbers = set(db.session.scalars(select(PhoneCode.phone)))
    assert numbers == {"+18575550100", "+18575550101"}


# -- the same button pressed twice (a double tap) ----------------------------------------------------


def _code_count(volunteer) -> int:
    return _db.session.scalar(select(func.count()).select_from(PhoneCode).where(PhoneCode.user_id == volunteer.id))


def test_a_new_code_asked_for_twice_from_one_page_texts_one(make, db):
    volunteer = _volunteer(make)
    shown = start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    text_new_code(volunteer, now=from_now(), seen=shown.id)
    db.session.commit()
    with pytest.raises(NewCodeAlreadyAsked):  # the page showed a code that is no longer the one waiting
        text_new_code(volunteer, now=from_now(), seen=shown.id)
    assert _code_count(volunteer) == 2


def test_two_asks_racing_to_replace_one_code_text_one(make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    read_by_both = pending_phone_check(volunteer)  # both sends read it before either wrote
    text_new_code(volunteer, now=from_now())
    db.session.commit()
    with pytest.raises(NewCodeAlreadyAsked):
        start_phone_check(volunteer, read_by_both.phone, now=from_now(), replacing=read_by_both)
    assert _code_count(volunteer) == 2


def test_the_new_code_button_pressed_twice_texts_one_code_and_says_so(app, make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    client = logged_in(app, volunteer)
    form = hidden_fields(client, "/my/profile")
    pages = [client.post("/my/profile/phone/new-code?back=profile", data=form, follow_redirects=True)
             .get_data(as_text=True) for _ in range(2)]
    assert "We texted you a new code" in pages[0]
    assert "A new code is already on its way" in pages[1]
    assert _code_count(volunteer) == 2
    assert [to for to, _ in send_texts()] == [NEW]


def test_the_same_code_confirmed_twice_confirms_once_and_says_so(make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    code = code_texted_to(NEW)
    confirm_new_phone(volunteer, code, now=from_now())
    db.session.commit()
    with pytest.raises(PhoneAlreadyConfirmed):
        confirm_new_phone(volunteer, code, now=from_now())
    db.session.commit()  # as the page does
    assert volunteer.phone == NEW
    assert db.session.scalar(select(PhoneCode.attempts).where(PhoneCode.user_id == volunteer.id)) == 1
    confirmed = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "profile.phone_confirmed")
    assert db.session.scalar(confirmed) == 1


def test_the_confirm_form_sent_twice_says_the_number_is_confirmed(app, make, db):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    client = logged_in(app, volunteer)
    form = {"code": code_texted_to(NEW), "back": "profile", "csrf_token": csrf_token(client, "/my/profile")}
    pages = [client.post("/my/profile/phone/confirm", data=form, follow_redirects=True).get_data(as_text=True)
             for _ in range(2)]
    assert "Your number is now (857) 555-0199" in pages[0]
    assert "That code confirmed your new number already" in pages[1] and "does not work" not in pages[1]


def test_forgetting_a_number_twice_at_once_forgets_it_once_and_says_so(make, db, monkeypatch):
    volunteer = _volunteer(make)
    start_phone_check(volunteer, "857-555-0199", now=from_now())
    db.session.commit()
    read_by_both = pending_phone_check(volunteer)  # both presses read it before either wrote
    cancel_phone_check(volunteer, now=from_now())
    db.session.commit()
    monkeypatch.setattr(phone_codes, "pending_phone_check", lambda user: read_by_both)
    with pytest.raises(NumberAlreadyForgotten, match="forgotten already"):
        cancel_phone_check(volunteer, now=from_now())
    assert volunteer.phone == OLD
