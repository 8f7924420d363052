"""My shifts, a held shift's details (and when they stop), releasing, and reporting back."""

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accompany.models import (
    Appointment,
    AppointmentStatus,
    AuditEvent,
    MessageState,
    OutboundMessage,
    Outcome,
    Shift,
)
from accompany.services.scheduling import my_shifts as svc
from accompany.services.scheduling.appointments import confirm_draft
from tests.conftest import NOW, csrf_token, from_now, log_in
from tests.support.browsing import logged_in


def _held(make, volunteer, *, starts_at, family=None, **shift_fields):
    appointment = make.appointment(family=family or make.family(name="Rosa Martinez", phone="617-555-0142"),
                                   starts_at=starts_at)
    shift = make.shift(appointment, starts_at=starts_at - timedelta(minutes=45), **shift_fields)
    make.claim(shift, volunteer)
    return shift


def test_my_shifts_lists_upcoming_with_the_familys_first_name_and_past_ones(make, db):
    volunteer = make.volunteer()
    soon = _held(make, volunteer, starts_at=NOW + timedelta(days=2))
    done = _held(make, volunteer, starts_at=NOW - timedelta(days=10))
    make.shift(starts_at=NOW + timedelta(days=1))  # someone else's business
    mine = svc.my_shifts(volunteer, now=NOW)
    assert [m.shift_id for m in mine.upcoming] == [soon.id]
    assert mine.upcoming[0].family_first_name == "Rosa"
    assert [m.shift_id for m in mine.past] == [done.id]
    assert mine.past[0].family_first_name == ""  # access ended a day after that appointment


def test_the_held_shift_page_shows_what_the_volunteer_needs(client, make, db):
    volunteer = make.volunteer(name="Dana Driver")
    location = make.location(name="Boston Immigration Court", address="15 New Sudbury St, Room 320, Boston, MA",
                             arrival_notes="Security line: arrive 45 minutes early.")
    family = make.family(name="Rosa Martinez", phone="617-555-0142")
    appointment = make.appointment(family=family, location=location, starts_at=from_now(days=3))
    shift = make.shift(appointment, meeting_point="Cambridge St entrance")
    make.claim(make.shift(appointment), make.volunteer(name="Teo Companion"))
    make.claim(shift, volunteer)
    db.session.commit()
    log_in(client, volunteer)
    page = client.get(f"/my/shifts/{shift.id}").get_data(as_text=True)
    for expected in ("Rosa", "tel:+16175550142", "sms:+16175550142", "(617) 555-0142", "Cambridge St entrance",
                     "15 New Sudbury St", "Security line", "openstreetmap.org", "Teo"):
        assert expected in page, expected
    assert "Martinez" not in page  # first name only


def test_a_volunteer_gets_404_for_a_shift_they_do_not_hold(app, make, db):
    holder, other = make.volunteer(), make.volunteer()
    shift = _held(make, holder, starts_at=from_now(days=2))
    client = logged_in(app, other)
    assert client.get(f"/my/shifts/{shift.id}").status_code == 404
    assert client.get(f"/my/shifts/{shift.id}/report").status_code == 404
    token = csrf_token(client, "/my/shifts")
    assert client.post(f"/my/shifts/{shift.id}/release", data={"csrf_token": token}).status_code == 404
    assert "Rosa" not in client.get("/my/shifts").get_data(as_text=True)


def test_access_to_the_family_ends_a_day_after_the_appointment(app, make, db):
    volunteer = make.volunteer()
    recent = _held(make, volunteer, starts_at=from_now(hours=-20))
    ended = _held(make, volunteer, starts_at=from_now(hours=-25))
    client = logged_in(app, volunteer)
    assert client.get(f"/my/shifts/{recent.id}").status_code == 200
    assert client.get(f"/my/shifts/{ended.id}").status_code == 404
    assert client.get(f"/my/shifts/{ended.id}/report").status_code == 200  # reporting stays possible


