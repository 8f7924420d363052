"""Account services: sign-up, approval, login, passwords, invitations; the sign-up page."""

import contextlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from accompany.clock import utcnow
from accompany.models import AuditEvent, Invitation, Language, Role, User, UserStatus
from accompany.services.errors import (
    InvitationInvalid,
    LoginFailed,
    NotPending,
    WeakPassword,
    WrongPassword,
)
from accompany.services.people import accounts
from accompany.services.people.login_throttle import LoginThrottled
from accompany.services.people.passwords import EXTENSION_KEY
from accompany.services.people.phone_codes import pending_phone_check
from tests.conftest import NOW, csrf_token, log_in


def _sign_up(**fields):
    data = dict(email="Lucia@Example.org ", name="Lucía Gómez", password="a long password",
                phone="(617) 555-0123", languages=["es", "en"], has_car=True, home_area="Chelsea",
                sms_opt_in=True)
    data.update(fields)
    return accounts.sign_up_volunteer(accounts.VolunteerSignUp(**data), now=NOW)


def test_sign_up_makes_a_pending_volunteer_whose_sealed_phone_waits_for_its_code(db):
    user = _sign_up()
    assert (user.role, user.status) == (Role.VOLUNTEER, UserStatus.PENDING)
    assert user.email == "lucia@example.org"
    assert (user.phone, user.phone_hash) == (None, None)  # theirs once they type back the code
    waiting = pending_phone_check(user)
    assert waiting.phone == "+16175550123" and waiting.message_id is not None
    assert waiting.phone_hash and len(waiting.phone_hash) == 64
    assert sorted(user.language_codes) == ["en", "es"]
    assert user.password_hash.startswith("$argon2id$")


def test_signing_up_with_an_email_that_has_an_account_makes_nothing_and_changes_nothing(db):
    first = _sign_up()
    again = _sign_up(email=" LUCIA@example.org", name="Someone Else", password="another long password",
                     phone="617-555-0199", languages=["fr"])
    assert again is None
    assert db.session.scalars(select(User)).all() == [first]
    assert (first.name, first.phone, first.language_codes) == ("Lucía Gómez", None, ["en", "es"])
    assert pending_phone_check(first).phone == "+16175550123"  # the second sign-up's number started nothing
    assert accounts.authenticate("lucia@example.org", "a long password", now=NOW) is first
    [noted] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteer.sign_up_for_existing_account")).all()
    assert (noted.actor_id, noted.subject_id, noted.details) == (None, first.id, {})


