"""Appointment pages through the test client: the single form, changes, and bad input."""

import re
from datetime import datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from accompany.models import (
    Appointment,
    AppointmentStatus,
    Language,
    MessageState,
    OutboundMessage,
    Outcome,
    Shift,
    ShiftRole,
    UserStatus,
)
from tests.conftest import csrf_token, from_now, log_in
from tests.support.browsing import logged_in

BOSTON = ZoneInfo("America/New_York")


@pytest.fixture
def staff(app, make, db):
    return logged_in(app, make.coordinator())


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new_form(staff, family, location, **overrides):
    when = from_now(days=10).astimezone(BOSTON)
    data = {
        "family_id": family.id,
        "location_id": location.id,
        "kind": "master_calendar",
        "day": when.strftime("%Y-%m-%d"),
        "time": "08:30",
        "mode": "in_person",
        "judge": "",
        "interpreter_language": "es",
        "notes": "",
        "verified_on": "",
        "verified_by": "",
        "needs": ["ride_there", "companion"],
        "csrf_token": csrf_token(staff, f"/coordinator/appointments/new?family_id={family.id}"),
    }
    data.update(overrides)
    return data


def test_review_proposes_shifts_that_the_coordinator_edits_before_saving(staff, make, db):
    family, location = make.family(name="Rosa M.", town="Chelsea"), make.location(name="Boston Immigration Court")
    db.session.commit()
    url = f"/coordinator/appointments/new?family_id={family.id}"
    assert "Rosa M." in staff.get(url).get_data(as_text=True)

    data = _new_form(staff, family, location, action="review")
    review = staff.post(url, data=data).get_data(as_text=True)
    assert 'name="shifts-0-role"' in review and 'name="shifts-1-role"' in review
    assert "Family&#39;s home, Chelsea" in review or "Family's home, Chelsea" in review
    assert _count(db, Appointment) == 0  # reviewing saves nothing

    day = data["day"]
    data.update({
        "action": "save",
        "shifts-0-role": "ride_there", "shifts-0-day": day, "shifts-0-starts": "06:30", "shifts-0-ends": "08:00",
        "shifts-0-meeting_point": "Corner of Broadway and 4th", "shifts-0-slots": "1", "shifts-0-requires_car": "y",
        "shifts-0-language": "",
        "shifts-1-role": "companion", "shifts-1-day": day, "shifts-1-starts": "07:45", "shifts-1-ends": "11:30",
        "shifts-1-meeting_point": "Outside the court", "shifts-1-slots": "2", "shifts-1-language": "es",
        "shifts-1-requires_training": "y",
    })
    response = staff.post(url, data=data)
    assert response.status_code == 302
    appointment = db.session.scalar(select(Appointment))
    shifts = sorted(appointment.shifts, key=lambda s: s.starts_at)
    assert [(s.role, s.slots) for s in shifts] == [(ShiftRole.RIDE_THERE, 1), (ShiftRole.COMPANION, 2)]
    assert shifts[0].meeting_point == "Corner of Broadway and 4th" and shifts[0].requires_car
    assert shifts[1].starts_at.astimezone(BOSTON).strftime("%H:%M") == "07:45"
    assert appointment.starts_at.astimezone(BOSTON).strftime("%H:%M") == "08:30"
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Corner of Broadway and 4th" in page and "needs 2" in page


