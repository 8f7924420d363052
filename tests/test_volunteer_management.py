"""Coordinators managing volunteers: the list and its filters, a volunteer's page and history,
deactivating and reactivating, and assigning a volunteer to a shift or taking them off it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import url_for
from sqlalchemy import func, select

from accompany.clock import utcnow
from accompany.models import (
    AppointmentStatus,
    AuditEvent,
    Claim,
    Language,
    MessageState,
    OutboundMessage,
    Outcome,
    Shift,
    User,
    UserStatus,
)
from accompany.services.errors import NotAVolunteer
from accompany.services.people import volunteers as volunteer_service
from accompany.services.people.accounts import load_session_user
from accompany.services.people.volunteers import (
    AlreadyAssigned,
    CannotChangeAdmin,
    CannotChangeSelf,
    NotActive,
    NotDeactivated,
)
from accompany.services.scheduling import claims as claim_service
from accompany.services.scheduling.claims import ShiftStarted
from tests.conftest import NOW, csrf_token
from tests.support.browser import fits_the_screen, open_menu
from tests.support.browsing import ASSET_URL, logged_in
from tests.support.queries import count_queries

TRAINED = date(2025, 3, 1)


def _claims_of(db, volunteer) -> list[Claim]:
    # In the order they were made: without ORDER BY, PostgreSQL returns an updated row wherever it
    # put its new version, so the order would depend on the storage.
    return list(db.session.scalars(select(Claim).where(Claim.volunteer_id == volunteer.id).order_by(Claim.id)))


def _events(db, action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- deactivating and reactivating (services) ------------------------------------------------------


def test_deactivating_reopens_upcoming_shifts_ends_sessions_and_stops_texts(make, db):
    coordinator = make.coordinator()
    volunteer = make.volunteer(phone="617-555-0161", sms_opt_in=True, calendar_token="secret-feed")
    soon = make.shift(starts_at=NOW + timedelta(days=2), slots=2)
    later = make.shift(starts_at=NOW + timedelta(days=9))
    past = make.shift(starts_at=NOW - timedelta(days=5))
    cancelled = make.shift(
        appointment=make.appointment(status=AppointmentStatus.CANCELLED), starts_at=NOW + timedelta(days=4)
    )
    claim_service.claim_slot(soon, volunteer, now=NOW)
    claim_service.claim_slot(later, volunteer, now=NOW)
    make.claim(past, volunteer)
    make.claim(cancelled, volunteer)
    old_login = volunteer.get_id()
    assert db.session.scalar(
        select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.user_id == volunteer.id, OutboundMessage.state == MessageState.PENDING
        )
    ) > 0

    result = volunteer_service.deactivate_volunteer(volunteer, by=coordinator, now=NOW)

    assert (result.reopened, result.late) == (2, 0)
    assert volunteer.status == UserStatus.DISABLED
    assert load_session_user(old_login) is None
    assert volunteer.calendar_token is None
    db.session.expire_all()
    assert {c.shift_id for c in _claims_of(db, volunteer)} == {past.id, cancelled.id}  # history stays
    assert (db.session.get(Shift, soon.id).filled, db.session.get(Shift, later.id).filled) == (0, 0)
    assert db.session.get(Shift, past.id).filled == 1
    still_pending = db.session.scalar(
        select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.user_id == volunteer.id, OutboundMessage.state == MessageState.PENDING
        )
    )
    assert still_pending == 0
    [deactivated] = _events(db, "volunteer.deactivated")
    assert (deactivated.actor_id, deactivated.subject_id) == (coordinator.id, volunteer.id)
    assert deactivated.details == {"reopened": 2, "late": 0}
    assert len(_events(db, "claim.released")) == 2


def test_deactivating_someone_due_within_a_day_alerts_coordinators(make, db):
    coordinator = make.coordinator(phone="617-555-0170", sms_opt_in=True)
    volunteer = make.volunteer()
    tomorrow = make.shift(starts_at=NOW + timedelta(hours=6))
    claim_service.claim_slot(tomorrow, volunteer, now=NOW)

    result = volunteer_service.deactivate_volunteer(volunteer, by=coordinator, now=NOW)

    assert (result.reopened, result.late) == (1, 1)
    alerts = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "coordinator_late_release")
    ).all()
    assert [a.user_id for a in alerts] == [coordinator.id]


def test_coordinators_cannot_deactivate_themselves_admins_or_other_coordinators(make, db):
    coordinator = make.coordinator()
    admin = make.admin()
    other = make.coordinator()
    with pytest.raises(CannotChangeSelf):
        volunteer_service.deactivate_volunteer(coordinator, by=coordinator, now=NOW)
    with pytest.raises(CannotChangeAdmin):
        volunteer_service.deactivate_volunteer(admin, by=coordinator, now=NOW)
    with pytest.raises(CannotChangeAdmin):
        volunteer_service.deactivate_volunteer(admin, by=make.admin(), now=NOW)
    with pytest.raises(NotAVolunteer):
        volunteer_service.deactivate_volunteer(other, by=coordinator, now=NOW)
    assert {u.status for u in (coordinator, admin, other)} == {UserStatus.ACTIVE}
    assert _events(db, "volunteer.deactivated") == []


def test_only_active_volunteers_are_deactivated_and_only_deactivated_ones_reactivated(make, db):
    coordinator = make.coordinator()
    pending = make.pending_volunteer(name="Pia Pending")
    with pytest.raises(NotActive, match="decline the sign-up instead"):
        volunteer_service.deactivate_volunteer(pending, by=coordinator, now=NOW)
    with pytest.raises(NotDeactivated):
        volunteer_service.reactivate_volunteer(pending, by=coordinator, now=NOW)
    active = make.volunteer()
    with pytest.raises(NotDeactivated):
        volunteer_service.reactivate_volunteer(active, by=coordinator, now=NOW)
    volunteer_service.deactivate_volunteer(active, by=coordinator, now=NOW)
    with pytest.raises(NotActive, match="already deactivated"):
        volunteer_service.deactivate_volunteer(active, by=coordinator, now=NOW)
    assert pending.status == UserStatus.PENDING


def test_reactivating_lets_a_volunteer_back_and_is_recorded(make, db):
    coordinator = make.coordinator()
    volunteer = make.volunteer()
    volunteer_service.deactivate_volunteer(volunteer, by=coordinator, now=NOW)
    volunteer_service.reactivate_volunteer(volunteer, by=coordinator, now=NOW + timedelta(days=1))
    assert volunteer.status == UserStatus.ACTIVE
    assert claim_service.claim_slot(make.shift(), volunteer, now=NOW).volunteer_id == volunteer.id
    [event_] = _events(db, "volunteer.reactivated")
    assert (event_.actor_id, event_.subject_id) == (coordinator.id, volunteer.id)


def test_reactivating_a_declined_sign_up_records_who_approved_it(make, db):
    coordinator = make.coordinator()
    declined = make.user(status=UserStatus.DISABLED)
    volunteer_service.reactivate_volunteer(declined, by=coordinator, now=NOW)
    assert (declined.approved_at, declined.approved_by) == (NOW, coordinator)


# -- eligibility for many volunteers at once ----------------------------------------------------------


def test_batched_eligibility_says_exactly_what_claim_eligibility_says(make, db):
    start = NOW + timedelta(days=3)
    demanding = make.shift(
        starts_at=start, ends_at=start + timedelta(hours=3), requires_car=True,
        language=Language.HAITIAN_CREOLE, requires_training=True, requires_obligor=True, slots=3,
    )
    easy = make.shift(starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=3), slots=3)
    overlapping = make.shift(starts_at=start + timedelta(hours=2), ends_at=start + timedelta(hours=4))
    touching = make.shift(starts_at=start + timedelta(hours=3), ends_at=start + timedelta(hours=5))
    cancelled = make.shift(
        appointment=make.appointment(status=AppointmentStatus.CANCELLED),
        starts_at=start, ends_at=start + timedelta(hours=3),
    )
    everything = dict(has_car=True, languages=["ht", "es"], court_training_on=TRAINED, obligor_eligible=True)
    volunteers = [
        make.volunteer(**everything),
        make.volunteer(**everything),  # holds an overlapping shift
        make.volunteer(**everything),  # holds a shift that only touches the end
        make.volunteer(**everything),  # overlaps only a cancelled appointment
        make.volunteer(**everything),  # already holds `easy` itself
        make.volunteer(),
        make.volunteer(has_car=True, languages=["es"]),
        make.volunteer(languages=["ht"], obligor_eligible=True),
        make.volunteer(court_training_on=TRAINED),
        make.pending_volunteer(**everything),
        make.user(status=UserStatus.DISABLED, **everything),
        make.coordinator(),
    ]
    make.claim(overlapping, volunteers[1])
    make.claim(touching, volunteers[2])
    make.claim(cancelled, volunteers[3])
    make.claim(easy, volunteers[4])

    for shift in (demanding, easy, overlapping):
        with count_queries(db.engine) as statements:
            batched = claim_service.eligibility_for(shift, volunteers, now=NOW)
        assert len(statements) == 1
        one_by_one = {v.id: claim_service.eligibility_problems(shift, v, now=NOW) for v in volunteers}
        assert batched == one_by_one

    # the cases above really differ: some eligible, some not, and the overlap is found
    easy_result = claim_service.eligibility_for(easy, volunteers, now=NOW)
    assert easy_result[volunteers[0].id] == []
    assert easy_result[volunteers[1].id] == ["it overlaps another shift already taken"]
    assert easy_result[volunteers[3].id] == [] and easy_result[volunteers[4].id] == []
    assert claim_service.eligibility_for(demanding, volunteers, now=NOW)[volunteers[2].id] == []


def test_assignment_candidates_list_eligible_volunteers_first_and_leave_out_holders(make, db):
    shift = make.shift(requires_car=True, slots=2)
    holder = make.volunteer(name="Hana Holder", has_car=True)
    make.claim(shift, holder)
    make.volunteer(name="Abel Walker")
    make.volunteer(name="Zoe Driver", has_car=True)
    make.pending_volunteer(name="Penny Pending", has_car=True)

    candidates = volunteer_service.assignment_candidates(shift, now=NOW)

    assert [(c.volunteer.name, c.eligible) for c in candidates] == [("Zoe Driver", True), ("Abel Walker", False)]
    assert candidates[1].problems == ["this shift needs a car"]


def test_assigning_twice_or_taking_off_a_started_shift_is_refused(make, db):
    coordinator = make.coordinator()
    volunteer = make.volunteer()
    shift = make.shift()
    claim = volunteer_service.assign_volunteer(shift, volunteer, now=NOW, by=coordinator)
    with pytest.raises(AlreadyAssigned):
        volunteer_service.assign_volunteer(shift, volunteer, now=NOW, by=coordinator)
    with pytest.raises(ShiftStarted):
        claim_service.release_claim(claim, now=shift.starts_at + timedelta(minutes=1), by=coordinator)
    assert claim_service.release_claim(claim, now=NOW, by=coordinator) is False
    assert _claims_of(db, volunteer) == []
    [assigned] = _events(db, "claim.assigned")
    assert (assigned.actor_id, assigned.details["volunteer_id"]) == (coordinator.id, volunteer.id)


# -- history -----------------------------------------------------------------------------------------


def _volunteer_with_history(make, past: int, *, now=NOW):
    volunteer = make.volunteer(languages=["es"])
    for n in range(past):
        claim = make.claim(make.shift(starts_at=now - timedelta(days=n + 1)), volunteer)
        claim.report_outcome, claim.report_hours, claim.reported_at = Outcome.HELD, Decimal("2.5"), now
    make.claim(make.shift(starts_at=now + timedelta(days=2)), volunteer)
    make.claim(make.shift(starts_at=now + timedelta(days=6)), volunteer)
    return volunteer


def test_history_splits_upcoming_from_past_in_a_fixed_number_of_queries(make, db):
    few, many = _volunteer_with_history(make, 2), _volunteer_with_history(make, 20)
    db.session.commit()
    counts = {}
    for volunteer in (few, many):
        db.session.expire_all()
        with count_queries(db.engine) as statements:
            history = volunteer_service.volunteer_history(volunteer, now=NOW)
            for claim in history.upcoming + history.past:  # what the page shows
                _ = claim.shift.role, claim.shift.appointment.kind, claim.shift.appointment.location.name
        counts[volunteer.id] = len(statements)
        assert len(history.upcoming) == 2
        assert history.upcoming[0].shift.starts_at < history.upcoming[1].shift.starts_at
        assert history.past[0].shift.starts_at > history.past[-1].shift.starts_at
    assert len(volunteer_service.volunteer_history(many, now=NOW).past) == 20
    assert volunteer_service.volunteer_history(many, now=NOW).hours_reported == Decimal("50")
    assert counts[few.id] == counts[many.id]


# -- pages -----------------------------------------------------------------------------------------


@pytest.fixture
def staff(app, make, db):
    """A logged-in coordinator's browser."""
    return logged_in(app, make.coordinator(name="Carmen Coordinator"))


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _names_on(page: str) -> list[str]:
    return re.findall(r'<article class="card" id="volunteer-\d+">\s*<header>\s*<a [^>]+><strong>([^<]+)</strong>', page)


