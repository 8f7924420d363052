"""Sessions: cookie flags, no "remember me", idle and absolute limits, and copies of a session
cookie that stop working after logout, password change, deactivation or "log out everywhere"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select, update

from accompany.clock import utcnow
from accompany.models import AuditEvent, LoginSession
from config import Config, ProductionConfig
from tests.conftest import csrf_token, log_in
from tests.support.browsing import logged_in


def _age_session(db, user, *, idle: timedelta = timedelta(0), started: timedelta | None = None) -> None:
    """Pretend the user's last request was `idle` ago and their login `started` ago."""
    now = utcnow()
    values = {"last_seen_at": now - idle}
    if started is not None:
        values["started_at"] = now - started
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id).values(**values))
    db.session.commit()


def _copy_session(source, target) -> None:
    """What someone who copied the cookie out of a browser would hold."""
    target.set_cookie("session", source.get_cookie("session").value)


def _logged_in(client) -> bool:
    response = client.get("/password")
    return response.status_code == 200


def test_session_cookie_flags_and_no_remember_cookie(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    cookies = log_in(client, volunteer).headers.getlist("Set-Cookie")
    [session_cookie] = [c for c in cookies if c.startswith("session=")]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert not any(c.startswith("remember_token=") for c in cookies)
    assert client.get_cookie("remember_token") is None
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    assert timedelta(hours=1) >= Config.REMEMBER_COOKIE_DURATION


def test_a_remember_cookie_alone_logs_nobody_in(app, client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    with app.test_request_context():
        forged = encode_cookie(volunteer.get_id())  # signed with the real key: as good as it gets
    client.set_cookie("remember_token", forged)
    response = client.get("/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not _logged_in(client)


@pytest.mark.parametrize(
    "role, limit_minutes",
    [("coordinator", 30), ("admin", 30), ("volunteer", 120), ("pending_volunteer", 120)],
)
def test_a_session_ends_after_the_idle_limit_for_the_role(app, make, db, role, limit_minutes):
    person = getattr(make, role)()
    client = logged_in(app, person)
    _age_session(db, person, idle=timedelta(minutes=limit_minutes - 1))
    assert _logged_in(client)

    _age_session(db, person, idle=timedelta(minutes=limit_minutes, seconds=1))
    response = client.get("/password")
    assert response.headers["Location"] == "/login?next=/password"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"logged out after {limit_minutes} minutes without activity" in page
    assert not _logged_in(client)
    assert db.session.scalars(select(LoginSession)).all() == []


def test_idle_limits_follow_the_settings(app, client, make, db):
    app.config["SESSION_IDLE_MINUTES_VOLUNTEER"] = 10
    volunteer = make.volunteer()
    db.session.commit()
    log_in(client, volunteer)
    _age_session(db, volunteer, idle=timedelta(minutes=11))
    assert not _logged_in(client)


def test_using_the_site_keeps_the_session_going(client, make, db):
    coordinator = make.coordinator()
    db.session.commit()
    log_in(client, coordinator)
    _age_session(db, coordinator, idle=timedelta(minutes=25))
    assert _logged_in(client)  # this request counts as activity...
    db.session.expire_all()
    seen = db.session.scalar(select(LoginSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)
    _age_session(db, coordinator, idle=timedelta(minutes=0))
    assert _logged_in(client)  # ...so 25 + 25 minutes of use is fine


def test_a_busy_session_still_ends_twelve_hours_after_the_password(client, make, db):
    coordinator = make.coordinator()
    db.session.commit()
    log_in(client, coordinator)
    _age_session(db, coordinator, started=timedelta(hours=11, minutes=59))
    assert _logged_in(client)
    _age_session(db, coordinator, started=timedelta(hours=12, seconds=1))
    response = client.get("/coordinator/families")
    assert response.headers["Location"].startswith("/login")
    assert "you logged in 12 hours ago" in client.get("/login").get_data(as_text=True)
    assert not _logged_in(client)


def _log_out(client, app, make, db, user):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/password")})


def _change_password(client, app, make, db, user):
    response = client.post(
        "/password",
        data={"current": make.PASSWORD, "password": "a brand new password", "confirm": "a brand new password",
              "csrf_token": csrf_token(client, "/password")},
    )
    assert response.status_code == 302


def _deactivate(client, app, make, db, user):
    staff = app.test_client()
    coordinator = make.coordinator()
    db.session.commit()
    log_in(staff, coordinator)
    path = f"/coordinator/volunteers/{user.id}"
    response = staff.post(f"{path}/deactivate", data={"csrf_token": csrf_token(staff, path)})
    assert response.status_code == 302


def _log_out_everywhere(client, app, make, db, user):
    page = client.get("/password").get_data(as_text=True)
    assert "Log out everywhere" in page
    response = client.post("/account/log-out-everywhere", data={"csrf_token": csrf_token(client, "/password")})
    assert response.headers["Location"] == "/login"


@pytest.mark.parametrize(
    "end_it, original_still_in",
    [(_log_out, False), (_change_password, True), (_deactivate, False), (_log_out_everywhere, False)],
    ids=["logout", "password change", "deactivation", "log out everywhere"],
)
def test_a_copied_session_cookie_stops_working(app, make, db, end_it, original_still_in):
    volunteer = make.volunteer()
    db.session.commit()
    browser, thief = app.test_client(), app.test_client()
    log_in(browser, volunteer)
    _copy_session(browser, thief)
    assert _logged_in(thief)  # the copy works as long as the session does

    end_it(browser, app, make, db, volunteer)
    assert not _logged_in(thief)
    assert _logged_in(browser) is original_still_in


def test_logging_out_one_browser_leaves_the_others_logged_in(app, make, db):
    volunteer = make.volunteer()
    phone, laptop = logged_in(app, volunteer), logged_in(app, volunteer)
    _log_out(phone, app, make, db, volunteer)
    assert not _logged_in(phone) and _logged_in(laptop)


def test_log_out_everywhere_ends_every_browser_and_is_audited(app, make, db):
    coordinator = make.coordinator()
    phone, laptop = logged_in(app, coordinator), logged_in(app, coordinator)
    _log_out_everywhere(phone, app, make, db, coordinator)
    assert not _logged_in(phone) and not _logged_in(laptop)
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sessions.ended_everywhere")).all()
    assert (event.actor_id, event.subject_id) == (coordinator.id, coordinator.id)
    assert db.session.scalars(select(LoginSession)).all() == []


def test_each_login_gets_a_fresh_session(app, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    log_in(client, volunteer)
    with client.session_transaction() as session:
        assert "planted" not in session
