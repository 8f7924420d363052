"""The private calendar feed and the page that hands out (and resets) its link."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from accompany.models import AppointmentStatus, AuditEvent, ShiftRole, User, UserStatus
from accompany.services.people.volunteers import deactivate_volunteer
from accompany.services.scheduling.calendar import (
    CalendarNotAvailable,
    build_feed,
    ensure_calendar_token,
    feed_owner,
    feed_shifts,
    reset_calendar_token,
)
from accompany.words import fold
from tests.conftest import JOSE_PEREZ_MEETING_POINTS, NOW, csrf_token, from_now, log_in
from tests.support.browsing import hidden_fields
from tests.support.queries import count_queries

FAMILY_NAME = "Rosalinda Quispe"
FAMILY_PHONE = "617-555-0177"
FAMILY_PHONE_FORMS = [b"555-0177", b"5550177", b"6175550177", b"+16175550177", b"(617) 555"]


def _events(body: bytes) -> dict[str, object]:
    """The feed's events keyed by UID, after checking it parses as iCalendar."""
    calendar = Calendar.from_ical(body)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def _unfolded(body: bytes) -> bytes:
    """iCalendar folds long lines; a name could be split across a fold."""
    return body.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")


def _uid(shift) -> str:
    return f"shift-{shift.id}@localhost"


def _feed_path(user) -> str:
    return f"/calendar/{user.calendar_token}.ics"


def _with_token(volunteer, db):
    ensure_calendar_token(volunteer, now=NOW)
    db.session.commit()
    return volunteer


# -- the token -----------------------------------------------------------------------------------


def test_a_token_is_long_random_url_safe_and_made_once(make, db):
    volunteer = make.volunteer()
    first = ensure_calendar_token(volunteer, now=NOW)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", first)
    assert ensure_calendar_token(volunteer, now=NOW) == first
    other = ensure_calendar_token(make.volunteer(), now=NOW)
    assert other != first


def test_resetting_gives_a_new_token_and_the_old_one_opens_nothing(make, db):
    volunteer = make.volunteer()
    old = ensure_calendar_token(volunteer, now=NOW)
    new = reset_calendar_token(volunteer, now=NOW)
    assert new != old
    assert feed_owner(old) is None
    assert feed_owner(new) == volunteer
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["calendar.link_created", "calendar.link_reset"]
    assert all(old not in str(e.details) and new not in str(e.details)
               for e in db.session.scalars(select(AuditEvent)))


@pytest.mark.parametrize("who", ["pending", "disabled", "coordinator"])
def test_only_an_active_volunteers_token_opens_a_feed(make, db, who):
    person = {
        "pending": lambda: make.pending_volunteer(calendar_token="p" * 43),
        "disabled": lambda: make.volunteer(status=UserStatus.DISABLED, calendar_token="p" * 43),
        "coordinator": lambda: make.coordinator(calendar_token="p" * 43),
    }[who]()
    assert person.calendar_token == "p" * 43
    assert feed_owner("p" * 43) is None


@pytest.mark.parametrize("who", ["pending", "coordinator"])
def test_only_approved_volunteers_get_a_link(make, db, who):
    person = make.pending_volunteer() if who == "pending" else make.coordinator()
    with pytest.raises(CalendarNotAvailable):
        ensure_calendar_token(person, now=NOW)
    assert person.calendar_token is None


@pytest.mark.parametrize("token", ["", "short", "a" * 31, "x" * 65, "../../etc/passwd" + "a" * 30, "a b" * 20])
def test_malformed_tokens_open_nothing(make, db, token):
    make.volunteer(calendar_token="a" * 43)
    assert feed_owner(token) is None


# -- what is in the feed (service) -----------------------------------------------------------------