def test_list_shows_pending_first_then_active_then_deactivated(staff, make, db):
    make.user(status=UserStatus.DISABLED, name="Dana Deactivated")
    make.volunteer(name="Ava Active")
    make.pending_volunteer(name="Pat Pending")
    db.session.commit()
    page = _page(staff, "/coordinator/volunteers")
    assert _names_on(page) == ["Pat Pending", "Ava Active", "Dana Deactivated"]
    assert "Approve Pat" in page and "Approve Ava" not in page
    assert re.findall(r'<h2 id="(\w+)">', page) == ["pending", "active", "disabled"]
    assert "Carmen Coordinator" not in _names_on(page)  # staff are not volunteers


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["Pat Pending", "Ava Driver", "Ben Walker", "Cleo Interpreter", "Dana Deactivated"]),
        ("status=active", ["Ava Driver", "Ben Walker", "Cleo Interpreter"]),
        ("status=pending", ["Pat Pending"]),
        ("status=disabled", ["Dana Deactivated"]),
        ("language=ht", ["Cleo Interpreter"]),
        ("language=es", ["Pat Pending", "Ava Driver", "Dana Deactivated"]),
        ("has_car=y", ["Ava Driver", "Dana Deactivated"]),
        ("trained=y", ["Ben Walker", "Cleo Interpreter"]),
        ("obligor=y", ["Cleo Interpreter"]),
        ("has_car=y&language=es&status=active", ["Ava Driver"]),
        ("q=walker", ["Ben Walker"]),
        ("q=CLEO%40example", ["Cleo Interpreter"]),
        ("q=100%25", []),  # a literal % is not a wildcard
        ("status=nonsense&language=xx", ["Pat Pending", "Ava Driver", "Ben Walker", "Cleo Interpreter", "Dana Deactivated"]),
    ],
)
def test_list_filters(staff, make, db, query, expected):
    make.pending_volunteer(name="Pat Pending", languages=["es"])
    make.volunteer(name="Ava Driver", has_car=True, languages=["es", "en"])
    make.volunteer(name="Ben Walker", court_training_on=TRAINED)
    make.volunteer(name="Cleo Interpreter", email="cleo@example.org", languages=["ht"],
                   court_training_on=TRAINED, obligor_eligible=True)
    make.user(status=UserStatus.DISABLED, name="Dana Deactivated", has_car=True, languages=["es"])
    db.session.commit()
    assert _names_on(_page(staff, f"/coordinator/volunteers?{query}")) == expected