def test_saving_without_review_uses_the_proposals(staff, make, db):
    family, location = make.family(), make.location()
    db.session.commit()
    data = _new_form(staff, family, location, action="save", needs=["ride_there", "ride_home", "interpreter"])
    assert staff.post(f"/coordinator/appointments/new?family_id={family.id}", data=data).status_code == 302
    roles = sorted(s.role.value for s in db.session.scalars(select(Shift)))
    assert roles == ["interpreter", "ride_home", "ride_there"]
    assert _count(db, OutboundMessage) > 0  # the family's reminders are planned


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"day": ""}, "Enter the date."),
        ({"day": "2026-02-31"}, "Not a valid date"),
        ({"time": "25:00"}, "Not a valid time"),
        ({"day": "2020-01-06"}, "already passed"),
        ({"verified_on": "2026-11-01"}, "Say who verified the date."),
        ({"verified_by": "Grace"}, "Say on which day"),
        ({"location_id": "99999"}, "Choose where the appointment is."),
        ({"kind": "deportation"}, "Not a valid choice"),
        ({"judge": "x" * 300}, "under 120"),
        ({"needs": ["teleport"]}, "Choose only from the options listed"),
    ],
)
def test_bad_appointment_input_shows_the_form_again_and_saves_nothing(staff, make, db, overrides, message):
    family, location = make.family(), make.location()
    db.session.commit()
    data = _new_form(staff, family, location, action="save", **overrides)
    response = staff.post(f"/coordinator/appointments/new?family_id={family.id}", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(db, Appointment) == 0 and _count(db, Shift) == 0 and _count(db, OutboundMessage) == 0


def test_a_place_too_long_for_texts_is_explained_on_the_form_and_nothing_is_planned(staff, make, db):
    family, location = make.family(), make.location()
    location.name = "Suffolk County House of Correction at South Bay, Intake and Visiting Entrance"  # saved before the limit
    db.session.commit()
    response = staff.post(f"/coordinator/appointments/new?family_id={family.id}",
                          data=_new_form(staff, family, location, action="save"))
    assert response.status_code == 200
    assert "name or town is too long for our texts" in response.get_data(as_text=True)
    assert _count(db, Appointment) == 0 and _count(db, OutboundMessage) == 0


def test_a_reviewed_shift_that_ends_before_it_starts_is_explained(staff, make, db):
    family, location = make.family(), make.location()
    db.session.commit()
    data = _new_form(staff, family, location, action="save", needs=["companion"])
    data.update({"shifts-0-role": "companion", "shifts-0-day": data["day"], "shifts-0-starts": "10:00",
                 "shifts-0-ends": "09:00", "shifts-0-slots": "1", "shifts-0-language": ""})
    response = staff.post(f"/coordinator/appointments/new?family_id={family.id}", data=data)
    assert "must end after it starts" in response.get_data(as_text=True)
    assert _count(db, Appointment) == 0


def _appointment(make, db, **fields):
    # 10:00 in Boston ten days from the clock's day, whatever the hour: at 23:30 its shift (which
    # the page edits as a day and two times) would otherwise end after midnight.
    day = from_now(days=10).astimezone(BOSTON).date()
    appointment = make.appointment(starts_at=datetime.combine(day, time(10), BOSTON), **fields)
    make.shift(appointment, role=ShiftRole.COMPANION, slots=2)
    db.session.commit()
    return appointment


def test_reschedule_from_the_page_moves_the_appointment_and_its_shifts(staff, make, db):
    appointment = _appointment(make, db)
    shift_offset = appointment.shifts[0].starts_at - appointment.starts_at
    page = f"/coordinator/appointments/{appointment.id}"
    new_day = from_now(days=12).astimezone(BOSTON).strftime("%Y-%m-%d")
    response = staff.post(f"{page}/reschedule", data={"day": new_day, "time": "13:00", "csrf_token": csrf_token(staff, page)})
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Appointment, appointment.id)
    assert moved.starts_at.astimezone(BOSTON).strftime("%Y-%m-%d %H:%M") == f"{new_day} 13:00"
    assert moved.shifts[0].starts_at - moved.starts_at == shift_offset
    assert "Rescheduled" in staff.get(page).get_data(as_text=True)


def test_reschedule_to_a_past_time_is_refused_with_a_message(staff, make, db):
    appointment = _appointment(make, db)
    page = f"/coordinator/appointments/{appointment.id}"
    response = staff.post(f"{page}/reschedule", data={"day": "2020-01-01", "time": "09:00", "csrf_token": csrf_token(staff, page)}, follow_redirects=True)
    assert "already passed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).starts_at == appointment.starts_at


def test_cancel_from_the_page(staff, make, db):
    appointment = _appointment(make, db)
    page = f"/coordinator/appointments/{appointment.id}"
    staff.post(f"{page}/cancel", data={"csrf_token": csrf_token(staff, page)})
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.CANCELLED
    assert db.session.scalar(select(OutboundMessage.kind).where(OutboundMessage.state == MessageState.PENDING)) == "family_cancelled"


def test_closing_as_rescheduled_opens_the_next_appointment_prefilled(staff, make, db):
    appointment = _appointment(make, db, judge="Judge Example")
    page = f"/coordinator/appointments/{appointment.id}"
    response = staff.post(f"{page}/close", data={"outcome": "rescheduled", "notes": "", "csrf_token": csrf_token(staff, page)})
    assert response.status_code == 302
    assert f"previous_id={appointment.id}" in response.headers["Location"]
    form = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Judge Example"' in form
    assert f'<option selected value="{appointment.location_id}"' in form or f'value="{appointment.location_id}" selected' in form


def test_closing_as_detained_opens_a_case_at_the_top_of_the_dashboard(staff, make, db):
    appointment = _appointment(make, db)
    page = f"/coordinator/appointments/{appointment.id}"
    staff.post(f"{page}/close", data={"outcome": "detained", "notes": "", "csrf_token": csrf_token(staff, page)})
    dashboard = staff.get("/").get_data(as_text=True)
    assert 'id="open-detentions"' in dashboard and appointment.family.name in dashboard
    assert 'id="detained"' not in dashboard  # shown once, as the case