def _network(make):
    """Shifts for one volunteer in every state the feed cares about, and one for someone else."""
    me, someone_else = make.volunteer(), make.volunteer()
    family = make.family(name=FAMILY_NAME, phone=FAMILY_PHONE)
    court = make.location(name="Boston Immigration Court", address="15 New Sudbury St, Boston, MA")
    upcoming = make.shift(
        make.appointment(family=family, location=court, starts_at=NOW + timedelta(days=3)),
        role=ShiftRole.COMPANION, meeting_point="Outside the JFK building",
    )
    ride = make.shift(
        make.appointment(family=family, location=court, starts_at=NOW + timedelta(days=5)),
        role=ShiftRole.RIDE_THERE, meeting_point="Family's home, Chelsea",
        starts_at=NOW + timedelta(days=5, hours=-2), ends_at=NOW + timedelta(days=5),
    )
    cancelled = make.shift(
        make.appointment(family=family, location=court, starts_at=NOW + timedelta(days=8),
                         status=AppointmentStatus.CANCELLED),
    )
    recent = make.shift(
        make.appointment(family=family, location=court, starts_at=NOW - timedelta(days=10),
                         status=AppointmentStatus.CLOSED),
        meeting_point="Rosalinda's door",
    )
    too_old = make.shift(make.appointment(location=court, starts_at=NOW - timedelta(days=31)))
    draft = make.shift(make.appointment(location=court, starts_at=NOW + timedelta(days=9),
                                        status=AppointmentStatus.DRAFT))
    not_mine = make.shift(make.appointment(location=court, starts_at=NOW + timedelta(days=4)))
    for shift in (upcoming, ride, cancelled, recent, too_old, draft):
        make.claim(shift, me)
    make.claim(not_mine, someone_else)
    return me, {"upcoming": upcoming, "ride": ride, "cancelled": cancelled, "recent": recent,
                "too_old": too_old, "draft": draft, "not_mine": not_mine}


def _build(volunteer, now=NOW) -> bytes:
    return build_feed(
        feed_shifts(volunteer, now=now), now=now, host="localhost",
        link_for=lambda shift: f"https://example.org/my/shifts/{shift.id}",
        past_link="https://example.org/my/shifts",
    )


def test_the_feed_holds_exactly_my_shifts_from_30_days_ago_on(make, db):
    me, shifts = _network(make)
    events = _events(_build(me))
    expected = {_uid(shifts[name]) for name in ("upcoming", "ride", "cancelled", "recent")}
    assert set(events) == expected


def test_times_are_utc_and_match_the_shift(make, db):
    me, shifts = _network(make)
    events = _events(_build(me))
    for name in ("upcoming", "ride", "cancelled", "recent"):
        shift, event = shifts[name], events[_uid(shifts[name])]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)
        assert (start, end) == (shift.starts_at, shift.ends_at)
    body = _build(me)
    assert b"TZID" not in body
    first = shifts["upcoming"].starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode()
    assert b"DTSTART:" + first in body


def test_cancelled_shifts_are_marked_so_phones_drop_them(make, db):
    me, shifts = _network(make)
    events = _events(_build(me))
    cancelled = events[_uid(shifts["cancelled"])]
    assert str(cancelled["status"]) == "CANCELLED"
    assert "cancelled" in str(cancelled["summary"])
    for name in ("upcoming", "ride", "recent"):
        assert str(events[_uid(shifts[name])]["status"]) == "CONFIRMED"


def test_summary_location_and_description_say_where_to_be(make, db):
    me, shifts = _network(make)
    events = _events(_build(me))
    companion = events[_uid(shifts["upcoming"])]
    assert str(companion["summary"]) == "Accompany: Court / check-in companion"
    assert str(companion["location"]) == "Boston Immigration Court, 15 New Sudbury St, Boston, MA"
    description = str(companion["description"])
    assert "Meeting point: Outside the JFK building" in description
    assert "Role: Court / check-in companion" in description
    assert f"https://example.org/my/shifts/{shifts['upcoming'].id}" in description
    assert str(companion["url"]) == f"https://example.org/my/shifts/{shifts['upcoming'].id}"

    ride = events[_uid(shifts["ride"])]
    assert str(ride["summary"]) == "Accompany: Ride there"
    assert str(ride["location"]) == "Family's home, Chelsea"
    assert "Going to: Boston Immigration Court" in str(ride["description"])


def test_meeting_details_leave_the_feed_a_day_after_the_appointment(make, db):
    me, shifts = _network(make)
    recent = _events(_build(me))[_uid(shifts["recent"])]
    assert "Meeting point" not in str(recent["description"])
    assert str(recent["url"]) == "https://example.org/my/shifts"  # its own page is closed by now
    assert str(recent["location"]) == "Boston Immigration Court, 15 New Sudbury St, Boston, MA"


def test_no_family_name_or_phone_anywhere_in_the_feed(make, db):
    me, shifts = _network(make)
    # A coordinator typed the family's name and number into the meeting point.
    shifts["upcoming"].meeting_point = f"Meet {FAMILY_NAME} at home, call {FAMILY_PHONE}"
    shifts["ride"].meeting_point = "rosalinda's house (quispe family)"
    db.session.flush()
    body = _build(me)
    for text in (body, _unfolded(body)):
        for secret in (b"Rosalinda", b"rosalinda", b"Quispe", b"quispe", *FAMILY_PHONE_FORMS):
            assert secret not in text
    events = _events(body)
    assert "Meet the family at home" in str(events[_uid(shifts["upcoming"])]["description"])
    assert str(events[_uid(shifts["ride"])]["location"]) == "the family's house (the family family)"




