"""Two-step login for coordinators and admins: enrolling, the code step, recovery codes, resets."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy import create_engine, func, select, text

from accompany import create_app
from accompany.clock import utcnow
from accompany.database import db as _db
from accompany.models import AuditEvent, LoginSession, LoginThrottle, RecoveryCode, User
from accompany.services.errors import WrongPassword
from accompany.services.people import login_sessions, two_factor
from accompany.services.people.login_throttle import LoginThrottled
from accompany.services.people.two_factor import CodeAlreadyUsed, CodeNotAccepted, NotStaff, OwnTwoFactorReset
from config import Config, ProductionConfig, TestingConfig
from tests.conftest import CSRF_INPUT, NOW, config_for, csrf_token, log_in
from tests.support.browser import fits_the_screen, open_menu

STEP = timedelta(seconds=30)


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def browser_of(user: User, *, at: datetime = NOW) -> LoginSession:
    """A browser `user` is logged in on (its login session), as the login page makes one."""
    token = login_sessions.start_session(user, now=at, keep_for=timedelta(hours=12))
    return login_sessions.find_session(token, user)


def enroll(user: User, *, at: datetime = NOW) -> tuple[str, list[str]]:
    """Switch two-step login on for `user` as of `at`; returns the secret and recovery codes."""
    browser = browser_of(user, at=at)
    secret = two_factor.begin_enrollment(user, browser, now=at).secret
    return secret, two_factor.confirm_enrollment(user, browser, code_at(secret, at), now=at).recovery_codes


def enroll_for_pages(db, user: User) -> tuple[str, list[str]]:
    """Enrolled two minutes ago (real clock), so the code the app shows now has not been used yet."""
    enrolled = enroll(user, at=utcnow() - timedelta(minutes=2))
    db.session.commit()
    return enrolled


def password_step(client, user, password, **extra):
    return client.post(
        "/login", data={"email": user.email, "password": password, "csrf_token": csrf_token(client, "/login"), **extra}
    )


def code_step(client, code: str):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def required(app):
    app.config["TWO_FACTOR_REQUIRED"] = True


def test_production_always_requires_two_step_login_for_staff():
    assert ProductionConfig.TWO_FACTOR_REQUIRED is True
    assert Config.TWO_FACTOR_REQUIRED is True  # development too, unless TWO_FACTOR_REQUIRED=0 is set
    assert TestingConfig.TWO_FACTOR_REQUIRED is False  # most tests log staff in with a password only


# -- services --------------------------------------------------------------------------------------


def test_enrolling_stores_the_secret_sealed_and_switches_on_only_with_a_right_code(make, db):
    coordinator = make.coordinator()
    browser = browser_of(coordinator)
    setup = two_factor.begin_enrollment(coordinator, browser, now=NOW)
    secret = setup.secret
    assert two_factor.begin_enrollment(coordinator, browser, now=NOW + STEP) == setup  # a reload shows the same QR
    assert setup.started_elsewhere_at is None
    stored = db.session.execute(
        text("SELECT two_factor_setup_secret FROM login_sessions WHERE id = :id"), {"id": browser.id}).scalar()
    assert stored and secret not in stored
    with pytest.raises(CodeNotAccepted):
        two_factor.confirm_enrollment(
            coordinator, browser, "123456" if code_at(secret, NOW) != "123456" else "654321", now=NOW)
    assert not coordinator.two_factor_enabled

    codes = two_factor.confirm_enrollment(coordinator, browser, code_at(secret, NOW), now=NOW).recovery_codes
    assert coordinator.two_factor_enabled and coordinator.two_factor_enabled_at == NOW
    db.session.flush()
    stored = db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": coordinator.id}).scalar()
    assert stored and secret not in stored and coordinator.totp_secret == secret
    assert browser.two_factor_setup_secret is None
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    hashes = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == coordinator.id)).all()
    assert len(hashes) == 10
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in hashes)
    [event] = _events(db, "two_factor.enrolled")
    assert (event.actor_id, event.subject_id) == (coordinator.id, coordinator.id)


def test_volunteers_cannot_enroll(make, db):
    volunteer = make.volunteer()
    with pytest.raises(NotStaff):
        two_factor.begin_enrollment(volunteer, browser_of(volunteer), now=NOW)


def test_codes_one_step_either_side_of_now_are_accepted_and_two_steps_are_not(make, db):
    coordinator = make.coordinator()
    secret, _ = enroll(coordinator, at=NOW - 10 * STEP)
    for off_by in (2 * STEP, -2 * STEP):
        with pytest.raises(CodeNotAccepted) as refused:
            two_factor.check_second_step(coordinator, code_at(secret, NOW + off_by), now=NOW)
        assert type(refused.value) is CodeNotAccepted
    assert two_factor.check_second_step(coordinator, code_at(secret, NOW - STEP), now=NOW) == "app"
    assert two_factor.check_second_step(coordinator, code_at(secret, NOW + STEP), now=NOW) == "app"


def test_a_code_is_refused_the_second_time_and_an_older_one_after_a_newer_one(make, db):
    coordinator = make.coordinator()
    secret, _ = enroll(coordinator, at=NOW - 10 * STEP)
    code = code_at(secret, NOW)
    assert two_factor.check_second_step(coordinator, code, now=NOW) == "app"
    with pytest.raises(CodeAlreadyUsed):
        two_factor.check_second_step(coordinator, code, now=NOW + timedelta(seconds=5))
    with pytest.raises(CodeAlreadyUsed):
        two_factor.check_second_step(coordinator, code_at(secret, NOW - STEP), now=NOW + timedelta(seconds=5))
    assert [e.details["reason"] for e in _events(db, "two_factor.failed")] == ["reused", "reused"]


def test_the_code_used_to_enroll_cannot_log_in(make, db):
    coordinator = make.coordinator()
    secret, _ = enroll(coordinator, at=NOW)
    with pytest.raises(CodeAlreadyUsed):
        two_factor.check_second_step(coordinator, code_at(secret, NOW), now=NOW)


def test_a_recovery_code_works_once_however_it_is_typed(make, db):
    coordinator = make.coordinator()
    _, codes = enroll(coordinator, at=NOW - 10 * STEP)
    typed = " " + codes[3].upper().replace("-", " - ") + " "
    assert two_factor.check_second_step(coordinator, typed, now=NOW) == "recovery"
    with pytest.raises(CodeNotAccepted):
        two_factor.check_second_step(coordinator, codes[3], now=NOW + STEP)
    assert two_factor.recovery_codes_left(coordinator) == 9
    [used] = _events(db, "two_factor.recovery_code_used")
    assert used.subject_id == coordinator.id and used.details == {"left": 9}
    [failed] = _events(db, "two_factor.failed")
    assert failed.details == {"reason": "wrong_code"}
    assert codes[3] not in str(used.details) + str(failed.details)


def test_someone_elses_recovery_code_does_not_work(make, db):
    first, second = make.coordinator(), make.coordinator()
    _, first_codes = enroll(first, at=NOW - 10 * STEP)
    enroll(second, at=NOW - 10 * STEP)
    with pytest.raises(CodeNotAccepted):
        two_factor.check_second_step(second, first_codes[0], now=NOW)


def test_wrong_codes_are_throttled_per_account(make, db):
    coordinator = make.coordinator()
    secret, _ = enroll(coordinator, at=NOW - 10 * STEP)
    for _ in range(6):  # five free, the sixth makes the next try wait 2 seconds
        with pytest.raises(CodeNotAccepted):
            two_factor.check_second_step(coordinator, "000000" if code_at(secret, NOW) != "000000" else "111111", now=NOW)
    with pytest.raises(LoginThrottled, match="Too many tries. Wait 1 minute and try again."):
        two_factor.check_second_step(coordinator, code_at(secret, NOW), now=NOW + timedelta(seconds=1))
    assert coordinator.totp_last_step < pyotp.TOTP(secret).timecode(NOW)  # the code was not even looked at
    [throttled] = _events(db, "login.throttled")
    assert throttled.subject_id == coordinator.id and throttled.details == {"step": "code"}

    later = NOW + timedelta(seconds=2)
    assert two_factor.check_second_step(coordinator, code_at(secret, later), now=later) == "app"
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0  # success clears it


def test_admins_reset_someone_elses_two_factor_but_not_their_own(make, db):
    admin, coordinator = make.admin(), make.coordinator()
    enroll(admin)
    enroll(coordinator)
    version = coordinator.session_version
    with pytest.raises(OwnTwoFactorReset):
        two_factor.reset(admin, by=admin, now=NOW)
    with pytest.raises(NotStaff):
        two_factor.reset(admin, by=coordinator, now=NOW)
    assert admin.two_factor_enabled

    two_factor.reset(coordinator, by=admin, now=NOW)
    assert not coordinator.two_factor_enabled and coordinator.totp_secret is None
    assert two_factor.recovery_codes_left(coordinator) == 0
    assert coordinator.session_version == version + 1  # logged out everywhere
    [event] = _events(db, "two_factor.reset")
    assert (event.actor_id, event.subject_id) == (admin.id, coordinator.id)


def test_turning_it_off_takes_the_password(make, db):
    coordinator = make.coordinator()
    enroll(coordinator)
    with pytest.raises(WrongPassword):
        two_factor.disable(coordinator, "not my password", now=NOW)
    assert coordinator.two_factor_enabled
    two_factor.disable(coordinator, make.PASSWORD, now=NOW)
    assert not coordinator.two_factor_enabled and two_factor.recovery_codes_left(coordinator) == 0
    assert [e.actor_id for e in _events(db, "two_factor.disabled")] == [coordinator.id]


# -- the login pages -------------------------------------------------------------------------------


def test_after_the_password_nothing_is_reachable_until_the_code(app, client, make, db):
    coordinator = make.coordinator()
    make.family(name="Rosalinda Q.")
    secret, _ = enroll_for_pages(db, coordinator)

    response = password_step(client, coordinator, make.PASSWORD, next="/coordinator/families")
    assert response.headers["Location"] == "/login/code"
    assert _events(db, "login.succeeded") == []
    for path in ("/coordinator/families", "/password", "/admin/accounts", "/account/two-factor"):
        assert client.get(path).headers["Location"].startswith("/login"), path
    assert "Rosalinda" not in client.get("/").get_data(as_text=True)
    assert "One more step" in client.get("/login/code").get_data(as_text=True)

    response = code_step(client, code_at(secret, utcnow()))
    assert response.headers["Location"] == "/coordinator/families"
    assert "Rosalinda" in client.get("/coordinator/families").get_data(as_text=True)
    [succeeded] = _events(db, "login.succeeded")
    assert succeeded.subject_id == coordinator.id


def test_a_wrong_code_is_explained_and_logs_nobody_in(client, make, db):
    coordinator = make.coordinator()
    secret, _ = enroll_for_pages(db, coordinator)
    password_step(client, coordinator, make.PASSWORD)
    wrong = "000000" if code_at(secret, utcnow()) != "000000" else "111111"
    page = code_step(client, wrong)
    assert page.status_code == 200 and "That code is not right" in page.get_data(as_text=True)
    assert client.get("/password").status_code == 302


def test_the_code_page_closes_after_a_few_minutes(client, make, db):
    coordinator = make.coordinator()
    secret, _ = enroll_for_pages(db, coordinator)
    assert client.get("/login/code").headers["Location"] == "/login"  # no password typed yet
    password_step(client, coordinator, make.PASSWORD)
    with client.session_transaction() as session:
        session["second_step"] = {**session["second_step"], "until": (utcnow() - timedelta(seconds=1)).timestamp()}
    response = code_step(client, code_at(secret, utcnow()))
    assert response.headers["Location"] == "/login"
    assert client.get("/password").status_code == 302


def test_the_half_way_state_names_nobody_to_flask_login(client, make, db):
    coordinator = make.coordinator()
    enroll_for_pages(db, coordinator)
    password_step(client, coordinator, make.PASSWORD)
    with client.session_transaction() as session:
        assert "_user_id" not in session and "login_session" not in session


def test_a_recovery_code_logs_in_once_and_says_how_many_are_left(app, make, db):
    coordinator = make.coordinator()
    _, codes = enroll_for_pages(db, coordinator)
    first, second = app.test_client(), app.test_client()
    password_step(first, coordinator, make.PASSWORD)
    response = code_step(first, codes[0])
    assert "You used a recovery code; 9 left" in first.get(response.headers["Location"]).get_data(as_text=True)
    assert first.get("/password").status_code == 200
    password_step(second, coordinator, make.PASSWORD)
    assert "That code is not right" in code_step(second, codes[0]).get_data(as_text=True)


def test_unenrolled_staff_are_sent_to_enroll_from_every_page(client, make, db, required):
    coordinator = make.coordinator()
    db.session.commit()
    log_in(client, coordinator)
    for path in ("/", "/coordinator/families", "/coordinator/volunteers", "/password", "/no/such/page"):
        assert client.get(path).headers["Location"] == "/account/two-factor", path

    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page and "<title>QR code" in page
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert secret in client.get("/account/two-factor").get_data(as_text=True).replace(" ", "")  # same on reload
    assert " style=" not in page and "<style" not in page and "<script" not in page  # CSP-clean

    token = csrf_token(client, "/account/two-factor")
    wrong = client.post("/account/two-factor", data={"code": "12345x", "csrf_token": token})
    assert "does not match" in wrong.get_data(as_text=True)
    done = client.post("/account/two-factor", data={"code": code_at(secret, utcnow()), "csrf_token": token})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert done.headers["Cache-Control"] == "no-store"
    assert client.get("/coordinator/families").status_code == 200
    assert "<code>" + codes[0] not in client.get("/account/two-factor").get_data(as_text=True)  # shown once


def _words(response) -> str:
    """The page with its white space evened out, to look for sentences that wrap in the template."""
    return " ".join(response.get_data(as_text=True).split())


def _open_setup(client) -> tuple[str, str, str]:
    """Open the setup page as a browser would: its key, its form's CSRF token and its words."""
    page = _words(client.get("/account/two-factor"))
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    return key, CSRF_INPUT.search(page).group(1), page