def test_a_long_list_comes_in_pages_that_keep_the_search_and_nothing_else(staff, make, db):
    for n in range(52):
        make.volunteer(name=f"Vera {n:02d}", has_car=True)
    make.volunteer(name="Walt Walker")
    db.session.commit()
    first = _page(staff, "/coordinator/volunteers?has_car=y&_scheme=javascript&_external=1&endpoint=x")
    assert "52 volunteers match · page 1 of 2" in first
    assert len(_names_on(first)) == 50
    assert 'href="/coordinator/volunteers?page=2&amp;has_car=y"' in first
    assert "Previous page" not in first and "javascript" not in first
    second = _page(staff, "/coordinator/volunteers?has_car=y&page=2")
    assert _names_on(second) == ["Vera 50", "Vera 51"]
    assert 'href="/coordinator/volunteers?page=1&amp;has_car=y">Previous page' in second
    assert "Next page" not in second
    assert _names_on(_page(staff, "/coordinator/volunteers?has_car=y&page=-3")) == _names_on(first)
    assert _names_on(_page(staff, "/coordinator/volunteers?has_car=y&page=99")) == _names_on(second)


def test_profile_shows_contact_attestations_and_history(staff, make, db):
    now = utcnow()
    volunteer = make.volunteer(
        name="Lucía Gómez", phone="617-555-0123", languages=["es", "pt"], has_car=True,
        court_training_on=date(2025, 3, 14), obligor_eligible=True, obligor_attested_at=now - timedelta(days=30),
        home_area="Chelsea", sms_opt_in=True, approved_at=now - timedelta(days=60),
        approved_by=staff.user,
    )
    location = make.location(name="JFK Federal Building")
    past = make.shift(make.appointment(location=location, starts_at=now - timedelta(days=7)))
    report = make.claim(past, volunteer)
    report.report_outcome, report.report_hours, report.reported_at = Outcome.HELD, Decimal("3.5"), now
    make.claim(make.shift(make.appointment(location=location, starts_at=now + timedelta(days=3))), volunteer)
    db.session.commit()

    page = _page(staff, f"/coordinator/volunteers/{volunteer.id}")

    for text in ("Lucía Gómez", "(617) 555-0123", "Spanish, Portuguese", "Trained Mar 14, 2025",
                 "attested", "Chelsea", "Agreed to get texts", "by Carmen Coordinator",
                 "JFK Federal Building", "Court hearing: master calendar", "Upcoming shifts (1)",
                 "Past shifts (1)", "Report: Held", "3.5 hours", "Deactivate Lucía", "Take off this shift"):
        assert text in page, text


