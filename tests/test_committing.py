"""The one way a page saves a change (accompany/committing.py), seen from the pages: a change is
committed once; a change the rules refuse leaves nothing behind, even what the service had
already flushed, and the reason is shown next to its field on a form or flashed after a button."""

from __future__ import annotations

import html
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask import get_flashed_messages
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from accompany.committing import committing
from accompany.models import Appointment, AuditEvent, Family, UrgentCall, User
from accompany.services.errors import ChangedMeanwhile
from tests.conftest import NOW, csrf_token, from_now, log_in
from tests.support.browsing import logged_in

BOSTON = ZoneInfo("America/New_York")


@pytest.fixture
def commits(db):
    """Counts the database's commits; a test sets `count` to 0 just before the request it checks."""
    counter = SimpleNamespace(count=0)

    def count(connection) -> None:
        counter.count += 1

    event.listen(db.engine, "commit", count)
    yield counter
    event.remove(db.engine, "commit", count)


@pytest.fixture
def staff(app, make, db):
    return logged_in(app, make.coordinator())


def _events(db, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _appointment_form(client, appointment: Appointment, **changes) -> dict:
    local = appointment.starts_at.astimezone(BOSTON)
    data = {
        "family_id": appointment.family_id, "location_id": appointment.location_id, "kind": appointment.kind.value,
        "day": local.strftime("%Y-%m-%d"), "time": local.strftime("%H:%M"), "mode": "in_person",
        "judge": "", "interpreter_language": "", "notes": "", "verified_on": "", "verified_by": "",
        "csrf_token": csrf_token(client, f"/coordinator/appointments/{appointment.id}/edit"),
    }
    return {**data, **changes}


def _judge(db, appointment: Appointment) -> str | None:
    db.session.expire_all()
    return db.session.get(Appointment, appointment.id).judge


# -- forms -----------------------------------------------------------------------------------------


def test_a_saved_form_is_committed_once(staff, make, db, commits):
    appointment = make.appointment(starts_at=from_now(days=10))
    db.session.commit()
    data = _appointment_form(staff, appointment, judge="Judge Castillo")

    commits.count = 0
    response = staff.post(f"/coordinator/appointments/{appointment.id}/edit", data=data)

    assert response.status_code == 302
    assert commits.count == 1
    assert _judge(db, appointment) == "Judge Castillo"
    assert _events(db, "appointment.changed") == 1
    assert "Appointment updated." in staff.get(response.location).get_data(as_text=True)


def test_a_change_the_rules_refuse_leaves_nothing_half_saved_and_is_explained_at_its_field(staff, make, db, commits):
    # The service writes the new judge and its audit event (and flushes them) before it finds
    # that the new time has passed: none of that may survive.
    appointment = make.appointment(starts_at=from_now(days=10))
    db.session.commit()
    data = _appointment_form(staff, appointment, judge="Judge Castillo", day="2020-01-01", time="09:00")

    commits.count = 0
    response = staff.post(f"/coordinator/appointments/{appointment.id}/edit", data=data)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<small class="field-error" id="day-error">That date and time has already passed.' in page
    assert commits.count == 0
    assert _judge(db, appointment) in (None, "")
    assert _events(db, "appointment.changed") == 0


def test_a_message_about_a_field_goes_next_to_that_field(client, make, db):
    volunteer = make.volunteer(name="Dana Rivera", phone="617-555-0123", languages=["en"], sms_opt_in=True)
    db.session.commit()
    log_in(client, volunteer)
    data = {"name": "Dana Rivera", "phone": "(617) 555-0123", "languages": ["en"], "home_area": "Revere",
            "court_training_on": "2999-01-01", "sms_opt_in": "y", "csrf_token": csrf_token(client, "/my/profile")}

    page = client.post("/my/profile", data=data).get_data(as_text=True)

    # The training date's own field, not the page's usual place for messages (the name).
    assert '<small class="field-error" id="court_training_on-error">The training date cannot be in the future.' in page
    assert 'id="name-error"' not in page
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).home_area == ""


