"""Tasks volunteers take for a family's need (issue 14, point 2): taking one atomically, the same
eligibility rules as shifts, the family seen only while held, done with a report, given back,
and the need's owner told."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from accompany.database import db as _db
from accompany.models import (
    Language,
    MessageKind,
    NeedStatus,
    OutboundMessage,
    Task,
    TaskTaker,
    User,
)
from accompany.services.casework import tasks as task_service
from accompany.services.casework.tasks import (
    AlreadyDone,
    AlreadyGivenBack,
    DoneStays,
    TaskClosed,
    TaskFull,
    give_back,
    mark_done,
    take_task,
)
from accompany.services.messaging.facts import NothingToSay
from accompany.services.messaging.rendering import render_text
from accompany.services.people.volunteers import deactivate_volunteer
from accompany.services.privacy.access import may_see_held_task
from accompany.services.privacy.account_deletion import delete_volunteer_account
from accompany.services.scheduling.claims import NotEligible
from tests.conftest import NOW, csrf_token
from tests.support.browsing import logged_in

TODAY = date(2026, 11, 21)  # NOW's day in Boston


def _texts(kind: MessageKind) -> list[OutboundMessage]:
    return list(_db.session.scalars(select(OutboundMessage).where(OutboundMessage.kind == kind)))


# -- taking ---------------------------------------------------------------------------------------


def test_a_volunteer_takes_a_task_and_a_double_tap_is_harmless(make, db):
    task = make.task(wanted=2)
    volunteer = make.volunteer()
    first = take_task(task, volunteer, now=NOW)
    again = take_task(task, volunteer, now=NOW)
    db.session.refresh(task)
    assert first.id == again.id
    assert task.taken == 1


def test_never_more_takers_than_wanted(make, db):
    task = make.task(wanted=1)
    first, second = make.volunteer(), make.volunteer()
    take_task(task, first, now=NOW)
    with pytest.raises(TaskFull):
        take_task(task, second, now=NOW)
    assert [t.volunteer_id for t in db.session.scalars(select(TaskTaker))] == [first.id]


def test_volunteers_tapping_at_once_never_overfill_a_task(app, make, db):
    task = make.task(wanted=2)
    volunteers = [make.volunteer() for _ in range(6)]
    db.session.commit()
    task_id, ids = task.id, [v.id for v in volunteers]
    outcomes: list[str] = []
    start = threading.Barrier(len(ids))

    def one_tap(volunteer_id: int) -> None:
        with app.app_context():
            start.wait()
            try:
                take_task(_db.session.get(Task, task_id), _db.session.get(User, volunteer_id), now=NOW)
                _db.session.commit()
                outcomes.append("took")
            except TaskFull:
                _db.session.rollback()
                outcomes.append("full")

    threads = [threading.Thread(target=one_tap, args=(vid,)) for vid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert sorted(outcomes) == ["full"] * 4 + ["took"] * 2
    assert db.session.get(Task, task_id).taken == 2
    assert db.session.scalar(select(func.count()).select_from(TaskTaker)) == 2


@pytest.mark.parametrize(
    "requirement, volunteer_fields, reason",
    [
        ({"requires_car": True}, {"has_car": False}, "this task needs a car"),
        ({"language": Language.HAITIAN_CREOLE}, {"languages": ["es"]}, "speaks Haitian Creole"),
        ({"requires_training": True}, {"court_training_on": None}, "training"),
    ],
)
def test_the_shifts_requirements_apply_to_tasks(make, db, requirement, volunteer_fields, reason):
    task = make.task(**requirement)
    volunteer = make.volunteer(**volunteer_fields)
    with pytest.raises(NotEligible, match=reason):
        take_task(task, volunteer, now=NOW)
    assert task_service.open_tasks(volunteer, now=NOW) == []
    qualified = make.volunteer(has_car=True, languages=["ht"], court_training_on=date(2025, 1, 1))
    assert [card.task_id for card in task_service.open_tasks(qualified, now=NOW)] == [task.id]
    assert take_task(task, qualified, now=NOW).volunteer_id == qualified.id


def test_pending_volunteers_and_closed_tasks_are_refused(make, db):
    task = make.task()
    with pytest.raises(NotEligible, match="not an approved"):
        take_task(task, make.pending_volunteer(), now=NOW)
    overdue = make.task(due_on=TODAY - timedelta(days=1))
    with pytest.raises(TaskClosed):
        take_task(overdue, make.volunteer(), now=NOW)
    met = make.task(make.need(status=NeedStatus.MET))
    with pytest.raises(TaskClosed):
        take_task(met, make.volunteer(), now=NOW)
    closed_family = make.task(make.need(make.family(name="Ana B.", closed_at=NOW)))
    with pytest.raises(TaskClosed):
        take_task(closed_family, make.volunteer(), now=NOW)


def test_the_board_shows_open_tasks_without_the_family_or_its_need(make, db):
    family = make.family(name="Zelmira Q.", town="Chelsea", notes="Secret note")
    need = make.need(family, notes="Needs a bed for a child")
    task = make.task(need, title="Drive a mattress Saturday", details="Third floor, no elevator", wanted=2)
    make.task(need, title="Sooner", due_on=TODAY + timedelta(days=1))
    volunteer = make.volunteer()
    mine = make.task(need, title="Held already")
    make.task_taker(mine, volunteer)
    cards = task_service.open_tasks(volunteer, now=NOW)
    assert [card.title for card in cards] == ["Sooner", "Drive a mattress Saturday"]
    card = cards[1]
    assert (card.town, card.places_left, card.due_on) == ("Chelsea", 2, task.due_on)
    assert "Zelmira" not in repr(cards) and "bed" not in repr(cards) and "elevator" not in repr(cards)


# -- holding, done, giving back ---------------------------------------------------------------------


def test_a_volunteer_sees_the_family_only_while_holding_and_a_day_after_done(make, db):
    volunteer, other = make.volunteer(), make.volunteer()
    taker = take_task(make.task(), volunteer, now=NOW)
    assert may_see_held_task(volunteer, taker, now=NOW)
    assert not may_see_held_task(other, taker, now=NOW)
    mark_done(taker, "Done and dusted", now=NOW)
    assert may_see_held_task(volunteer, taker, now=NOW + timedelta(hours=23))
    assert not may_see_held_task(volunteer, taker, now=NOW + timedelta(days=1, minutes=1))


def test_done_keeps_the_report_and_texts_the_needs_owner(app, make, db):
    owner = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    make.coordinator(phone="617-555-0123", sms_opt_in=True)  # not the owner: not texted
    taker = take_task(make.task(make.need(owner_id=owner.id)), make.volunteer(), now=NOW)
    mark_done(taker, "Called four shelters; one has a bed from Monday.", now=NOW)
    with pytest.raises(AlreadyDone):
        mark_done(taker, "again", now=NOW)
    assert taker.report == "Called four shelters; one has a bed from Monday."
    [text] = _texts(MessageKind.COORDINATOR_TASK_DONE)
    assert text.user_id == owner.id
    body = render_text(text, now=NOW, first_contact=False).body
    assert "Task done" in body and "shelter" not in body


def test_without_an_owner_every_coordinator_hears_of_a_task_done(make, db):
    staff = [make.coordinator(phone=f"617-555-012{n}", sms_opt_in=True) for n in range(2)]
    taker = take_task(make.task(make.need(owner_id=None)), make.volunteer(), now=NOW)
    mark_done(taker, "Done", now=NOW)
    assert sorted(t.user_id for t in _texts(MessageKind.COORDINATOR_TASK_DONE)) == sorted(c.id for c in staff)


def test_giving_back_early_is_quiet_and_frees_the_place(make, db):
    owner = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    task = make.task(make.need(owner_id=owner.id), due_on=TODAY + timedelta(days=5))
    taker = take_task(task, make.volunteer(), now=NOW)
    assert give_back(taker, now=NOW, by=taker.volunteer) is False
    db.session.refresh(task)
    assert task.taken == 0
    assert _texts(MessageKind.COORDINATOR_TASK_GIVEN_BACK) == []


@pytest.mark.parametrize("hours_before_due_end, late", [(49, False), (47, True), (-1, True)])
def test_giving_back_close_to_or_after_the_due_date_is_late(make, db, hours_before_due_end, late):
    """Late: less than TASK_LATE_GIVE_BACK_HOURS (48) before the due day ends, or after it."""
    owner = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    task = make.task(make.need(owner_id=owner.id), due_on=TODAY + timedelta(days=5))
    taker = take_task(task, make.volunteer(), now=NOW)
    now = task_service.due_end(task) - timedelta(hours=hours_before_due_end)
    assert give_back(taker, now=now, by=taker.volunteer) is late
    assert len(_texts(MessageKind.COORDINATOR_TASK_GIVEN_BACK)) == (1 if late else 0)


def test_a_late_give_back_text_says_nothing_once_someone_took_it_again(make, db):
    owner = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    task = make.task(make.need(owner_id=owner.id), due_on=TODAY + timedelta(days=1))
    taker = take_task(task, make.volunteer(), now=NOW)
    assert give_back(taker, now=NOW, by=taker.volunteer) is True
    [text] = _texts(MessageKind.COORDINATOR_TASK_GIVEN_BACK)
    assert "late" in render_text(text, now=NOW, first_contact=False).body
    take_task(task, make.volunteer(), now=NOW)
    with pytest.raises(NothingToSay):
        render_text(text, now=NOW, first_contact=False)


def test_a_hold_given_back_by_another_request_meanwhile_frees_one_place(make, db):
    task = make.task(wanted=2)
    taker = take_task(task, make.volunteer(), now=NOW)
    take_task(task, make.volunteer(), now=NOW)
    db.session.execute(delete(TaskTaker).where(TaskTaker.id == taker.id))  # the other tap, first
    db.session.execute(update(Task).where(Task.id == task.id).values(taken=Task.taken - 1))
    with pytest.raises(AlreadyGivenBack):
        give_back(taker, now=NOW, by=taker.volunteer)
    db.session.refresh(task)
    assert task.taken == 1


def test_a_task_marked_done_cannot_be_given_back(make, db):
    task = make.task()
    done = take_task(task, make.volunteer(), now=NOW)
    mark_done(done, "Done", now=NOW)
    with pytest.raises(DoneStays):
        give_back(done, now=NOW, by=done.volunteer)
    db.session.refresh(task)
    assert task.taken == 1


# -- pages -----------------------------------------------------------------------------------------


def test_a_volunteer_takes_a_task_from_the_board_and_reports_it_done(app, make, db):
    owner = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    family = make.family(name="Rosa Martinez", town="Chelsea")
    need = make.need(family, owner_id=owner.id, notes="Coordinator-only note")
    task = make.task(need, title="Call shelters in Chelsea", details="Ask for a family room")
    volunteer = make.volunteer()
    client = logged_in(app, volunteer)
    board = client.get("/shifts").get_data(as_text=True)
    assert "Call shelters in Chelsea" in board and "Rosa" not in board and "Housing" not in board
    assert client.get(f"/my/tasks/{task.id}").status_code == 404  # not held yet
    answer = client.post(f"/tasks/{task.id}/take", data={"csrf_token": csrf_token(client, "/shifts")})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/my/tasks/{task.id}")
    page = client.get(f"/my/tasks/{task.id}").get_data(as_text=True)
    assert "Rosa" in page and "Martinez" not in page and "Housing" in page and "Ask for a family room" in page
    assert "Coordinator-only note" not in page
    assert "Call shelters in Chelsea" in client.get("/my/tasks").get_data(as_text=True)
    empty = client.post(f"/my/tasks/{task.id}/done", data={"csrf_token": csrf_token(client, "/shifts"), "report": " "})
    assert empty.status_code == 200 and "Say in a few words" in empty.get_data(as_text=True)
    done = client.post(f"/my/tasks/{task.id}/done",
                       data={"csrf_token": csrf_token(client, "/shifts"), "report": "Two shelters have room."})
    assert done.status_code == 302
    db.session.expire_all()
    [taker] = db.session.scalars(select(TaskTaker)).all()
    assert taker.report == "Two shelters have room." and taker.done_at is not None
    assert len(_texts(MessageKind.COORDINATOR_TASK_DONE)) == 1


def test_another_volunteer_gets_a_404_for_a_held_task(app, make, db):
    task = make.task()
    make.task_taker(task, make.volunteer())
    client = logged_in(app, make.volunteer())
    for path in (f"/my/tasks/{task.id}", f"/my/tasks/{task.id}/done"):
        assert client.get(path).status_code == 404


def test_deactivating_or_deleting_a_volunteer_gives_back_the_tasks_they_hold(make, db):
    coordinator = make.coordinator()
    task = make.task(wanted=3)
    leaving, deleting, finished = make.volunteer(), make.volunteer(), make.volunteer()
    for volunteer in (leaving, deleting, finished):
        take_task(task, volunteer, now=NOW)
    mark_done(task_service.find_taker(task, finished), "Done", now=NOW)
    deactivate_volunteer(leaving, by=coordinator, now=NOW)
    delete_volunteer_account(deleting, make.PASSWORD, now=NOW)
    db.session.refresh(task)
    assert task.taken == 1
    assert [t.volunteer_id for t in db.session.scalars(select(TaskTaker))] == [finished.id]