def test_profile_page_makes_a_fixed_number_of_queries(staff, make, db):
    now = utcnow()
    few, many = _volunteer_with_history(make, 2, now=now), _volunteer_with_history(make, 20, now=now)
    db.session.commit()
    counts = []
    for volunteer in (few, many):
        with count_queries(db.engine) as statements:
            page = _page(staff, f"/coordinator/volunteers/{volunteer.id}")
        counts.append(len(statements))
        assert page.count("Report: Held") in (2, 20)
    assert counts[0] == counts[1]


def test_deactivating_through_the_page_reopens_shifts_and_logs_the_volunteer_out(app, staff, make, db):
    now = utcnow()
    volunteer = make.volunteer(name="Omar Volunteer")
    shifts = [make.shift(starts_at=now + timedelta(days=d)) for d in (3, 5)]
    for shift in shifts:
        make.claim(shift, volunteer)
    phone = logged_in(app, volunteer)

    path = f"/coordinator/volunteers/{volunteer.id}"
    response = staff.post(f"{path}/deactivate", data={"csrf_token": csrf_token(staff, path)}, follow_redirects=True)

    assert "Omar Volunteer is deactivated" in response.get_data(as_text=True)
    assert "2 shifts reopened" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).status == UserStatus.DISABLED
    assert [db.session.get(Shift, s.id).filled for s in shifts] == [0, 0]
    assert _claims_of(db, volunteer) == []
    assert phone.get("/password").status_code == 302  # logged out

    response = staff.post(f"{path}/reactivate", data={"csrf_token": csrf_token(staff, path)}, follow_redirects=True)
    assert "Omar Volunteer is active again" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).status == UserStatus.ACTIVE