def folded_names(text: str) -> list[str]:
    """Which of the words of "José Pérez" `text` still holds, accents and case aside."""
    return [word for word in ("jose", "perez") if word in fold(text)]


@pytest.mark.parametrize("meeting_point", JOSE_PEREZ_MEETING_POINTS)
def test_the_feed_leaves_out_the_family_name_however_its_accents_and_case_are_typed(make, db, meeting_point):
    me = make.volunteer()
    family = make.family(name="José Pérez", phone=FAMILY_PHONE)
    ride = make.shift(make.appointment(family=family, starts_at=NOW + timedelta(days=3)),
                      role=ShiftRole.RIDE_THERE, meeting_point=meeting_point)
    make.claim(ride, me)
    body = _build(me)
    event = _events(body)[_uid(ride)]
    assert folded_names(_unfolded(body).decode()) == []
    assert folded_names(str(event["location"])) == [] and folded_names(str(event["description"])) == []
    assert "12 elm st" in fold(str(event["location"]))  # the rest of the meeting point stays
    assert "family" in str(event["location"])


def test_the_feed_uids_are_stable(make, db):
    me, shifts = _network(make)
    first = set(_events(_build(me)))
    later = set(_events(_build(me, now=NOW + timedelta(hours=1))))
    assert first == later


# -- the feed over HTTP ----------------------------------------------------------------------------


def _live_shifts(make, volunteer, count, family=None):
    family = family or make.family(name=FAMILY_NAME, phone=FAMILY_PHONE)
    location = make.location()
    made = []
    for n in range(count):
        appointment = make.appointment(family=family, location=location, starts_at=from_now(days=1 + n))
        shift = make.shift(appointment, meeting_point="Front steps")
        make.claim(shift, volunteer)
        made.append(shift)
    return made


def test_the_feed_is_served_without_login_as_private_uncached_icalendar(app, client, make, db):
    volunteer = make.volunteer()
    mine = _live_shifts(make, volunteer, 2)
    others = _live_shifts(make, make.volunteer(), 1)
    _with_token(volunteer, db)

    response = client.get(_feed_path(volunteer))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    body = response.get_data()
    events = _events(body)
    assert set(events) == {_uid(shift) for shift in mine}
    assert _uid(others[0]) not in events
    link = str(events[_uid(mine[0])]["url"])
    assert link == f"http://localhost/my/shifts/{mine[0].id}"
    for text in (body, _unfolded(body)):
        for secret in (b"Rosalinda", b"Quispe", *FAMILY_PHONE_FORMS):
            assert secret not in text
    log_in(client, volunteer)  # the event's link opens the shift's page once logged in
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_unknown_and_malformed_tokens_get_the_same_plain_404(client, make, db):
    volunteer = _with_token(make.volunteer(), db)
    real = volunteer.calendar_token
    one_off = real[:-1] + ("y" if real.endswith("x") else "x")
    answers = [client.get(f"/calendar/{token}.ics") for token in ("A" * 43, "B" * 43, "short", one_off)]
    answers.append(client.get("/calendar/"))
    answers.append(client.get(f"/calendar/{real}"))  # no .ics
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.get_data() for answer in answers}) == 1
    assert all("Set-Cookie" not in answer.headers for answer in answers)


def test_resetting_the_link_makes_the_old_url_404(client, make, db):
    volunteer = _with_token(make.volunteer(), db)
    old_path = _feed_path(volunteer)
    assert client.get(old_path).status_code == 200
    log_in(client, volunteer)
    response = client.post("/my/calendar/reset", data={"csrf_token": csrf_token(client, "/my/calendar")})
    assert response.status_code == 302
    db.session.expire_all()
    volunteer = db.session.get(User, volunteer.id)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/my/calendar")})
    assert client.get(old_path).status_code == 404
    assert client.get(_feed_path(volunteer)).status_code == 200


def test_the_reset_button_pressed_twice_resets_the_link_once(client, make, db):
    """The button says which link it resets: sent again, it finds that link gone and leaves the
    new one alone (else the page the volunteer reads would show a link that no longer works)."""
    volunteer = _with_token(make.volunteer(), db)
    log_in(client, volunteer)
    form = hidden_fields(client, "/my/calendar")
    assert client.post("/my/calendar/reset", data=form).status_code == 302
    db.session.expire_all()
    new = db.session.get(User, volunteer.id).calendar_token
    again = client.post("/my/calendar/reset", data=form, follow_redirects=True)
    assert "reset a moment ago" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).calendar_token == new
    resets = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "calendar.link_reset"))
    assert resets.all() == ["calendar.link_reset"]