def _type_code(client, secret: str, token: str) -> str:
    """Send the setup form already open in `client` with the code `secret` makes now."""
    return _words(client.post("/account/two-factor", data={"code": code_at(secret, utcnow()), "csrf_token": token}))


def test_a_setup_key_read_in_another_browser_never_becomes_the_owners(app, make, db, required):
    """Someone with the password opens the setup page first, reads the key and leaves; the owner
    then enrolls. The key they read is not the owner's, their browser is logged out, and the owner
    is told that setup was started elsewhere."""
    coordinator = make.coordinator()
    make.family(name="Rosalinda Q.")
    db.session.commit()
    intruder, owner = app.test_client(), app.test_client()
    log_in(intruder, coordinator)
    read_key, _, _ = _open_setup(intruder)

    log_in(owner, coordinator)
    owners_key, token, page = _open_setup(owner)
    assert owners_key != read_key
    assert "also started in another browser" in page
    reloaded_key, _, reloaded = _open_setup(owner)
    assert reloaded_key == owners_key and "also started in another browser" in reloaded

    refused = _type_code(owner, read_key, token)  # the key the intruder read cannot finish the owner's setup
    assert "does not match" in refused
    done = _type_code(owner, owners_key, token)
    assert "this is the only time they are shown" in done
    assert "had also been started in another browser" in done and "logged out now" in done

    assert intruder.get("/coordinator/families").headers["Location"].startswith("/login")  # logged out
    password_step(intruder, coordinator, make.PASSWORD)
    assert "That code is not right" in code_step(intruder, code_at(read_key, utcnow() + STEP)).get_data(as_text=True)
    assert intruder.get("/coordinator/families").headers["Location"].startswith("/login")
    assert owner.get("/coordinator/families").status_code == 200

    [_, second] = _events(db, "two_factor.setup_started")
    assert second.details == {"other_browsers": 1}
    [enrolled] = _events(db, "two_factor.enrolled")
    assert enrolled.details == {"started_elsewhere": True, "other_browsers_logged_out": 1}
    stored = str([e.details for e in db.session.scalars(select(AuditEvent))])
    assert read_key not in stored and owners_key not in stored