def test_staff_accounts_have_no_volunteer_page_to_deactivate(staff, make, db):
    admin = make.admin()
    db.session.commit()
    token = csrf_token(staff, "/password")
    for user_id in (staff.user.id, admin.id):
        assert staff.get(f"/coordinator/volunteers/{user_id}").status_code == 404
        assert staff.post(f"/coordinator/volunteers/{user_id}/deactivate", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, admin.id).status == UserStatus.ACTIVE


def test_deactivating_a_pending_volunteer_explains_to_decline_instead(staff, make, db):
    pending = make.pending_volunteer(name="Pia Pending")
    db.session.commit()
    path = f"/coordinator/volunteers/{pending.id}"
    page = staff.post(f"{path}/deactivate", data={"csrf_token": csrf_token(staff, path)},
                      follow_redirects=True).get_data(as_text=True)
    assert "decline the sign-up instead" in page
    db.session.expire_all()
    assert db.session.get(User, pending.id).status == UserStatus.PENDING


def _after_assign_url(app, shift) -> str:
    with app.test_request_context():
        return url_for("coordinator.appointment", appointment_id=shift.appointment_id)


def test_assign_page_lists_eligible_volunteers_first_with_reasons_for_the_rest(staff, make, db):
    shift = make.shift(starts_at=utcnow() + timedelta(days=3), requires_car=True, language=Language.SPANISH)
    make.volunteer(name="Abel Walker", languages=["es"])
    make.volunteer(name="Zoe Driver", has_car=True, languages=["es", "en"])
    make.pending_volunteer(name="Penny Pending", has_car=True, languages=["es"])
    db.session.commit()

    page = _page(staff, f"/coordinator/shifts/{shift.id}/assign")

    assert page.index("Zoe Driver") < page.index("Abel Walker")
    assert "Assign Zoe" in page and "Assign Abel" not in page
    assert "This shift needs a car." in page
    assert "Penny Pending" not in page


