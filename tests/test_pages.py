"""Pages through the test client: sign-up, approval, login, guards, CSRF, redirects, errors."""

import re

import pytest
from sqlalchemy import func, select

from accompany.models import Role, User, UserStatus
from tests.conftest import csrf_token, from_now, log_in
from tests.support.browsing import ASSET_URL, logged_in


def _signup_form(client, **fields):
    data = {
        "name": "Lucía Gómez",
        "email": "lucia@example.org",
        "phone": "617-555-0123",
        "password": "a long password",
        "confirm": "a long password",
        "languages": ["es", "en"],
        "has_car": "y",
        "home_area": "Chelsea",
        "sms_opt_in": "y",
        "csrf_token": csrf_token(client, "/signup"),
    }
    data.update(fields)
    return data


def _user_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_volunteer_signs_up_and_waits_for_approval(client, db):
    response = client.post("/signup", data=_signup_form(client))
    assert response.headers["Location"] == "/signup/thanks"  # the same for a taken email: tests/test_accounts.py
    user = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    log_in(client, user, "a long password")
    page = client.get("/").get_data(as_text=True)
    assert "waiting for a coordinator" in page
    assert "(617) 555-0123" in page
    user = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert (user.role, user.status) == (Role.VOLUNTEER, UserStatus.PENDING)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phone", "12345", "not valid"),
        ("phone", "call me", "does not look like a phone number"),
        ("email", "not-an-email", "does not look like an email"),
        ("confirm", "something else", "The two passwords differ"),
        ("password", "short", "at least 10"),
        ("name", "x" * 500, "under 120"),
        ("languages", ["klingon"], "Choose only from the options listed"),
    ],
)
def test_bad_sign_up_input_gets_a_plain_message_and_saves_nothing(client, db, field, value, message):
    if field == "password":
        response = client.post("/signup", data=_signup_form(client, password=value, confirm=value))
    else:
        response = client.post("/signup", data=_signup_form(client, **{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _user_count(db) == 0


def test_coordinator_approves_and_the_volunteer_can_then_use_the_app(app, make, db):
    coordinator = make.coordinator()
    volunteer = make.pending_volunteer(name="Pat Volunteer")
    db.session.commit()

    staff = app.test_client()
    log_in(staff, coordinator)
    listing = staff.get("/coordinator/volunteers").get_data(as_text=True)
    assert "Pat Volunteer" in listing
    response = staff.post(
        f"/coordinator/volunteers/{volunteer.id}/approve",
        data={"csrf_token": csrf_token(staff, "/coordinator/volunteers")},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).status == UserStatus.ACTIVE

    person = app.test_client()
    log_in(person, volunteer)
    home = person.get("/").get_data(as_text=True)
    assert "open shift" in home and "My upcoming shifts" in home


def test_coordinator_declines_a_sign_up(app, make, db):
    coordinator = make.coordinator()
    volunteer = make.pending_volunteer()
    staff = logged_in(app, coordinator)
    staff.post(
        f"/coordinator/volunteers/{volunteer.id}/decline",
        data={"csrf_token": csrf_token(staff, "/coordinator/volunteers")},
    )
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).status == UserStatus.DISABLED


def test_pending_volunteer_sees_nothing_about_families(client, make, db):
    family = make.family(name="Rosalinda Q.", phone="617-555-0177")
    appointment = make.appointment(family=family, starts_at=from_now(days=1))
    make.shift(appointment)
    volunteer = make.pending_volunteer()
    coordinator = make.coordinator()
    db.session.commit()
    log_in(client, volunteer)
    home = client.get("/").get_data(as_text=True)
    assert "Rosalinda" not in home and "555-0177" not in home
    assert client.get("/coordinator/volunteers").status_code == 404
    assert client.get("/admin/invitations").status_code == 404
    token = csrf_token(client, "/password")
    assert client.post(f"/coordinator/volunteers/{coordinator.id}/approve", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/coordinator/volunteers/{volunteer.id}/approve", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).status == UserStatus.PENDING


def test_approved_volunteer_sees_their_own_shift(client, make, db):
    volunteer = make.volunteer()
    shift = make.shift(meeting_point="Cambridge St entrance", starts_at=from_now(days=1))
    make.claim(shift, volunteer)
    db.session.commit()
    log_in(client, volunteer)
    page = client.get("/").get_data(as_text=True)
    assert "Cambridge St entrance" in page
    assert client.get("/coordinator/volunteers").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/coordinator/volunteers")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_form_posts_without_csrf_token_are_refused_and_change_nothing(client, make, db):
    data = _signup_form(client)
    del data["csrf_token"]
    response = client.post("/signup", data=data)
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert _user_count(db) == 0

    coordinator = make.coordinator()
    volunteer = make.pending_volunteer()
    db.session.commit()
    log_in(client, coordinator)
    forged = client.post(f"/coordinator/volunteers/{volunteer.id}/approve", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).status == UserStatus.PENDING


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/coordinator/volunteers", "/coordinator/volunteers"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_login_next_only_redirects_within_the_site(client, make, db, target, expected):
    coordinator = make.coordinator()
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": coordinator.email, "password": make.PASSWORD, "next": target,
              "csrf_token": csrf_token(client, "/login")},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_wrong_password_shows_a_message_and_no_session(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    response = client.post(
        "/login", data={"email": volunteer.email, "password": "wrong password", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/password").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    response = log_in(client, volunteer)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_is_a_post_and_ends_the_session(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    log_in(client, volunteer)
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/password")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/password").status_code == 302


def test_password_change_logs_out_other_devices(app, make, db):
    volunteer = make.volunteer()
    phone, laptop = logged_in(app, volunteer), logged_in(app, volunteer)
    response = phone.post(
        "/password",
        data={"current": make.PASSWORD, "password": "a brand new password", "confirm": "a brand new password",
              "csrf_token": csrf_token(phone, "/password")},
    )
    assert response.status_code == 302
    assert phone.get("/password").status_code == 200
    assert laptop.get("/password").status_code == 302


def test_admin_invites_a_coordinator_who_accepts(app, make, db):
    admin = make.admin()
    client = logged_in(app, admin)
    page = client.post(
        "/admin/invitations",
        data={"email": "new.coord@example.org", "role": "coordinator",
              "csrf_token": csrf_token(client, "/admin/invitations")},
    ).get_data(as_text=True)
    link = re.search(r'value="http://localhost(/invite/[^"]+)"', page).group(1)

    newcomer = app.test_client()
    response = newcomer.post(
        link,
        data={"name": "Nia Coordinator", "password": "a long password", "confirm": "a long password",
              "csrf_token": csrf_token(newcomer, link)},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.coord@example.org"))
    assert (user.role, user.status) == (Role.COORDINATOR, UserStatus.ACTIVE)
    assert newcomer.get(link).status_code == 404  # used up


def test_coordinators_cannot_invite(client, make, db):
    coordinator = make.coordinator()
    db.session.commit()
    log_in(client, coordinator)
    assert client.get("/admin/invitations").status_code == 404


def test_unknown_pages_get_the_404_page_in_the_site_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "pico.min.css" in page


def test_a_crash_gets_the_500_page_and_saves_nothing(app, make, db):
    @app.get("/boom")
    def boom():
        make.family(name="Half Saved")
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    from accompany.models import Family

    assert db.session.scalar(select(func.count()).select_from(Family)) == 0


def test_pages_load_nothing_from_outside_static(app, make, db):
    admin = make.admin()
    db.session.commit()
    client = app.test_client()
    pages = [client.get(path).get_data(as_text=True) for path in ("/", "/login", "/signup")]
    log_in(client, admin)
    pages += [client.get(path).get_data(as_text=True) for path in ("/", "/admin/invitations", "/coordinator/volunteers")]
    for page in pages:
        for url in ASSET_URL.findall(page):
            assert url.startswith("/static/"), url


def test_healthz_reports_database_and_scheduler(client):
    report = client.get("/healthz").get_json()
    assert report["database"] == "ok"
    assert report["scheduler"]["stale"] is True  # no heartbeat yet
    assert set(report["outbox"]) == {"overdue", "paused", "failed", "expired", "unknown"}


def test_forbidden_gets_the_403_page_in_the_site_layout(app):
    from flask import abort

    @app.get("/forbidden-for-test")
    def forbidden():
        abort(403)

    response = app.test_client().get("/forbidden-for-test")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Not allowed" in page and "pico.min.css" in page