def test_an_old_detained_alert_without_a_case_shows_until_handled(staff, make, db):
    appointment = make.appointment(starts_at=from_now(days=-2), status=AppointmentStatus.CLOSED,
                                   outcome=Outcome.DETAINED)  # closed before detention cases existed
    db.session.commit()
    page = f"/coordinator/appointments/{appointment.id}"
    dashboard = staff.get("/").get_data(as_text=True)
    assert 'id="detained"' in dashboard and appointment.family.name in dashboard
    staff.post(f"{page}/clear-alert", data={"csrf_token": csrf_token(staff, page)})
    assert 'id="detained"' not in staff.get("/").get_data(as_text=True)


def test_slots_cannot_be_set_below_the_holders_from_the_page(staff, make, db):
    appointment = _appointment(make, db)
    shift = appointment.shifts[0]
    make.claim(shift, make.volunteer())
    make.claim(shift, make.volunteer())
    db.session.commit()
    url = f"/coordinator/shifts/{shift.id}/edit"
    local = shift.starts_at.astimezone(BOSTON)
    response = staff.post(url, data={
        "role": "companion", "day": local.strftime("%Y-%m-%d"), "starts": local.strftime("%H:%M"),
        "ends": (local + timedelta(hours=2)).strftime("%H:%M"), "slots": "1", "language": "",
        "meeting_point": "", "notes": "", "csrf_token": csrf_token(staff, url),
    })
    assert response.status_code == 200
    assert "slots cannot go below 2" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).slots == 2


def test_add_and_remove_a_shift(staff, make, db):
    appointment = _appointment(make, db)
    url = f"/coordinator/appointments/{appointment.id}/shifts/new?role=ride_home"
    form = staff.get(url).get_data(as_text=True)
    assert 'value="ride_home" selected' in form or 'selected value="ride_home"' in form
    local = appointment.starts_at.astimezone(BOSTON)
    response = staff.post(url, data={
        "role": "ride_home", "day": local.strftime("%Y-%m-%d"), "starts": "12:00", "ends": "13:30",
        "slots": "1", "requires_car": "y", "language": "", "meeting_point": "Front steps", "notes": "",
        "csrf_token": csrf_token(staff, url),
    })
    assert response.status_code == 302
    added = db.session.scalar(select(Shift).where(Shift.role == ShiftRole.RIDE_HOME))
    assert added.meeting_point == "Front steps" and added.requires_car
    added_id, page = added.id, f"/coordinator/appointments/{appointment.id}"
    staff.post(f"/coordinator/shifts/{added_id}/remove", data={"csrf_token": csrf_token(staff, page)})
    db.session.expire_all()
    assert db.session.get(Shift, added_id) is None


def test_volunteers_get_404_on_every_appointment_action(app, make, db):
    volunteer = make.volunteer()
    pending = make.pending_volunteer()
    appointment = _appointment(make, db)
    shift = appointment.shifts[0]
    for person in (volunteer, pending):
        client = app.test_client()
        log_in(client, person)
        token = csrf_token(client, "/password")
        for path in (f"/coordinator/appointments/{appointment.id}/reschedule",
                     f"/coordinator/appointments/{appointment.id}/cancel",
                     f"/coordinator/appointments/{appointment.id}/close",
                     f"/coordinator/appointments/{appointment.id}/clear-alert",
                     f"/coordinator/shifts/{shift.id}/remove",
                     f"/coordinator/shifts/{shift.id}/edit",
                     "/coordinator/appointments/new"):
            assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.SCHEDULED


