"""Account services: sign-up, approval, login, passwords, invitations."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accompany.models import AuditEvent, Invitation, Language, Role, User, UserStatus
from accompany.services.errors import (
    EmailTaken,
    InvitationInvalid,
    LoginFailed,
    NotPending,
    WeakPassword,
    WrongPassword,
)
from accompany.services.people import accounts
from tests.conftest import NOW


def _sign_up(**fields):
    data = dict(email="Lucia@Example.org ", name="Lucía Gómez", password="a long password",
                phone="(617) 555-0123", languages=["es", "en"], has_car=True, home_area="Chelsea",
                sms_opt_in=True)
    data.update(fields)
    return accounts.sign_up_volunteer(accounts.VolunteerSignUp(**data), now=NOW)


def test_sign_up_makes_a_pending_volunteer_with_a_sealed_phone(db):
    user = _sign_up()
    assert (user.role, user.status) == (Role.VOLUNTEER, UserStatus.PENDING)
    assert user.email == "lucia@example.org"
    assert user.phone == "+16175550123"
    assert user.phone_hash and len(user.phone_hash) == 64
    assert sorted(user.language_codes) == ["en", "es"]
    assert user.password_hash.startswith("$argon2id$")


def test_the_same_email_cannot_sign_up_twice(db):
    _sign_up()
    with pytest.raises(EmailTaken):
        _sign_up(email="LUCIA@example.org")


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