def test_a_message_about_no_field_goes_at_the_top_of_the_form(staff, make, db, commits):
    family = make.family(closed_at=NOW, purged_at=NOW)
    db.session.commit()
    path = f"/coordinator/families/{family.id}/edit"
    data = {"name": "Lucía R.", "phone": "617-555-0142", "language": "es", "town": "Chelsea", "consent_on": "",
            "consent_given_by": "", "consent_method": "", "wording": "discreet", "notes": "",
            "csrf_token": csrf_token(staff, path)}

    commits.count = 0
    response = staff.post(path, data=data)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    summary = page.split('<div class="error-summary" role="alert"', 1)[1].split("</div>", 1)[0]
    assert "<li>This family&#39;s record was anonymized and cannot be changed.</li>" in summary
    assert page.index("error-summary") < page.index('name="name"')  # above the fields
    assert commits.count == 0
    db.session.expire_all()
    assert db.session.get(Family, family.id).name == "Maria G."


# -- buttons ---------------------------------------------------------------------------------------


def _press(staff, commits, page: str, action: str):
    """Press the button on `page` that posts to `action`, counting only the commits the press makes."""
    token = csrf_token(staff, page)
    commits.count = 0
    return staff.post(action, data={"csrf_token": token})


def test_a_pressed_button_is_committed_once(staff, make, db, commits):
    family = make.family()
    db.session.commit()
    page = f"/coordinator/families/{family.id}"

    response = _press(staff, commits, page, f"{page}/close")

    assert response.status_code == 302
    assert commits.count == 1
    db.session.expire_all()
    assert db.session.get(Family, family.id).closed_at is not None


def test_a_refused_button_leaves_nothing_half_saved_and_flashes_why(staff, make, db, commits):
    # Texting about a shift nobody can take: the service opens the call (and flushes it) before
    # it finds there is nobody to ask.
    shift = make.shift(make.appointment(starts_at=from_now(days=2)), slots=1)
    db.session.commit()

    response = _press(staff, commits, f"/coordinator/shifts/{shift.id}/assign", f"/coordinator/shifts/{shift.id}/urgent")

    assert response.status_code == 302
    assert commits.count == 0
    assert db.session.scalar(select(UrgentCall)) is None
    page = staff.get(response.location).get_data(as_text=True)
    assert 'class="flash flash-warning" role="status">' + html.escape("Nobody is left to text:") in page


# -- a refusal that is itself worth keeping --------------------------------------------------------


def test_a_refused_login_keeps_the_record_of_the_failed_try(client, make, db, commits):
    make.coordinator(email="carmen@example.org")
    db.session.commit()
    token = csrf_token(client, "/login")

    commits.count = 0
    response = client.post("/login", data={"email": "carmen@example.org", "password": "not the password",
                                           "csrf_token": token})

    assert response.status_code == 200
    assert '<small class="field-error" id="password-error">' in response.get_data(as_text=True)
    # The try's count is committed before the password is hashed (tests/test_login_throttle.py),
    # then the failure's record.
    assert commits.count == 2
    assert _events(db, "login.failed") == 1
    assert _events(db, "login.password_accepted") == 0


@pytest.mark.parametrize("lost", [
    StaleDataError("UPDATE statement on table 'users' expected to update 1 row(s); 0 were matched."),
    IntegrityError("INSERT INTO claims ...", {}, Exception("UNIQUE constraint failed: claims.shift_id")),
], ids=["row_changed_meanwhile", "unique_value_taken"])
def test_a_change_that_lost_a_race_saves_nothing_and_says_so(app, make, db, lost):
    """Another request changed the same row first, or took the unique value this one wanted (the
    second of a double tap, mostly): everything this one did rolls back, and instead of a server
    error the person reads what happened."""
    with app.test_request_context("/", method="POST"):
        with committing() as outcome:
            make.family(name="Never kept")
            raise lost
        assert not outcome and isinstance(outcome.error, ChangedMeanwhile)
        assert get_flashed_messages() == [ChangedMeanwhile.message]
    assert db.session.scalar(select(func.count()).select_from(Family)) == 0