def test_assigning_through_the_page_takes_a_slot(app, staff, make, db):
    shift = make.shift(starts_at=utcnow() + timedelta(days=3), requires_car=True)
    volunteer = make.volunteer(name="Zoe Driver", has_car=True)
    db.session.commit()
    path = f"/coordinator/shifts/{shift.id}/assign"

    response = staff.post(path, data={"volunteer_id": volunteer.id, "csrf_token": csrf_token(staff, path)})

    assert response.status_code == 302
    assert response.headers["Location"] == _after_assign_url(app, shift)
    db.session.expire_all()
    assert [c.shift_id for c in _claims_of(db, volunteer)] == [shift.id]
    assert db.session.get(Shift, shift.id).filled == 1
    assert _events(db, "claim.assigned")[0].actor_id == staff.user.id
    page = _page(staff, path)
    assert "Zoe Driver now holds a slot" in page
    assert "Every slot is taken" in page and "Take Zoe off" in page


@pytest.mark.parametrize("problem", ["ineligible", "full", "closed", "pending", "already"])
def test_assigning_that_breaks_a_rule_shows_the_reason_and_saves_nothing(app, staff, make, db, problem):
    shift = make.shift(starts_at=utcnow() + timedelta(days=3), requires_car=(problem == "ineligible"))
    volunteer = make.volunteer(name="Abel Walker")
    expected = {
        "ineligible": "Not possible: this shift needs a car.",
        "full": "Someone just took the last slot",
        "closed": "This shift is no longer open",
        "pending": "Abel is not an approved, active volunteer",
        "already": "Abel Walker already holds a slot of this shift",
    }[problem]
    if problem == "full":
        make.claim(shift, make.volunteer())
    elif problem == "closed":
        shift.appointment.status = AppointmentStatus.CANCELLED
    elif problem == "pending":
        volunteer.status = UserStatus.PENDING
    elif problem == "already":
        make.claim(shift, volunteer)
    db.session.commit()
    claims_before = db.session.scalar(select(func.count()).select_from(Claim))
    path = f"/coordinator/shifts/{shift.id}/assign"

    response = staff.post(path, data={"volunteer_id": volunteer.id, "csrf_token": csrf_token(staff, "/password")},
                          follow_redirects=True)

    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Claim)) == claims_before
    assert db.session.get(Shift, shift.id).filled == (1 if problem in ("full", "already") else 0)
    assert _events(db, "claim.assigned") == []


