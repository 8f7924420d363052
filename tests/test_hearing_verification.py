"""Hearing dates checked with the court: the "verify by" day, recording the check, the dashboard,
the daily digest and the day-before alert (issue 13, point 7)."""

from datetime import date, timedelta

import pytest
from markupsafe import escape

from accompany.models import (
    AppointmentKind,
    AppointmentStatus,
    MessageState,
    VerifyMethod,
)
from accompany.services.messaging import family_texts, staff_texts
from accompany.services.messaging.facts import NothingToSay, gather_facts
from accompany.services.messaging.rendering import render_text
from accompany.services.scheduling.appointments import details_of, reschedule_appointment, update_appointment
from accompany.services.scheduling.overview import hearings_to_verify, verify_by
from accompany.services.scheduling.verification import (
    NotAHearing,
    SayHow,
    plan_unverified_alerts,
    record_verification,
)
from tests.conftest import NOW, boston, csrf_token
from tests.support.browsing import logged_in

# NOW is Saturday 2026-11-21, 10:00 in Boston; hearings are verified 3 days before by default.
SUNDAY, TUESDAY, WEDNESDAY = date(2026, 11, 22), date(2026, 11, 24), date(2026, 11, 25)


@pytest.fixture
def texting_coordinator(make):
    return make.coordinator(name="Grace Oduya", phone="617-555-0122", sms_opt_in=True)


def test_a_hearing_is_to_verify_from_its_verify_by_day_until_someone_checks_it(app, make, db):
    coordinator = make.coordinator()
    due = make.appointment(starts_at=boston(TUESDAY, 9))  # verify by Saturday: today
    make.appointment(starts_at=boston(WEDNESDAY, 9))  # verify by Sunday: not yet
    make.appointment(kind=AppointmentKind.ICE_CHECK_IN, starts_at=boston(SUNDAY, 9))  # not a hearing
    make.appointment(starts_at=boston(SUNDAY, 11), verified_on=date(2026, 11, 20), verified_by="Grace")
    make.appointment(starts_at=boston(SUNDAY, 13), status=AppointmentStatus.CANCELLED)

    assert verify_by(due, days=3) == date(2026, 11, 21)
    assert hearings_to_verify(now=NOW, days=3) == [due]
    assert [a.id for a in hearings_to_verify(now=NOW, days=4)] == [due.id, due.id + 1]

    record_verification(due, VerifyMethod.EOIR_LINE, by=coordinator, now=NOW)

    assert hearings_to_verify(now=NOW, days=3) == []
    assert (due.verified_on, due.verified_by, due.verified_how) == (date(2026, 11, 21), coordinator.name,
                                                                    VerifyMethod.EOIR_LINE)


def test_the_verify_by_days_are_a_setting(app, make, db):
    hearing = make.appointment(starts_at=boston(WEDNESDAY, 9))
    app.config["HEARING_VERIFY_DAYS"] = 4
    client = logged_in(app, make.coordinator())

    page = client.get("/").get_data(as_text=True)

    assert 'id="hearings-to-verify"' in page
    assert f"/coordinator/appointments/{hearing.id}#verify" in page


def test_other_needs_a_note_and_only_hearings_are_verified(make, db):
    coordinator = make.coordinator()
    hearing = make.appointment(starts_at=boston(TUESDAY, 9))
    with pytest.raises(SayHow):
        record_verification(hearing, VerifyMethod.OTHER, note="  ", by=coordinator, now=NOW)
    with pytest.raises(NotAHearing):
        record_verification(make.appointment(kind=AppointmentKind.ICE_CHECK_IN), VerifyMethod.EOIR_PORTAL,
                            by=coordinator, now=NOW)

    record_verification(hearing, VerifyMethod.OTHER, note="Clerk's office by phone", by=coordinator, now=NOW)

    assert (hearing.verified_how, hearing.verified_note) == (VerifyMethod.OTHER, "Clerk's office by phone")


def test_rescheduling_a_hearing_clears_its_verification(make, db):
    coordinator = make.coordinator()
    hearing = make.appointment(starts_at=boston(TUESDAY, 9))
    record_verification(hearing, VerifyMethod.EOIR_PORTAL, note="Same date", by=coordinator, now=NOW)

    reschedule_appointment(hearing, boston(TUESDAY, 13), by=coordinator, now=NOW)

    assert (hearing.verified_on, hearing.verified_by, hearing.verified_how, hearing.verified_note) == (None, "", None, "")
    assert hearings_to_verify(now=NOW, days=3) == [hearing]