def test_release_early_is_quiet_and_late_alerts_coordinators(app, make, db):
    make.coordinator(phone="617-555-0170", sms_opt_in=True)
    volunteer = make.volunteer()
    early = _held(make, volunteer, starts_at=from_now(days=5))
    late = _held(make, volunteer, starts_at=from_now(hours=10))
    client = logged_in(app, volunteer)
    token = csrf_token(client, "/my/shifts")
    assert "in time" in client.post(f"/my/shifts/{early.id}/release", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "coordinators were told" in client.post(f"/my/shifts/{late.id}/release", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Shift, s.id).filled for s in (early, late)] == [0, 0]
    alerts = db.session.scalars(select(OutboundMessage.shift_id).where(OutboundMessage.kind == "coordinator_late_release")).all()
    assert alerts == [late.id]


def test_a_started_shift_cannot_be_released_from_the_page(client, make, db):
    volunteer = make.volunteer()
    shift = _held(make, volunteer, starts_at=from_now(minutes=30))  # shift started 15 minutes ago
    db.session.commit()
    log_in(client, volunteer)
    page = client.post(f"/my/shifts/{shift.id}/release", data={"csrf_token": csrf_token(client, "/my/shifts")}, follow_redirects=True)
    assert "already started" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).filled == 1


def test_report_back_records_the_outcome_and_a_next_date_opens_a_draft(make, db):
    volunteer = make.volunteer()
    shift = _held(make, volunteer, starts_at=NOW - timedelta(hours=3))
    claim = shift.claims[0]
    draft = svc.report_back(claim, svc.Report(Outcome.RESCHEDULED, Decimal("4.5"), "Judge set a new date", date(2027, 1, 12)), now=NOW)
    assert (claim.report_outcome, claim.report_hours, claim.reported_at) == (Outcome.RESCHEDULED, Decimal("4.5"), NOW)
    assert draft.status == AppointmentStatus.DRAFT and draft.previous_id == shift.appointment_id
    assert draft.starts_at.astimezone(ZoneInfo(draft.location.timezone)).date() == date(2027, 1, 12)
    assert db.session.scalars(select(OutboundMessage).where(OutboundMessage.appointment_id == draft.id)).all() == []
    # A second report of the same date does not open a second draft.
    again = svc.report_back(claim, svc.Report(Outcome.RESCHEDULED, None, "", date(2027, 1, 12)), now=NOW)
    assert again.id == draft.id
    confirm_draft(draft, by=make.coordinator(), now=NOW)
    assert draft.status == AppointmentStatus.SCHEDULED
    assert db.session.scalars(select(OutboundMessage.kind).where(OutboundMessage.appointment_id == draft.id)).all()


def test_the_same_report_sent_twice_is_recorded_once(make, db):
    volunteer = make.volunteer()
    shift = _held(make, volunteer, starts_at=NOW - timedelta(hours=3))
    report = svc.Report(Outcome.HELD, Decimal("3"), "It went well")
    svc.report_back(shift.claims[0], report, now=NOW)
    svc.report_back(shift.claims[0], report, now=NOW + timedelta(minutes=1))  # the form sent again
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith("claim.report")))
    assert actions.all() == ["claim.reported"]
    assert shift.claims[0].reported_at == NOW


def test_reporting_detained_opens_a_detention_case_that_alerts_the_coordinators_at_once(make, db):
    coordinator = make.coordinator(phone="617-555-0170", sms_opt_in=True)
    volunteer = make.volunteer()
    shift = _held(make, volunteer, starts_at=NOW - timedelta(hours=2))
    svc.report_back(shift.claims[0], svc.Report(Outcome.DETAINED), now=NOW)
    # Nobody is on call: the chain's "every coordinator" step goes at once (issue 15).
    alert = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == "detention_alert_all"))
    assert alert.user_id == coordinator.id and alert.state == MessageState.PENDING and alert.not_before == NOW