@pytest.mark.parametrize("volunteer_id", ["", "abc", "-3", "1.5"])
def test_a_malformed_volunteer_id_gets_a_message(staff, make, db, volunteer_id):
    shift = make.shift(starts_at=utcnow() + timedelta(days=3))
    db.session.commit()
    path = f"/coordinator/shifts/{shift.id}/assign"
    response = staff.post(path, data={"volunteer_id": volunteer_id, "csrf_token": csrf_token(staff, "/password")},
                          follow_redirects=True)
    assert response.status_code == 200
    assert "Choose a volunteer to assign." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 0


def test_unknown_volunteers_shifts_and_claims_are_404(staff, make, db):
    shift = make.shift(starts_at=utcnow() + timedelta(days=3))
    db.session.commit()
    path = f"/coordinator/shifts/{shift.id}/assign"
    token = csrf_token(staff, "/password")
    assert staff.post(path, data={"volunteer_id": 99999, "csrf_token": token}).status_code == 404
    assert staff.get("/coordinator/shifts/99999/assign").status_code == 404
    assert staff.get("/coordinator/volunteers/99999").status_code == 404
    assert staff.post("/coordinator/claims/99999/release", data={"csrf_token": token}).status_code == 404
    assert staff.post("/coordinator/volunteers/99999/deactivate", data={"csrf_token": token}).status_code == 404


def test_taking_a_volunteer_off_a_shift_reopens_the_slot(app, staff, make, db):
    shift = make.shift(starts_at=utcnow() + timedelta(days=3))
    volunteer = make.volunteer(name="Zoe Driver")
    claim = make.claim(shift, volunteer)
    db.session.commit()
    profile = f"/coordinator/volunteers/{volunteer.id}"

    response = staff.post(f"/coordinator/claims/{claim.id}/release",
                          data={"csrf_token": csrf_token(staff, profile), "next": profile})

    assert response.headers["Location"] == profile
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).filled == 0
    assert _claims_of(db, volunteer) == []
    assert "Zoe Driver is off the shift" in _page(staff, profile)
    [released] = _events(db, "claim.released")
    assert released.actor_id == staff.user.id


def test_release_never_redirects_off_the_site_and_started_shifts_stay(app, staff, make, db):
    started = make.shift(starts_at=utcnow() - timedelta(minutes=10))
    volunteer = make.volunteer()
    claim = make.claim(started, volunteer)
    db.session.commit()
    response = staff.post(f"/coordinator/claims/{claim.id}/release",
                          data={"csrf_token": csrf_token(staff, "/password"), "next": "https://evil.example/"})
    assert response.headers["Location"] == _after_assign_url(app, started)
    assert "already started" in staff.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert len(_claims_of(db, volunteer)) == 1


def test_assign_page_makes_a_fixed_number_of_queries(staff, make, db):
    shift = make.shift(starts_at=utcnow() + timedelta(days=3), language=Language.SPANISH)
    db.session.commit()
    counts = []
    for volunteers in (2, 20):
        for n in range(volunteers - (counts and 2 or 0)):
            volunteer = make.volunteer(languages=["es"] if n % 2 else ["en"])
            make.claim(make.shift(starts_at=shift.starts_at, ends_at=shift.ends_at), volunteer)
        db.session.commit()
        with count_queries(db.engine) as statements:
            page = _page(staff, f"/coordinator/shifts/{shift.id}/assign")
        counts.append(len(statements))
        assert page.count("overlaps another shift") == volunteers
    assert counts[0] == counts[1]