class CountingHasher:
    """The app's argon2 hasher, counting what it is asked to do."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def hash(self, password):
        self.calls.append("hash")
        return self.real.hash(password)

    def verify(self, password_hash, password):
        self.calls.append("verify")
        return self.real.verify(password_hash, password)

    def check_needs_rehash(self, password_hash):
        return self.real.check_needs_rehash(password_hash)


@pytest.fixture
def hasher(app):
    counting = CountingHasher(app.extensions[EXTENSION_KEY])
    app.extensions[EXTENSION_KEY] = counting
    return counting


def _work(hasher, action) -> list[str]:
    hasher.calls.clear()
    with contextlib.suppress(LoginFailed):
        action()
    return list(hasher.calls)


def test_logging_in_with_an_unknown_email_does_the_same_work_as_with_a_known_one(make, db, hasher):
    volunteer = make.volunteer()
    _work(hasher, lambda: accounts.authenticate("first@example.org", "a guess", now=NOW))  # once per app
    known = _work(hasher, lambda: accounts.authenticate(volunteer.email, "a guess", now=NOW))
    unknown = _work(hasher, lambda: accounts.authenticate("nobody@example.org", "a guess", now=NOW))
    assert known == unknown == ["verify"]


def test_signing_up_with_a_taken_email_does_the_same_work_as_with_a_new_one(db, hasher):
    new = _work(hasher, lambda: _sign_up())
    taken = _work(hasher, lambda: _sign_up(email="lucia@example.org"))
    assert new == taken == ["hash"]


def test_sign_ups_from_one_address_are_throttled_like_logins(db):
    office, elsewhere = "203.0.113.9", "198.51.100.7"
    for _ in range(21):  # as many as logins from one address get free, and the one that starts the wait
        accounts.begin_sign_up(now=NOW, address=office)
    with pytest.raises(LoginThrottled, match="Wait 1 minute"):
        accounts.begin_sign_up(now=NOW + timedelta(seconds=1), address=office)
    accounts.begin_sign_up(now=NOW + timedelta(seconds=1), address=elsewhere)
    accounts.begin_sign_up(now=NOW + timedelta(seconds=2), address=office)  # the wait is over
    accounts.begin_login("someone@example.org", now=NOW, address=office)  # logins have their own count
    [throttled] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_up.throttled")).all()
    assert throttled.details == {}


# -- the sign-up page ------------------------------------------------------------------------------


def _sign_up_on_the_page(client, email: str, password: str = "a long password"):
    form = {"name": "Lucía Gómez", "email": email, "phone": "617-555-0123", "password": password,
            "confirm": password, "languages": ["es"], "sms_opt_in": "y", "csrf_token": csrf_token(client, "/signup")}
    return client.post("/signup", data=form)


def test_the_sign_up_page_answers_alike_whether_or_not_the_email_has_an_account(app, make, db, hasher):
    existing = make.volunteer(email="taken@example.org")
    db.session.commit()
    answers = []
    for email in ("new@example.org", "Taken@Example.org"):
        client = app.test_client()
        hasher.calls.clear()
        response = _sign_up_on_the_page(client, email, password="not the old password")
        with client.session_transaction() as session:
            assert "_user_id" not in session and "login_session" not in session  # nobody is logged in
        page = client.get(response.headers["Location"])
        # The language picker's CSRF token is this browser's own, whatever the email.
        text = re.sub(r'name="csrf_token" value="[^"]*"', "", page.get_data(as_text=True))
        answers.append((response.status_code, response.headers["Location"], list(hasher.calls), page.status_code, text))
    assert answers[0] == answers[1]
    assert answers[0][:4] == (302, "/signup/thanks", ["hash"], 200)
    assert "Thank you for signing up!" in answers[0][4]
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    db.session.expire_all()
    assert db.session.get(User, existing.id).name == existing.name


def test_after_signing_up_the_volunteer_logs_in_and_waits_for_approval(client, db):
    response = _sign_up_on_the_page(client, "lucia@example.org")
    page = " ".join(client.get(response.headers["Location"]).get_data(as_text=True).split())
    assert "Log in with your email and the password you just chose" in page
    assert "Had you signed up with this email before? Then nothing new was made" in page
    # Said to everyone alike (a code goes only to a new account's number, and this page must not tell).
    assert "If you gave a mobile number, we text it a code to confirm it is yours: log in to type it in." in page
    log_in(client, accounts.find_user_by_email("lucia@example.org"), "a long password")
    home = client.get("/").get_data(as_text=True)
    assert "waiting for a coordinator" in home
    assert "We texted a code to <strong>(617) 555-0123</strong>" in home


def test_the_sign_up_page_says_how_long_to_wait_and_makes_nothing_then(client, db):
    for _ in range(21):
        accounts.begin_sign_up(now=utcnow(), address="127.0.0.1")  # the test client's address
    db.session.commit()
    page = _sign_up_on_the_page(client, "lucia@example.org")
    assert page.status_code == 200
    assert "Too many tries. Wait 1 minute and try again." in page.get_data(as_text=True)
    assert accounts.find_user_by_email("lucia@example.org") is None


def test_a_short_password_is_refused(db):
    with pytest.raises(WeakPassword):
        _sign_up(password="short")


def test_approval_activates_and_records_who_approved(db, make):
    coordinator = make.coordinator()
    volunteer = _sign_up()
    accounts.approve_volunteer(volunteer, by=coordinator, now=NOW)
    assert volunteer.status == UserStatus.ACTIVE
    assert volunteer.approved_by == coordinator
    assert volunteer.approved_at == NOW
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "volunteer.approved" in actions
    with pytest.raises(NotPending):
        accounts.approve_volunteer(volunteer, by=coordinator, now=NOW)


def test_declined_sign_up_cannot_log_in(db, make):
    coordinator = make.coordinator()
    volunteer = _sign_up()
    accounts.decline_volunteer(volunteer, by=coordinator, now=NOW)
    assert volunteer.status == UserStatus.DISABLED
    with pytest.raises(LoginFailed):
        accounts.authenticate("lucia@example.org", "a long password", now=NOW)


def test_authenticate_accepts_the_right_password_and_records_failures(db):
    _sign_up()
    user = accounts.authenticate(" LUCIA@example.org", "a long password", now=NOW)
    assert user.last_login_at == NOW
    with pytest.raises(LoginFailed) as wrong:
        accounts.authenticate("lucia@example.org", "not the password", now=NOW)
    with pytest.raises(LoginFailed) as unknown:
        accounts.authenticate("nobody@example.org", "not the password", now=NOW)
    assert str(wrong.value) == str(unknown.value)  # no hint whether the account exists
    failures = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    assert sorted(e.details["reason"] for e in failures) == ["unknown_email", "wrong_password"]


def test_change_password_checks_the_old_one_and_revokes_sessions(db):
    user = _sign_up()
    old_login_id = user.get_id()
    with pytest.raises(WrongPassword):
        accounts.change_password(user, "guess", "another long password", now=NOW)
    accounts.change_password(user, "a long password", "another long password", now=NOW)
    assert accounts.load_session_user(old_login_id) is None
    assert accounts.load_session_user(user.get_id()) is user
    assert accounts.authenticate("lucia@example.org", "another long password", now=NOW) is user


def test_logging_in_while_the_account_changes_meanwhile_still_logs_in(db, make):
    """A double-tapped Log in, or a coordinator approving someone as they log in: what a login
    notes on the account does not depend on the account's version, so neither change fails."""
    make.volunteer(email="val@example.org")
    db.session.commit()
    user = accounts.find_user_by_email("val@example.org")  # what this login read
    with Session(db.engine) as other:  # the other tap's login, meanwhile
        other.get(User, user.id).last_login_at = NOW
        other.commit()
    assert accounts.authenticate("val@example.org", "correct horse battery", now=NOW) is user
    db.session.commit()
    assert db.session.get(User, user.id).last_login_at == NOW