def test_reporting_before_the_shift_starts_is_refused(make, db):
    volunteer = make.volunteer()
    shift = _held(make, volunteer, starts_at=NOW + timedelta(days=1))
    with pytest.raises(svc.ReportTooEarly):
        svc.report_back(shift.claims[0], svc.Report(Outcome.HELD), now=NOW)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"outcome": "held", "hours": "30"}, "between 0 and 24"),
        ({"outcome": "held", "hours": "lots"}, "Not a valid decimal"),
        ({"outcome": "vanished"}, "Choose one of the options listed"),
        ({"outcome": "rescheduled", "next_date": "soon"}, "Enter a date like"),
        ({"outcome": "held", "notes": "x" * 2500}, "under 2,000"),
    ],
)
def test_bad_report_input_is_explained_and_saves_nothing(client, make, db, data, message):
    volunteer = make.volunteer()
    shift = _held(make, volunteer, starts_at=from_now(hours=-3))
    db.session.commit()
    log_in(client, volunteer)
    url = f"/my/shifts/{shift.id}/report"
    response = client.post(url, data={"notes": "", "next_date": "", "hours": "", **data, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).claims[0].reported_at is None


def test_report_from_the_page(client, make, db):
    volunteer = make.volunteer()
    shift = _held(make, volunteer, starts_at=from_now(hours=-3))
    db.session.commit()
    log_in(client, volunteer)
    url = f"/my/shifts/{shift.id}/report"
    response = client.post(url, data={"outcome": "rescheduled", "hours": "3.5", "notes": "New date given",
                                      "next_date": "2027-02-03", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Appointment).where(Appointment.status == AppointmentStatus.DRAFT)) is not None
    assert "Reported: Rescheduled, 3.5 h" in client.get("/my/shifts").get_data(as_text=True)


def test_my_shifts_runs_the_same_number_of_queries_however_much_history(make, db):
    from accompany.models import User
    from tests.support.queries import count_queries

    volunteer = make.volunteer()
    _held(make, volunteer, starts_at=NOW + timedelta(days=2))
    _held(make, volunteer, starts_at=NOW - timedelta(days=3))
    db.session.commit()
    volunteer = db.session.get(User, volunteer.id)
    with count_queries(db.engine) as small:
        svc.my_shifts(volunteer, now=NOW)
    for n in range(25):
        _held(make, volunteer, starts_at=NOW + timedelta(days=3 + n))
        _held(make, volunteer, starts_at=NOW - timedelta(days=30 + n * 7))
    db.session.commit()
    volunteer = db.session.get(User, volunteer.id)
    with count_queries(db.engine) as large:
        mine = svc.my_shifts(volunteer, now=NOW)
    assert len(mine.upcoming) == 26 and len(mine.past) == 26
    assert len(small) == len(large)


def test_my_shifts_page_shows_each_volunteer_their_own_familys_name_and_caches_none(app, make, db):
    """The cards come from a per-worker cache (accompany/fragments.py) that never holds a family's
    name: two volunteers with equal cards each see the name they may see, and nothing the cache
    kept carries one."""
    kept = []
    render = app.extensions["accompany.fragments"]
    app.extensions["accompany.fragments"] = lambda *args: kept.append(render(*args)) or kept[-1]
    first, second = make.volunteer(), make.volunteer()
    shared = _held(make, first, starts_at=NOW + timedelta(days=2), slots=2)
    make.claim(shared, second)  # the same card for both
    _held(make, second, starts_at=NOW + timedelta(days=3), family=make.family(name="Ana Lima", phone="617-555-0143"))
    _held(make, second, starts_at=NOW - timedelta(days=10), family=make.family(name="Iris Vale", phone="617-555-0144"))
    pages = [logged_in(app, volunteer).get("/my/shifts").get_data(as_text=True) for volunteer in (first, second)]
    assert "With Rosa ·" in pages[0] and "Ana" not in pages[0]
    assert "With Rosa ·" in pages[1] and "With Ana ·" in pages[1]
    assert "Iris" not in pages[1]  # a past shift's family, after the window (access.may_see_holder_details)
    assert not any("\x00" in page for page in pages)  # every mark was filled in or never drawn
    assert kept and not any(name in html for html in kept for name in ("Rosa", "Ana", "Iris"))
    assert render.cache_info().hits  # the second volunteer's coming card is the first one's