@pytest.mark.parametrize(
    "action, data, message",
    [
        ("reschedule", {"day": "someday", "time": "09:00"}, "Not a valid date"),
        ("reschedule", {"day": "", "time": ""}, "Enter the new date"),
        ("close", {"outcome": "vanished", "notes": ""}, "Not a valid choice"),
        ("close", {"outcome": "held", "notes": "x" * 3000}, "under 2,000"),
    ],
)
def test_bad_input_to_appointment_actions_is_explained_and_changes_nothing(staff, make, db, action, data, message):
    appointment = _appointment(make, db)
    page = f"/coordinator/appointments/{appointment.id}"
    response = staff.post(f"{page}/{action}", data={**data, "csrf_token": csrf_token(staff, page)}, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    unchanged = db.session.get(Appointment, appointment.id)
    assert (unchanged.status, unchanged.starts_at) == (AppointmentStatus.SCHEDULED, appointment.starts_at)


def test_the_appointment_page_shows_each_volunteers_whole_report(app, staff, make, db):
    appointment = make.appointment(starts_at=from_now(hours=-3))
    ride = make.shift(appointment, role=ShiftRole.RIDE_THERE, starts_at=from_now(hours=-5), ends_at=from_now(hours=-3))
    companion = make.shift(appointment)
    driver, friend = make.volunteer(name="Dana Driver"), make.volunteer(name="Cruz Companion")
    make.claim(ride, driver)
    make.claim(companion, friend)
    db.session.commit()
    notes = "Judge gave a new date.\nThe family needs a letter from the school."
    reporter = logged_in(app, driver)
    url = f"/my/shifts/{ride.id}/report"
    response = reporter.post(url, data={"outcome": "held", "hours": "2.5", "notes": notes, "next_date": "",
                                        "csrf_token": csrf_token(reporter, url)})
    assert response.status_code == 302

    page = staff.get(f"/coordinator/appointments/{appointment.id}").get_data(as_text=True)
    reported = page[page.index(f'id="claim-{ride.claims[0].id}"'):page.index(f'id="shift-{companion.id}"')]
    assert "Dana Driver" in reported and "Held" in reported and "2.5" in reported
    assert f'<dd class="notes">{escape(notes)}</dd>' in reported
    waiting = page[page.index(f'id="claim-{companion.claims[0].id}"'):]
    assert "No report yet." in waiting

    # The other volunteer of the appointment sees their shift, never their teammate's report.
    teammate = logged_in(app, friend)
    assert "letter from the school" not in teammate.get(f"/my/shifts/{companion.id}").get_data(as_text=True)


def test_only_staff_and_the_volunteer_who_wrote_it_may_read_a_report(make, db):
    from accompany.services.privacy.access import may_read_report

    author, teammate = make.volunteer(), make.volunteer()
    shift = make.shift(make.appointment(starts_at=from_now(hours=-3)))
    claim = make.claim(shift, author)
    assert may_read_report(make.coordinator(), claim) and may_read_report(make.admin(), claim)
    assert may_read_report(author, claim)
    assert not may_read_report(teammate, claim) and not may_read_report(None, claim)
    assert not may_read_report(make.coordinator(status=UserStatus.DISABLED), claim)


def test_a_new_appointment_for_a_spanish_speaking_family_proposes_a_spanish_speaking_companion(staff, make, db):
    family, location = make.family(language=Language.SPANISH), make.location()
    db.session.commit()
    url = f"/coordinator/appointments/new?family_id={family.id}"
    review = staff.post(url, data=_new_form(staff, family, location, action="review", interpreter_language="",
                                            needs=["companion"])).get_data(as_text=True)
    language = review[review.index('name="shifts-0-language"'):]
    assert '<option selected value="es">Spanish</option>' in language[:language.index("</select>")]
    # Saved straight away, without reviewing, the companion needs Spanish too.
    data = _new_form(staff, family, location, action="save", interpreter_language="", needs=["companion"])
    assert staff.post(url, data=data).status_code == 302
    assert db.session.scalar(select(Shift)).language == Language.SPANISH


def test_a_shift_that_ends_after_midnight_is_edited_without_losing_its_end(staff, make, db):
    day = from_now(days=10).astimezone(BOSTON).date()
    appointment = make.appointment(starts_at=datetime.combine(day, time(19), BOSTON))
    late_ride = make.shift(appointment, role=ShiftRole.RIDE_HOME, slots=1,
                           starts_at=datetime.combine(day, time(22, 30), BOSTON),
                           ends_at=datetime.combine(day + timedelta(days=1), time(0, 45), BOSTON))
    db.session.commit()
    shift_id, ends_at, url = late_ride.id, late_ride.ends_at, f"/coordinator/shifts/{late_ride.id}/edit"
    page = staff.get(url).get_data(as_text=True)
    assert 'value="00:45"' in page
    assert re.search(r"<input checked[^>]*name=\"ends_next_day\"", page)
    form = {"role": "ride_home", "day": day.isoformat(), "starts": "22:30", "ends": "00:45", "slots": "1",
            "language": "", "meeting_point": "Front steps", "notes": ""}

    refused = staff.post(url, data={**form, "csrf_token": csrf_token(staff, url)})
    assert refused.status_code == 200 and "Ends the next day" in refused.get_data(as_text=True)
    assert "must end after it starts" in refused.get_data(as_text=True)

    saved = staff.post(url, data={**form, "ends_next_day": "y", "csrf_token": csrf_token(staff, url)})
    assert saved.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Shift, shift_id)
    assert edited.meeting_point == "Front steps"
    assert edited.ends_at == ends_at