def test_session_ids_that_are_malformed_load_nobody(db):
    assert accounts.load_session_user("abc") is None
    assert accounts.load_session_user("1") is None
    assert accounts.load_session_user("999:1") is None


def test_invitation_creates_an_active_coordinator_once(db, make):
    admin = make.admin()
    invitation, token = accounts.invite_user("new.coord@example.org", Role.COORDINATOR, by=admin, now=NOW)
    assert token not in invitation.token_hash
    user = accounts.accept_invitation(token, "New Coordinator", "a long password", now=NOW + timedelta(hours=1))
    assert (user.role, user.status) == (Role.COORDINATOR, UserStatus.ACTIVE)
    with pytest.raises(InvitationInvalid):
        accounts.accept_invitation(token, "Again", "a long password", now=NOW + timedelta(hours=2))


def test_an_invitation_sent_back_twice_at_once_makes_one_account(db, make):
    """The acceptance form sent twice: the second send read the invitation unused, but the first
    used it up meanwhile. Using it up is a compare-and-set, so the second makes no account."""
    admin = make.admin()
    invitation, token = accounts.invite_user("new.coord@example.org", Role.COORDINATOR, by=admin, now=NOW)
    db.session.commit()
    assert accounts.find_invitation(token, now=NOW).used_at is None  # what this send read
    db.session.execute(update(Invitation).where(Invitation.id == invitation.id).values(used_at=NOW)
                       .execution_options(synchronize_session=False))  # the other send, meanwhile
    with pytest.raises(InvitationInvalid):
        accounts.accept_invitation(token, "New Coordinator", "a long password", now=NOW)
    assert db.session.scalar(select(User).where(User.email == "new.coord@example.org")) is None


def test_invitations_expire_and_are_not_for_volunteers(db, make):
    admin = make.admin()
    _, token = accounts.invite_user("late@example.org", Role.ADMIN, by=admin, now=NOW, valid_for=timedelta(days=1))
    with pytest.raises(InvitationInvalid):
        accounts.find_invitation(token, now=NOW + timedelta(days=1, seconds=1))
    with pytest.raises(InvitationInvalid):
        accounts.invite_user("vol@example.org", Role.VOLUNTEER, by=admin, now=NOW)


def test_create_user_command_prompts_for_the_password(runner, db):
    result = runner.invoke(
        args=["create-user", "--email", "Coord@Example.org", "--name", "Coord One", "--role", "coordinator"],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    user = accounts.find_user_by_email("coord@example.org")
    assert (user.role, user.status) == (Role.COORDINATOR, UserStatus.ACTIVE)
    assert accounts.authenticate("coord@example.org", "a long password", now=NOW) == user


def test_create_user_command_explains_a_taken_email(runner, make, db):
    make.coordinator(email="taken@example.org")
    db.session.commit()
    result = runner.invoke(
        args=["create-user", "--email", "taken@example.org", "--name", "X", "--role", "admin"],
        input="a long password\na long password\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_languages_can_be_changed(db):
    user = _sign_up(languages=["es"])
    accounts.set_user_languages(user, ["pt", "ht"])
    db.session.flush()
    assert sorted(user.language_codes) == [Language.HAITIAN_CREOLE.value, Language.PORTUGUESE.value]