def test_setup_started_again_elsewhere_replaces_the_key_the_owner_was_shown(app, make, db, required):
    coordinator = make.coordinator()
    db.session.commit()
    owner, intruder = app.test_client(), app.test_client()
    log_in(owner, coordinator)
    first_key, owners_token, _ = _open_setup(owner)
    log_in(intruder, coordinator)
    intruders_key, intruders_token, _ = _open_setup(intruder)
    assert intruders_key != first_key

    again = _type_code(owner, first_key, owners_token)  # the page the owner still has open
    assert "was started again in another browser" in again
    assert "also started in another browser" in again
    new_key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', again).group(1).replace(" ", "")
    assert new_key not in (first_key, intruders_key)
    assert "was started again in another browser" in _type_code(intruder, intruders_key, intruders_token)
    # ...and that showed the intruder a new key, which in turn replaced the owner's.
    owners_key, _, _ = _open_setup(owner)
    assert "this is the only time they are shown" in _type_code(owner, owners_key, owners_token)
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_secret == owners_key
    assert intruder.get("/").headers["Location"].startswith("/login")


def test_a_setup_key_is_kept_only_in_the_browser_that_opened_it(make, db):
    coordinator = make.coordinator()
    first, second = browser_of(coordinator), browser_of(coordinator, at=NOW + STEP)
    first_key = two_factor.begin_enrollment(coordinator, first, now=NOW).secret
    setup = two_factor.begin_enrollment(coordinator, second, now=NOW + STEP)
    assert setup.secret != first_key and setup.started_elsewhere_at == NOW
    assert first.two_factor_setup_secret is None and first.two_factor_setup_started_at == NOW
    assert coordinator.totp_secret is None  # nothing on the account until a code confirms it
    with pytest.raises(two_factor.SetupReplaced):
        two_factor.confirm_enrollment(coordinator, first, code_at(first_key, NOW + STEP), now=NOW + STEP)
    enrolled = two_factor.confirm_enrollment(coordinator, second, code_at(setup.secret, NOW + STEP), now=NOW + STEP)
    assert (enrolled.started_elsewhere_at, enrolled.browsers_logged_out) == (NOW, 1)
    assert db.session.scalars(select(LoginSession.id).where(LoginSession.user_id == coordinator.id)).all() == [second.id]


