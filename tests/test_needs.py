"""Needs on a family (issue 14, point 1): due dates that hang on an appointment and follow it,
the dashboard and the daily digest, the needs pages, and the purge with the family."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accompany.models import (
    AppointmentKind,
    MessageKind,
    Need,
    NeedKind,
    NeedStatus,
    Task,
    TaskTaker,
)
from accompany.services.casework import needs as need_service
from accompany.services.casework.needs import NeedDetails, create_need
from accompany.services.messaging import staff_texts
from accompany.services.messaging.rendering import render_text
from accompany.services.messaging.sms.fake import FakeGateway
from accompany.services.privacy.retention import FamilyOnLegalHold, purge_family
from accompany.services.scheduling.appointments import reschedule_appointment
from tests.conftest import NOW, boston
from tests.support.browsing import hidden_fields, logged_in

TODAY = date(2026, 11, 21)  # NOW's day in Boston (a Saturday)


@pytest.fixture(autouse=True)
def no_hold(app):
    app.config["LEGAL_HOLD"] = False


# -- due dates -------------------------------------------------------------------------------------


def test_a_need_due_days_before_a_hearing_follows_it_when_rescheduled(make, db):
    coordinator = make.coordinator()
    family = make.family()
    hearing = make.appointment(family, kind=AppointmentKind.BOND_HEARING, starts_at=boston(date(2026, 12, 4), 9))
    need = create_need(family, NeedDetails(kind=NeedKind.LETTERS, appointment=hearing, days_before=3,
                                           owner=coordinator), by=coordinator, now=NOW)
    assert need.due_on == date(2026, 12, 1)

    reschedule_appointment(hearing, boston(date(2026, 12, 11), 9), by=coordinator, now=NOW)

    db.session.refresh(need)
    assert need.due_on == date(2026, 12, 8)


def test_a_need_dated_by_hand_does_not_move_with_an_appointment(make, db):
    coordinator = make.coordinator()
    family = make.family()
    hearing = make.appointment(family, starts_at=boston(date(2026, 12, 4), 9))
    need = create_need(family, NeedDetails(kind=NeedKind.HOUSING, due_on=date(2026, 11, 30)), by=coordinator, now=NOW)
    reschedule_appointment(hearing, boston(date(2026, 12, 11), 9), by=coordinator, now=NOW)
    db.session.refresh(need)
    assert need.due_on == date(2026, 11, 30)


def test_another_familys_appointment_or_two_due_dates_are_refused(make, db):
    coordinator = make.coordinator()
    family, other = make.family(), make.family(name="Ana B.", phone="617-555-0143")
    theirs = make.appointment(other)
    with pytest.raises(need_service.NotTheFamilysAppointment):
        create_need(family, NeedDetails(kind=NeedKind.BOND, appointment=theirs, days_before=1), by=coordinator, now=NOW)
    ours = make.appointment(family)
    with pytest.raises(need_service.DueTwoWays):
        create_need(family, NeedDetails(kind=NeedKind.BOND, appointment=ours, due_on=TODAY), by=coordinator, now=NOW)
    with pytest.raises(need_service.OwnerNotStaff):
        create_need(family, NeedDetails(kind=NeedKind.BOND, owner=make.volunteer()), by=coordinator, now=NOW)


# -- dashboard and digest --------------------------------------------------------------------------


def test_the_dashboard_shows_needs_due_this_week_and_overdue(app, make, db):
    coordinator = make.coordinator()
    family = make.family(name="Rosa M.")
    overdue = make.need(family, kind=NeedKind.PAPERWORK, due_on=TODAY - timedelta(days=2))
    this_week = make.need(family, kind=NeedKind.TRANSPORT, due_on=TODAY + timedelta(days=6))
    make.need(family, kind=NeedKind.SCHOOL_OR_MEDICAL, due_on=TODAY + timedelta(days=7))  # next week
    make.need(family, kind=NeedKind.PHONE_OR_ID, due_on=TODAY, status=NeedStatus.MET)  # settled
    make.need(make.family(name="Lia C.", phone="617-555-0144", closed_at=NOW), due_on=TODAY)  # family closed
    page = logged_in(app, coordinator).get("/").get_data(as_text=True)
    section = page[page.index('id="needs-due"'):]
    assert "2</strong> needs due this week or overdue" in page
    assert section.index(overdue.kind.label) < section.index(this_week.kind.label)
    assert "School or medical" not in section and "Phone or ID" not in section and "overdue</mark>" in section


@pytest.mark.parametrize("count, words", [(1, "1 family need is due this week or overdue."),
                                          (2, "2 family needs are due this week or overdue.")])
def test_the_daily_digest_counts_needs_due_in_the_right_number(app, make, db, count, words):
    make.coordinator(phone="617-555-0170", sms_opt_in=True)
    for _ in range(count):
        make.need(due_on=TODAY + timedelta(days=1))
    [digest] = staff_texts.plan_unfilled_digest(now=NOW)
    assert digest.kind == MessageKind.COORDINATOR_UNFILLED_DIGEST
    assert render_text(digest, now=NOW, first_contact=False).body.startswith(f"Today: {words}")


def test_the_daily_digest_adds_needs_to_open_slots(app, make, db):
    make.coordinator(phone="617-555-0170", sms_opt_in=True)
    make.shift(make.appointment(starts_at=NOW + timedelta(days=1)), slots=2)
    make.need(due_on=TODAY - timedelta(days=1))
    [digest] = staff_texts.plan_unfilled_digest(now=NOW)
    body = render_text(digest, now=NOW, first_contact=False).body
    assert "Open volunteer slots: 2 in the next 72 hours." in body and "1 family need is due this week or overdue." in body


def test_no_digest_for_needs_that_are_met_or_far_off(app, make, db):
    make.coordinator(phone="617-555-0170", sms_opt_in=True)
    make.need(due_on=TODAY, status=NeedStatus.CLOSED_UNMET)
    make.need(due_on=TODAY + timedelta(days=30))
    assert staff_texts.plan_unfilled_digest(now=NOW) == []


# -- pages -----------------------------------------------------------------------------------------


def test_the_needs_list_puts_overdue_first_and_filters(app, make, db):
    coordinator, other = make.coordinator(name="Carmen C."), make.coordinator(name="Omar O.")
    later = make.need(kind=NeedKind.HOUSING, due_on=TODAY + timedelta(days=20), owner_id=coordinator.id)
    soon = make.need(kind=NeedKind.TRANSPORT, due_on=TODAY + timedelta(days=2), owner_id=other.id)
    late = make.need(kind=NeedKind.BOND, due_on=TODAY - timedelta(days=1), owner_id=coordinator.id)
    met = make.need(kind=NeedKind.LETTERS, due_on=TODAY - timedelta(days=9), status=NeedStatus.MET)
    client = logged_in(app, coordinator)
    page = client.get("/coordinator/needs").get_data(as_text=True)
    order = [page.index(f'id="need-{need.id}"') for need in (late, soon, later)]
    assert order == sorted(order) and f'id="need-{met.id}"' not in page
    mine = client.get(f"/coordinator/needs?owner={coordinator.id}").get_data(as_text=True)
    assert f'id="need-{soon.id}"' not in mine and f'id="need-{late.id}"' in mine
    assert f'id="need-{met.id}"' in client.get("/coordinator/needs?status=met").get_data(as_text=True)
    housing = client.get("/coordinator/needs?kind=housing").get_data(as_text=True)
    assert f'id="need-{later.id}"' in housing and f'id="need-{late.id}"' not in housing
    assert client.get("/coordinator/needs?status=nonsense&owner=x&kind=%00").status_code == 200


def test_a_coordinator_adds_a_need_and_a_task_from_the_family_page(app, make, db):
    coordinator = make.coordinator()
    family = make.family(name="Rosa M.")
    hearing = make.appointment(family, kind=AppointmentKind.BOND_HEARING, starts_at=boston(date(2026, 12, 4), 9))
    client = logged_in(app, coordinator)
    assert f"/coordinator/families/{family.id}/needs/new" in client.get(
        f"/coordinator/families/{family.id}").get_data(as_text=True)
    path = f"/coordinator/families/{family.id}/needs/new"
    answer = client.post(path, data={**hidden_fields(client, path), "kind": "letters", "status": "open",
                                     "owner_id": str(coordinator.id), "appointment_id": str(hearing.id),
                                     "days_before": "3", "notes": "Pastor Ruiz will write one"})
    assert answer.status_code == 302
    need = db.session.scalar(select(Need))
    assert (need.due_on, need.owner_id, need.notes) == (date(2026, 12, 1), coordinator.id, "Pastor Ruiz will write one")
    task_path = f"/coordinator/needs/{need.id}/tasks/new"
    answer = client.post(task_path, data={**hidden_fields(client, task_path), "title": "Collect letters",
                                          "due_on": "2026-11-28", "wanted": "3", "language": "es"})
    assert answer.status_code == 302
    family_page = client.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    assert "Letters of support" in family_page and "Collect letters (0/3" in family_page


@pytest.mark.parametrize("fields, message", [
    ({"days_before": "3"}, "Choose the appointment to count back from"),
    ({"days_before": "-1", "appointment_id": "{hearing}"}, "Between 0 and 90 days"),
    ({"due_on": "2026-13-01"}, "Enter a date like"),
    ({"due_on": "2026-12-01", "appointment_id": "{hearing}"}, "not both"),
    ({"kind": "immigration_status"}, "Choose one of the options"),
    ({"owner_id": "999999"}, "Choose one of the options"),
])
def test_bad_need_input_gets_a_plain_message_and_saves_nothing(app, make, db, fields, message):
    coordinator = make.coordinator()
    family = make.family()
    hearing = make.appointment(family)
    client = logged_in(app, coordinator)
    path = f"/coordinator/families/{family.id}/needs/new"
    data = {"kind": "housing", "status": "open", "owner_id": "", "appointment_id": "", "due_on": "",
            **{name: value.format(hearing=hearing.id) for name, value in fields.items()}}
    answer = client.post(path, data={**hidden_fields(client, path), **data})
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Need)) == 0


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "Say in a few words what needs doing"),
    ({"wanted": "0"}, "Between 1 and 20"),
    ({"wanted": "9999999999999"}, "too large"),
    ({"due_on": "2026-11-20"}, "from today on"),
])
def test_bad_task_input_gets_a_plain_message_and_saves_nothing(app, make, db, fields, message):
    need = make.need()
    client = logged_in(app, make.coordinator())
    path = f"/coordinator/needs/{need.id}/tasks/new"
    data = {"title": "Call shelters", "due_on": "2026-11-25", "wanted": "1", "language": "", **fields}
    answer = client.post(path, data={**hidden_fields(client, path), **data})
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Task)) == 0


def test_a_coordinator_changes_a_need_and_sees_a_task_done(app, make, db):
    coordinator = make.coordinator()
    need = make.need(kind=NeedKind.HOUSING)
    task = make.task(need, title="Drive a mattress Saturday")
    make.task_taker(task, make.volunteer(name="Val V."), done_at=NOW, report="Delivered, all good")
    client = logged_in(app, coordinator)
    page = client.get(f"/coordinator/needs/{need.id}").get_data(as_text=True)
    assert "Val V." in page and "Delivered, all good" in page
    path = f"/coordinator/needs/{need.id}/edit"
    answer = client.post(path, data={**hidden_fields(client, path), "kind": "housing", "status": "met",
                                     "owner_id": str(coordinator.id), "due_on": "", "appointment_id": ""})
    assert answer.status_code == 302
    db.session.refresh(need)
    assert (need.status, need.owner_id, need.due_on) == (NeedStatus.MET, coordinator.id, None)


# -- retention -------------------------------------------------------------------------------------


def test_the_purge_anonymizes_needs_and_tasks_and_keeps_their_numbers(make, db):
    family = make.family(name="Rosalinda Quispe")
    need = make.need(family, notes="Rosalinda needs a bed", due_on=TODAY)
    task = make.task(need, title="Ask Rosalinda's church", details="Call Jorge at 617-555-0199")
    make.task_taker(task, make.volunteer(), done_at=NOW, report="Jorge said yes")
    purge_family(family, now=NOW, gateway=FakeGateway())
    db.session.expire_all()
    need, task = db.session.get(Need, need.id), db.session.get(Task, task.id)
    taker = db.session.scalar(select(TaskTaker))
    assert need.notes is None and task.details is None and taker.report is None
    assert "Rosalinda" not in task.title and task.title.startswith("Purged task")
    assert (need.kind, need.status, need.due_on, task.wanted, task.taken) == (
        NeedKind.HOUSING, NeedStatus.OPEN, TODAY, 1, 1)


def test_legal_hold_keeps_a_familys_casework(make, db):
    family = make.family(legal_hold=True)
    need = make.need(family, notes="kept")
    with pytest.raises(FamilyOnLegalHold):
        purge_family(family, now=NOW, gateway=FakeGateway())
    db.session.refresh(need)
    assert need.notes == "kept"


def test_a_coordinator_changes_a_task_but_never_below_its_takers(app, make, db):
    need = make.need()
    task = make.task(need, title="Call shelters", wanted=3)
    make.task_taker(task, make.volunteer())
    make.task_taker(task, make.volunteer())
    client = logged_in(app, make.coordinator())
    path = f"/coordinator/tasks/{task.id}/edit"
    assert 'value="Call shelters"' in client.get(path).get_data(as_text=True)
    fields = {"title": "Call shelters in Revere", "due_on": task.due_on.isoformat(), "language": ""}
    too_few = client.post(path, data={**hidden_fields(client, path), **fields, "wanted": "1"})
    assert too_few.status_code == 200 and "2 volunteers took it already" in too_few.get_data(as_text=True)
    assert client.post(path, data={**hidden_fields(client, path), **fields, "wanted": "2"}).status_code == 302
    db.session.refresh(task)
    assert (task.title, task.wanted, task.taken) == ("Call shelters in Revere", 2, 2)


def test_only_a_task_nobody_took_can_be_removed(app, make, db):
    need = make.need()
    untaken, taken = make.task(need, title="Nobody yet"), make.task(need, title="Held")
    make.task_taker(taken, make.volunteer())
    client = logged_in(app, make.coordinator())
    page = f"/coordinator/needs/{need.id}"
    token = hidden_fields(client, page)["csrf_token"]
    assert client.post(f"/coordinator/tasks/{untaken.id}/remove", data={"csrf_token": token}).status_code == 302
    answer = client.post(f"/coordinator/tasks/{taken.id}/remove", data={"csrf_token": token}, follow_redirects=True)
    assert "Volunteers have taken this task" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert [t.title for t in db.session.scalars(select(Task))] == ["Held"]
