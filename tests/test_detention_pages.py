"""Detention response pages (issue 15), through the test client: the dashboard puts open cases
first, the list and the case page with its timeline, the rota, and a volunteer's one-tap report."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from accompany.models import DetentionCase, OnCallTurn, RotaSpan
from accompany.services.detention import cases, on_call
from tests.conftest import NOW
from tests.support.browsing import hidden_fields, logged_in


def _world(make, db):
    coordinator = make.coordinator(name="Olga Oncall", phone="617-555-0201", sms_opt_in=True)
    family = make.family(name="Rosa M.", phone="617-555-0142", consent_given_by="herself",
                         consent_method="verbally at intake", consent_at=NOW - timedelta(days=30))
    appointment = make.appointment(family=family, starts_at=NOW - timedelta(minutes=30))
    shift = make.shift(appointment, starts_at=NOW - timedelta(hours=1))
    volunteer = make.volunteer(name="Hal Holder", phone="617-555-0162", sms_opt_in=True)
    make.claim(shift, volunteer)
    on_call.add_turn(coordinator, starts_on=on_call.org_today(NOW), span=RotaSpan.WEEK, position=1, now=NOW)
    db.session.commit()
    return coordinator, family, appointment, shift, volunteer


def test_a_volunteer_reports_from_the_held_shift_and_sees_only_that_confirmation(app, make, db):
    coordinator, family, _, shift, volunteer = _world(make, db)
    client = logged_in(app, volunteer)
    page = client.get(f"/my/shifts/{shift.id}").get_data(as_text=True)
    assert "Someone was detained" in page and "locating the person happens outside the app" in page
    fields = hidden_fields(client, f"/my/shifts/{shift.id}")
    answer = client.post(f"/my/shifts/{shift.id}/detained", data={**fields, "note": "At the window"})
    assert answer.status_code == 302 and "/my/detentions/" in answer.headers["Location"]
    confirmation = client.get(answer.headers["Location"]).get_data(as_text=True)
    case = cases.open_case_of(family)
    assert case is not None and case.report_note == "At the window" and case.code in confirmation
    assert client.get("/coordinator/detentions").status_code == 404
    other = logged_in(app, make.volunteer(name="Val Other"))
    assert other.get(f"/my/detentions/{case.id}").status_code == 404


def test_the_dashboard_puts_open_cases_above_everything_with_time_since_and_acknowledgement(app, make, db):
    coordinator, family, appointment, _, _ = _world(make, db)
    case, _ = cases.open_case(family, now=NOW - timedelta(minutes=12), by=coordinator, appointment=appointment)
    db.session.commit()
    page = logged_in(app, coordinator).get("/").get_data(as_text=True)
    assert page.index("Detentions open") < page.index("Next two weeks")
    assert f"Case {case.code}" in page and "12 min ago" in page and "Not acknowledged yet" in page


def test_the_case_page_acknowledges_and_shows_the_timeline(app, make, db):
    coordinator, family, appointment, _, _ = _world(make, db)
    case, _ = cases.open_case(family, now=NOW, by=coordinator, appointment=appointment, note="seen at door 2")
    db.session.commit()
    client = logged_in(app, coordinator)
    page = client.get(f"/coordinator/detentions/{case.id}").get_data(as_text=True)
    assert "Locating the person" in page and "no A-number" in page
    assert "Alert to the person on call" in page and "Voice call to the first on the rota" in page
    fields = hidden_fields(client, f"/coordinator/detentions/{case.id}")
    answer = client.post(f"/coordinator/detentions/{case.id}/acknowledge", data={"csrf_token": fields["csrf_token"]},
                         follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "Acknowledged: the alerts have stopped" in page and "Olga Oncall" in page
    answer = client.post(f"/coordinator/detentions/{case.id}/acknowledge", data={"csrf_token": fields["csrf_token"]},
                         follow_redirects=True)
    assert "already acknowledged by Olga" in answer.get_data(as_text=True)


def test_closing_from_the_case_page_with_a_bad_outcome_says_so_plainly(app, make, db):
    coordinator, family, appointment, _, _ = _world(make, db)
    case, _ = cases.open_case(family, now=NOW, by=coordinator, appointment=appointment)
    db.session.commit()
    client = logged_in(app, coordinator)
    token = hidden_fields(client, f"/coordinator/detentions/{case.id}")["csrf_token"]
    answer = client.post(f"/coordinator/detentions/{case.id}/close", data={"csrf_token": token, "outcome": "escaped"})
    assert answer.status_code == 400 and "Choose one of the options listed" in answer.get_data(as_text=True)
    answer = client.post(f"/coordinator/detentions/{case.id}/number", data={"csrf_token": token, "phone": "12"})
    assert answer.status_code == 400
    answer = client.post(f"/coordinator/detentions/{case.id}/close", data={"csrf_token": token, "outcome": "removed"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert not db.session.get(DetentionCase, case.id).is_open


def test_a_coordinator_reports_from_the_family_page_once(app, make, db):
    coordinator, family, _, _, _ = _world(make, db)
    client = logged_in(app, coordinator)
    page = client.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    assert "Report a detention" in page
    token = hidden_fields(client, f"/coordinator/families/{family.id}")["csrf_token"]
    for _ in range(2):
        client.post(f"/coordinator/families/{family.id}/detained", data={"csrf_token": token, "note": ""})
    assert db.session.scalar(select(func.count()).select_from(DetentionCase)) == 1
    listing = client.get("/coordinator/detentions").get_data(as_text=True)
    assert "Rosa M." in listing


def test_the_rota_page_adds_and_removes_turns_and_refuses_bad_input_plainly(app, make, db):
    coordinator, *_ = _world(make, db)
    other = make.coordinator(name="Nate Next", phone="617-555-0202", sms_opt_in=True)
    db.session.commit()
    client = logged_in(app, coordinator)
    page = client.get("/coordinator/on-call").get_data(as_text=True)
    assert "1. Olga Oncall" in page
    token = hidden_fields(client, "/coordinator/on-call")["csrf_token"]
    day = on_call.org_today(NOW).isoformat()
    bad = client.post("/coordinator/on-call", data={"csrf_token": token, "user_id": str(other.id), "starts_on": "soon",
                                                    "span": "day", "position": "0"})
    assert bad.status_code == 400 and "Enter a date like" in bad.get_data(as_text=True)
    added = client.post("/coordinator/on-call", data={"csrf_token": token, "user_id": str(other.id), "starts_on": day,
                                                      "span": "day", "position": "2"}, follow_redirects=True)
    assert "1. Olga Oncall, 2. Nate Next" in added.get_data(as_text=True)
    turn = db.session.scalar(select(OnCallTurn).where(OnCallTurn.user_id == other.id))
    client.post(f"/coordinator/on-call/{turn.id}/remove", data={"csrf_token": token})
    assert db.session.scalar(select(func.count()).select_from(OnCallTurn)) == 1