def test_an_unconfirmed_key_left_on_the_account_by_an_older_version_is_dropped_by_the_migration(
    db_kind, postgres, tmp_path
):
    url = (postgres.create_database("accompany_setup_keys") if db_kind == "postgresql"
           else f"sqlite:///{tmp_path / 'setup_keys.sqlite'}")
    app = create_app(config_for(url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0004_message_kinds"]).exit_code == 0
    engine = create_engine(url)
    with engine.begin() as connection:
        for n, enabled in ((1, None), (2, NOW)):
            connection.execute(text(
                "INSERT INTO users (id, email, name, password_hash, role, status, session_version, created_at, "
                "has_car, obligor_eligible, home_area, sms_opt_in, totp_secret, two_factor_enabled_at) VALUES "
                "(:id, :email, 'Staff', 'x', 'coordinator', 'active', 1, :now, false, false, '', false, 'sealed', "
                ":enabled)"), {"id": n, "email": f"staff{n}@example.org", "now": NOW, "enabled": enabled})
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT id, totp_secret FROM users ORDER BY id")).all()
    engine.dispose()
    with app.app_context():
        _db.engine.dispose()
    assert [tuple(row) for row in kept] == [(1, None), (2, "sealed")]


def test_volunteers_are_not_asked_to_enroll_and_have_no_enrollment_page(client, make, db, required):
    volunteer = make.volunteer()
    db.session.commit()
    log_in(client, volunteer)
    assert client.get("/").status_code == 200
    assert client.get("/account/two-factor").status_code == 404


def test_without_the_requirement_staff_may_still_enroll(client, make, db):
    coordinator = make.coordinator()
    db.session.commit()
    log_in(client, coordinator)
    assert client.get("/coordinator/families").status_code == 200
    assert "<svg" in client.get("/account/two-factor").get_data(as_text=True)


def test_turning_it_off_on_the_page_needs_the_password(app, client, make, db):
    coordinator = make.coordinator()
    secret, _ = enroll_for_pages(db, coordinator)
    password_step(client, coordinator, make.PASSWORD)
    code_step(client, code_at(secret, utcnow()))
    token = csrf_token(client, "/account/two-factor")
    wrong = client.post("/account/two-factor/disable", data={"password": "not it", "csrf_token": token})
    assert "current password is not right" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).two_factor_enabled
    client.post("/account/two-factor/disable", data={"password": make.PASSWORD, "csrf_token": token})
    db.session.expire_all()
    assert not db.session.get(User, coordinator.id).two_factor_enabled


def test_an_admin_resets_a_coordinators_two_factor_on_the_accounts_page(app, make, db, required):
    admin, coordinator = make.admin(), make.coordinator(name="Carmen Coordinator")
    admin_secret, _ = enroll_for_pages(db, admin)
    coordinator_secret, _ = enroll_for_pages(db, coordinator)
    staff, carmen = app.test_client(), app.test_client()
    password_step(carmen, coordinator, make.PASSWORD)
    code_step(carmen, code_at(coordinator_secret, utcnow()))
    assert carmen.get("/coordinator/families").status_code == 200
    password_step(staff, admin, make.PASSWORD)
    code_step(staff, code_at(admin_secret, utcnow()))

    page = staff.get("/admin/accounts").get_data(as_text=True)
    assert "Carmen Coordinator" in page
    assert f"/admin/accounts/{coordinator.id}/reset-two-factor" in page
    assert f"/admin/accounts/{admin.id}/reset-two-factor" not in page  # no button for oneself
    token = csrf_token(staff, "/admin/accounts")
    own = staff.post(f"/admin/accounts/{admin.id}/reset-two-factor", data={"csrf_token": token}, follow_redirects=True)
    assert "cannot reset your own" in own.get_data(as_text=True)
    done = staff.post(f"/admin/accounts/{coordinator.id}/reset-two-factor", data={"csrf_token": token},
                      follow_redirects=True)
    assert "Two-step login is reset for Carmen Coordinator" in done.get_data(as_text=True)

    db.session.expire_all()
    assert db.session.get(User, admin.id).two_factor_enabled
    assert not db.session.get(User, coordinator.id).two_factor_enabled
    assert carmen.get("/coordinator/families").headers["Location"].startswith("/login")  # logged out
    assert password_step(carmen, coordinator, make.PASSWORD).headers["Location"] == "/"  # no code step...
    assert carmen.get("/").headers["Location"] == "/account/two-factor"  # ...but enroll again first
    assert [(e.actor_id, e.subject_id) for e in _events(db, "two_factor.reset")] == [(admin.id, coordinator.id)]


def test_only_admins_reach_the_accounts_page_and_the_reset(client, make, db):
    coordinator, other = make.coordinator(), make.coordinator()
    enroll(other)
    db.session.commit()
    log_in(client, coordinator)
    assert client.get("/admin/accounts").status_code == 404
    token = csrf_token(client, "/password")
    assert client.post(f"/admin/accounts/{other.id}/reset-two-factor", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, other.id).two_factor_enabled


# -- in a phone's browser --------------------------------------------------------------------------


@pytest.mark.browser
def test_a_coordinator_enrolls_and_logs_in_with_a_code_on_a_phone(app, phone, make, db, required):
    coordinator = make.coordinator()
    db.session.commit()
    phone.goto("/login")
    phone.get_by_label("Email").fill(coordinator.email)
    phone.get_by_label("Password").fill(make.PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.get_by_role("heading", name="Set up two-step login").wait_for()
    assert phone.locator("svg.qr-code").bounding_box()["width"] <= 300
    assert fits_the_screen(phone)
    secret = phone.locator("code.secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    phone.get_by_label("6-digit code from your app").fill(totp.at(utcnow() - STEP))
    phone.get_by_role("button", name="Turn on two-step login").click()
    phone.get_by_text("this is the only time they are shown").wait_for()
    assert phone.locator("ol.recovery-codes li").count() == 10
    assert fits_the_screen(phone)

    open_menu(phone)
    phone.get_by_role("button", name="Log out").click()
    phone.wait_for_url(re.compile(r"/login$"))
    phone.get_by_label("Email").fill(coordinator.email)
    phone.get_by_label("Password").fill(make.PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.get_by_role("heading", name="One more step").wait_for()
    assert fits_the_screen(phone)
    phone.get_by_label("Code").fill(totp.at(utcnow()))
    phone.get_by_role("button", name="Log in").click()
    open_menu(phone)
    phone.get_by_role("link", name="Families", exact=True).wait_for()
    phone.goto("/account/two-factor")
    phone.get_by_text("You have 10 unused recovery codes").wait_for()
    assert fits_the_screen(phone)


@pytest.mark.browser
def test_an_admin_resets_two_step_login_on_a_phone(phone, make, db):
    admin = make.admin()
    carmen = make.coordinator(name="Carmen Coordinator",
                              email="carmen.with.a.very.long.address@accompaniment-network.example.org")
    enroll_for_pages(db, carmen)
    phone.goto("/login")
    phone.get_by_label("Email").fill(admin.email)
    phone.get_by_label("Password").fill(make.PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.goto("/admin/accounts")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Reset two-step login for Carmen").click()
    phone.get_by_text("Two-step login is reset for Carmen Coordinator").wait_for()
    assert fits_the_screen(phone)


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "12345６"])
def test_digits_from_other_scripts_are_refused_not_an_error(make, db, code):
    """\\d matches Arabic-Indic or full-width digits, which compare_digest cannot take."""
    coordinator = make.coordinator()
    enroll(coordinator, at=NOW - 10 * STEP)
    with pytest.raises(CodeNotAccepted):
        two_factor.check_second_step(coordinator, code, now=NOW)