def test_a_verification_typed_on_the_details_form_replaces_the_recorded_one(make, db):
    coordinator = make.coordinator()
    hearing = make.appointment(starts_at=boston(TUESDAY, 9))
    record_verification(hearing, VerifyMethod.EOIR_PORTAL, note="Same date", by=coordinator, now=NOW)
    details = details_of(hearing)
    details.verified_on, details.verified_by = None, ""

    update_appointment(hearing, details, by=coordinator, now=NOW)

    assert (hearing.verified_how, hearing.verified_note) == (None, "")


def test_an_unverified_hearing_tomorrow_alerts_the_coordinators_once_without_a_name(app, make, db, texting_coordinator):
    family = make.family(name="Rosa Q.", phone="617-555-0142", sms_consent=True)
    hearing = make.appointment(family=family, starts_at=boston(SUNDAY, 9))
    make.appointment(starts_at=boston(TUESDAY, 9))  # to verify, but not tomorrow: no alert

    planned = plan_unverified_alerts(now=NOW)
    again = plan_unverified_alerts(now=NOW + timedelta(minutes=5))

    assert [(row.user, row.appointment_id) for row in planned] == [(texting_coordinator, hearing.id)]
    assert again == []
    body = render_text(planned[0], now=NOW, first_contact=False).body
    assert "Rosa" not in body and "not verified" in body
    # The family's reminders go whether or not the date was checked.
    assert family_texts.plan_family_reminders(hearing, now=NOW)


def test_no_alert_before_the_morning_or_for_a_checked_hearing(app, make, db, texting_coordinator):
    checked = make.appointment(starts_at=boston(SUNDAY, 9))
    record_verification(checked, VerifyMethod.EOIR_LINE, by=texting_coordinator, now=NOW)
    unchecked = make.appointment(starts_at=boston(SUNDAY, 14))

    assert plan_unverified_alerts(now=boston(date(2026, 11, 21), 7, 30)) == []
    assert [row.appointment_id for row in plan_unverified_alerts(now=NOW)] == [unchecked.id]


def test_checking_the_date_cancels_the_pending_alert_and_a_late_one_says_nothing(app, make, db, texting_coordinator):
    hearing = make.appointment(starts_at=boston(SUNDAY, 9))
    [alert] = plan_unverified_alerts(now=NOW)

    record_verification(hearing, VerifyMethod.EOIR_PORTAL, by=texting_coordinator, now=NOW)

    assert alert.state == MessageState.CANCELLED
    with pytest.raises(NothingToSay):
        gather_facts(alert, now=NOW)


def test_the_daily_digest_counts_hearing_dates_to_verify(app, make, db, texting_coordinator):
    make.appointment(starts_at=boston(TUESDAY, 9))  # to verify; no open slots anywhere

    [digest] = staff_texts.plan_unfilled_digest(now=NOW)
    body = render_text(digest, now=NOW, first_contact=False).body

    assert body.startswith("Hearing dates: 1 to verify with the court.")


def test_the_daily_digest_says_slots_and_checks_together(app, make, db, texting_coordinator):
    hearing = make.appointment(starts_at=boston(SUNDAY, 9))
    make.shift(hearing, slots=2)

    [digest] = staff_texts.plan_unfilled_digest(now=NOW)
    body = render_text(digest, now=NOW, first_contact=False).body

    assert "Open volunteer slots: 2 in the next 72 hours." in body and "Hearing dates: 1 to verify." in body


def test_the_hearings_page_records_the_check(app, make, db):
    coordinator = make.coordinator()
    hearing = make.appointment(starts_at=boston(TUESDAY, 9))
    client = logged_in(app, coordinator)
    page = f"/coordinator/appointments/{hearing.id}"
    assert "Record that the date was verified" in client.get(page).get_data(as_text=True)

    response = client.post(f"{page}/verify", data={"how": "eoir_line", "note": "",
                                                   "csrf_token": csrf_token(client, page)}, follow_redirects=True)

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Recorded: the hearing" in text and escape(VerifyMethod.EOIR_LINE.label) in text
    db.session.refresh(hearing)
    assert (hearing.verified_by, hearing.verified_how) == (coordinator.name, VerifyMethod.EOIR_LINE)
    assert 'id="hearings-to-verify"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"how": "other", "note": ""}, "Say how the date was checked."),
    ({"how": "a fax", "note": ""}, "Not a valid choice"),
])
def test_bad_verification_input_gets_a_plain_message(app, make, db, data, message):
    hearing = make.appointment(starts_at=boston(TUESDAY, 9))
    client = logged_in(app, make.coordinator())
    page = f"/coordinator/appointments/{hearing.id}"

    response = client.post(f"{page}/verify", data={**data, "csrf_token": csrf_token(client, page)},
                           follow_redirects=True)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(hearing)
    assert hearing.verified_on is None