def test_a_deactivated_volunteers_feed_is_404(client, make, db):
    volunteer = make.volunteer()
    _live_shifts(make, volunteer, 1)
    _with_token(volunteer, db)
    path = _feed_path(volunteer)
    assert client.get(path).status_code == 200
    volunteer.status = UserStatus.DISABLED  # even with the token left in place
    db.session.commit()
    assert client.get(path).status_code == 404


def test_deactivating_through_the_service_also_stops_the_feed(client, make, db):
    volunteer = _with_token(make.volunteer(), db)
    path = _feed_path(volunteer)
    deactivate_volunteer(volunteer, by=make.coordinator(), now=NOW)
    db.session.commit()
    assert client.get(path).status_code == 404


def test_the_feed_runs_the_same_number_of_queries_for_2_and_20_shifts(client, make, db):
    few, many = make.volunteer(), make.volunteer()
    _live_shifts(make, few, 2)
    for n in range(20):  # a family each, so families are loaded in bulk, not one by one
        _live_shifts(make, many, 1, family=make.family(name=f"Family{n} X."))
    few_path, many_path = _feed_path(_with_token(few, db)), _feed_path(_with_token(many, db))
    with count_queries(db.engine) as small:
        assert len(_events(client.get(few_path).get_data())) == 2
    with count_queries(db.engine) as large:
        assert len(_events(client.get(many_path).get_data())) == 20
    assert len(small) == len(large)
    # the volunteer; the shifts with their appointments; their locations; their families' names
    assert len(large) == 4


# -- the page --------------------------------------------------------------------------------------


def test_the_page_makes_the_link_on_first_visit_and_keeps_it(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    log_in(client, volunteer)
    page = client.get("/my/calendar").get_data(as_text=True)
    db.session.expire_all()
    token = db.session.get(User, volunteer.id).calendar_token
    assert token
    assert f"http://localhost/calendar/{token}.ics" in page
    assert f'href="webcal://localhost/calendar/{token}.ics"' in page
    assert "Add to my phone's calendar" in page
    assert "iPhone" in page and "Android" in page
    assert "Reset the link" in page
    assert "<script" not in page and "style=" not in page
    client.get("/my/calendar")
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).calendar_token == token


def test_reset_needs_the_csrf_token(client, make, db):
    volunteer = _with_token(make.volunteer(), db)
    token = volunteer.calendar_token
    log_in(client, volunteer)
    assert client.post("/my/calendar/reset").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).calendar_token == token


def test_the_page_and_reset_send_anonymous_visitors_to_log_in(app, client):
    app.config["WTF_CSRF_ENABLED"] = False  # reach the login check, not the CSRF one
    for response in (client.get("/my/calendar"), client.post("/my/calendar/reset")):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("who", ["coordinator", "admin", "pending"])
def test_the_calendar_pages_are_only_for_approved_volunteers(client, make, db, who):
    """Staff get 404; a volunteer waiting for approval is sent home, where it says so."""
    person = {"coordinator": make.coordinator, "admin": make.admin, "pending": make.pending_volunteer}[who]()
    db.session.commit()
    log_in(client, person)
    token = csrf_token(client, "/password")
    for response in (client.get("/my/calendar"), client.post("/my/calendar/reset", data={"csrf_token": token})):
        if who == "pending":
            assert (response.status_code, response.headers["Location"]) == (302, "/")
        else:
            assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(User, person.id).calendar_token is None


@pytest.mark.browser
def test_the_calendar_page_fits_a_phone(phone, make, db):
    from tests.support.browser import fits_the_screen
    from tests.test_browser import log_in as browser_log_in

    volunteer = make.volunteer(name="Dana Driver")
    db.session.commit()
    browser_log_in(phone, volunteer.email, make.PASSWORD)
    phone.goto("/my/calendar")
    button = phone.get_by_role("button", name="Add to my phone's calendar")
    assert button.get_attribute("href").startswith("webcal://")
    assert button.bounding_box()["height"] >= 44
    assert phone.get_by_role("button", name="Reset the link").bounding_box()["height"] >= 44
    assert fits_the_screen(phone)
    old = phone.get_by_label("Your calendar link").input_value()
    phone.get_by_role("button", name="Reset the link").click()
    phone.get_by_text("the old one no longer works").wait_for()
    assert phone.get_by_label("Your calendar link").input_value() != old
    assert fits_the_screen(phone)