def _pages_and_posts(make, db):
    """Every page and POST this module adds, for a fresh set of objects."""
    volunteer = make.volunteer()
    shift = make.shift(starts_at=utcnow() + timedelta(days=3))
    claim = make.claim(shift, volunteer)
    other_shift = make.shift(starts_at=utcnow() + timedelta(days=9))
    disabled = make.user(status=UserStatus.DISABLED)
    db.session.commit()
    gets = [
        "/coordinator/volunteers",
        "/coordinator/volunteers?status=active",
        f"/coordinator/volunteers/{volunteer.id}",
        f"/coordinator/shifts/{shift.id}/assign",
    ]
    posts = [
        (f"/coordinator/volunteers/{volunteer.id}/deactivate", {}),
        (f"/coordinator/volunteers/{disabled.id}/reactivate", {}),
        (f"/coordinator/shifts/{other_shift.id}/assign", {"volunteer_id": volunteer.id}),
        (f"/coordinator/claims/{claim.id}/release", {}),
    ]
    return gets, posts, volunteer, claim


@pytest.mark.parametrize("who", ["volunteer", "pending"])
def test_volunteers_get_404_on_every_page_and_post(app, make, db, who):
    gets, posts, volunteer, claim = _pages_and_posts(make, db)
    person = volunteer if who == "volunteer" else make.pending_volunteer()
    client = logged_in(app, person)
    token = csrf_token(client, "/password")
    for path in gets:
        assert client.get(path).status_code == 404, path
    for path, data in posts:
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404, path
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).status == UserStatus.ACTIVE
    assert db.session.get(Claim, claim.id) is not None
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 1


def test_anonymous_visitors_are_sent_to_log_in(client, make, db):
    gets, posts, volunteer, claim = _pages_and_posts(make, db)
    token = csrf_token(client, "/login")
    for path in gets:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    for path, data in posts:
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    db.session.expire_all()
    assert db.session.get(Claim, claim.id) is not None


def test_posts_without_a_csrf_token_are_refused(staff, make, db):
    gets, posts, volunteer, claim = _pages_and_posts(make, db)
    for path, data in posts:
        assert staff.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).status == UserStatus.ACTIVE
    assert db.session.get(Claim, claim.id) is not None


def test_volunteer_pages_have_no_inline_code_or_outside_assets(staff, make, db):
    gets, _, volunteer, _ = _pages_and_posts(make, db)
    for path in gets:
        page = _page(staff, path)
        assert "style=" not in page and "<script" not in page, path
        for url in ASSET_URL.findall(page):
            assert url.startswith("/static/"), url


# -- on a phone ----------------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_coordinator_finds_a_volunteer_and_assigns_them_on_a_phone(phone, make, db):
    now = utcnow()
    coordinator = make.coordinator(name="Carmen Coordinator")
    make.pending_volunteer(name="Pat Pending", email="a.very.long.email.address.for.testing@example-network.org")
    driver = make.volunteer(name="Zoe Driver", has_car=True, languages=["es", "en", "ht"], phone="617-555-0101",
                            court_training_on=TRAINED, home_area="East Boston")
    make.volunteer(name="Abel Walker", languages=["es"])
    past = make.claim(make.shift(starts_at=now - timedelta(days=4)), driver)
    past.report_outcome, past.report_hours, past.reported_at = Outcome.HELD, Decimal("4"), now
    shift = make.shift(starts_at=now + timedelta(days=2), requires_car=True,
                       meeting_point="Maverick station, outside the turnstiles")
    db.session.commit()

    phone.goto("/login")
    phone.get_by_label("Email").fill(coordinator.email)
    phone.get_by_label("Password").fill(make.PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    open_menu(phone)
    phone.get_by_role("link", name="Volunteers").first.click()
    phone.get_by_role("button", name="Approve Pat").wait_for()
    assert fits_the_screen(phone)
    phone.get_by_label("Has a car").check()
    phone.get_by_role("button", name="Search").click()
    phone.get_by_role("link", name="Zoe Driver").click()
    phone.get_by_text("Past shifts (1)").wait_for()
    assert fits_the_screen(phone)

    phone.goto(f"/coordinator/shifts/{shift.id}/assign")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Assign Zoe").click()
    phone.get_by_text("Zoe Driver now holds a slot of this shift").wait_for()
    assert fits_the_screen(phone)
    db.session.expire_all()
    assert [c.shift_id for c in _claims_of(db, driver)] == [past.shift_id, shift.id]
