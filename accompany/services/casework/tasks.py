"""Tasks volunteers take for a need: adding them, taking one atomically, giving it back, and
marking it done with a short report; the open tasks a volunteer may take, for the board.

Taking works as a shift's slot does (scheduling/claims.py): a conditional UPDATE of the task's
`taken` count and a row guarded by a unique constraint, inside one savepoint, so two people taking
the last place at once get exactly one hold and a double tap is harmless. The requirements
(language, car, training) are the shifts' own rules, written once in claims.py.

A task is open while its need is open or in progress, its family is open, its due day has not
passed (in the organization's time zone), and a place is free. Giving one back is late after its
due day or less than TASK_LATE_GIVE_BACK_HOURS before that day ends; the need's owner is texted
then (everyone on staff when the need has no owner who takes texts), and when a task is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, delete, false, select, update
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    LIVE_NEED_STATUSES,
    Family,
    Language,
    MessageKind,
    Need,
    OutboundMessage,
    Task,
    TaskTaker,
    User,
)
from accompany.services.casework.needs import FamilyPurged
from accompany.services.errors import DomainError
from accompany.services.messaging import planning, staff_texts
from accompany.services.messaging.audience import org_today, user_may_be_texted
from accompany.services.places import take_a_place
from accompany.services.privacy.access import may_use_board
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.board import requirement_words
from accompany.services.scheduling.claims import (
    NotEligible,
    not_a_volunteer,
    requirement_params,
    requirement_problems,
    requirements_met,
)
from accompany.timezones import from_local

TITLE_MAX = 120
DETAILS_MAX = 2000
REPORT_MAX = 2000
WANTED_MAX = 20
BOARD_SIZE = 40


class TaskFull(DomainError):
    message = N_("Someone just took the last place on this task.")


class TaskClosed(DomainError):
    message = N_("This task is no longer open: its due date has passed, or its need was met or closed.")


class NeedNotLive(DomainError):
    message = N_("This need is met or closed. Set it back to open or in progress before adding tasks.")


class DueDatePassed(DomainError):
    message = N_("Choose a due date from today on.")
    field = "due_on"


class AlreadyGivenBack(DomainError):
    message = N_("This task was given back already (the button was pressed twice).")


class AlreadyDone(DomainError):
    message = N_("This task is marked done already. Thank you!")


class DoneStays(DomainError):
    message = N_("You marked this task done, so it stays in your list. Call a coordinator if something changed.")


class ReportMissing(DomainError):
    message = N_("Say in a few words what you did.")
    field = "report"


@dataclass
class TaskPlan:
    """What a coordinator fills in for a task."""

    title: str
    due_on: date
    wanted: int = 1
    details: str = ""
    requires_car: bool = False
    language: Language | None = None
    requires_training: bool = False


def _live_family(family: Family) -> bool:
    return family.closed_at is None and family.purged_at is None


def task_is_open(task: Task, *, today: date) -> bool:
    """May still be taken (a place free or not): need live, family open, due day not passed."""
    need = task.need
    return need.status in LIVE_NEED_STATUSES and _live_family(need.family) and task.due_on >= today


def add_task(need: Need, plan: TaskPlan, *, by: User, now: datetime) -> Task:
    """A new task for `need`, for volunteers to take from the board."""
    if need.family.purged_at is not None:
        raise FamilyPurged()
    if need.status not in LIVE_NEED_STATUSES:
        raise NeedNotLive()
    if plan.due_on < org_today(now):
        raise DueDatePassed()
    task = Task(
        need_id=need.id, title=plan.title.strip(), details=plan.details.strip() or None, due_on=plan.due_on,
        wanted=plan.wanted, taken=0, requires_car=plan.requires_car, language=plan.language,
        requires_training=plan.requires_training, created_by_id=by.id, created_at=now,
    )
    db.session.add(task)
    db.session.flush()
    db.session.expire(need, ["tasks"])
    record_event("task.added", now=now, actor=by, subject=task, need_id=need.id, wanted=task.wanted)
    return task


class FewerThanTaken(DomainError):
    field = "wanted"

    def __init__(self, taken: int):
        super().__init__(f"{taken} volunteer{'s' if taken != 1 else ''} took it already: want at least {taken}.")


class TaskInUse(DomainError):
    message = N_("Volunteers have taken this task, so it stays. Change it instead, or mark the need met or closed.")


def plan_of(task: Task) -> TaskPlan:
    return TaskPlan(title=task.title, due_on=task.due_on, wanted=task.wanted, details=task.details or "",
                    requires_car=task.requires_car, language=task.language, requires_training=task.requires_training)


def update_task(task: Task, plan: TaskPlan, *, by: User, now: datetime) -> bool:
    """Change a task (its row version is checked). Never fewer places than volunteers hold, nor
    a new due date in the past. False if nothing changed."""
    if plan.wanted < task.taken:
        raise FewerThanTaken(task.taken)
    if plan.due_on != task.due_on and plan.due_on < org_today(now):
        raise DueDatePassed()
    wanted = {"title": plan.title.strip(), "details": plan.details.strip() or None, "due_on": plan.due_on,
              "wanted": plan.wanted, "requires_car": plan.requires_car, "language": plan.language,
              "requires_training": plan.requires_training}
    changed = sorted(name for name, value in wanted.items() if getattr(task, name) != value)
    if not changed:
        return False
    for name in changed:
        setattr(task, name, wanted[name])
    db.session.flush()
    record_event("task.changed", now=now, actor=by, subject=task, fields=changed)  # names, never words
    return True


def remove_task(task: Task, *, by: User, now: datetime) -> None:
    """Take a task nobody has taken off the board. Raises TaskInUse."""
    if task.taken or task.takers:
        raise TaskInUse()
    record_event("task.removed", now=now, actor=by, subject=task, need_id=task.need_id)
    db.session.delete(task)  # a compare-and-set on its version: two removals at once remove it once
    db.session.flush()


# -- taking, giving back, done ---------------------------------------------------------------------


def find_taker(task: Task, volunteer: User) -> TaskTaker | None:
    return db.session.scalar(
        select(TaskTaker).where(TaskTaker.task_id == task.id, TaskTaker.volunteer_id == volunteer.id)
    )


def eligibility_problems(task: Task, volunteer: User) -> list[str]:
    """Plain-words reasons `volunteer` may not take `task` (empty when they may)."""
    if not may_use_board(volunteer):
        return [not_a_volunteer(volunteer)]
    return requirement_problems(task, volunteer, what="task")


def take_task(task: Task, volunteer: User, *, now: datetime) -> TaskTaker:
    """Give `volunteer` one place on `task` (or return the one they hold already).

    Raises TaskFull, TaskClosed or NotEligible."""
    existing = find_taker(task, volunteer)
    if existing is not None:
        return existing
    if not task_is_open(task, today=org_today(now)):
        raise TaskClosed()
    problems = eligibility_problems(task, volunteer)
    if problems:
        raise NotEligible(problems)
    taker, new = take_a_place(
        task, count=Task.taken, has_free=Task.has_free_place, holders="takers", full=TaskFull,
        holder=TaskTaker(task_id=task.id, volunteer_id=volunteer.id, taken_at=now),
        find_held=lambda: find_taker(task, volunteer),
    )
    if not new:
        return taker
    record_event("task.taken", now=now, actor=volunteer, subject=task)
    return taker


def due_end(task: Task) -> datetime:
    """The end of the task's due day in the organization's time zone."""
    return from_local(task.due_on + timedelta(days=1), time(0), current_app.config["ORG_TIMEZONE"])


def is_late_give_back(task: Task, *, now: datetime) -> bool:
    """After the due day, or less than TASK_LATE_GIVE_BACK_HOURS before it ends."""
    return now >= due_end(task) - timedelta(hours=current_app.config["TASK_LATE_GIVE_BACK_HOURS"])


def give_back(taker: TaskTaker, *, now: datetime, by: User) -> bool:
    """Give the place back. Returns True when it was late and the need's owner was texted.

    The hold's row goes first, by a DELETE whose rowcount says whether this request removed it, so
    two give-backs at once free the place once. Raises DoneStays or AlreadyGivenBack."""
    if taker.done_at is not None:
        raise DoneStays()
    task = taker.task
    volunteer_id = taker.volunteer_id
    late = is_late_give_back(task, now=now)
    removed = db.session.execute(
        delete(TaskTaker).where(TaskTaker.id == taker.id, TaskTaker.done_at.is_(None))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(task, ["taken", "takers"])
    db.session.expunge(taker)
    if not removed:
        raise AlreadyGivenBack()
    db.session.execute(
        update(Task).where(Task.id == task.id, Task.taken > 0).values(taken=Task.taken - 1)
        .execution_options(synchronize_session=False)
    )
    alerted = late and task.need.status in LIVE_NEED_STATUSES and _live_family(task.need.family)
    if alerted:
        tell_owner(task.need, MessageKind.COORDINATOR_TASK_GIVEN_BACK,
                   f"task:{task.id}:given_back:{volunteer_id}:{planning.stamp(now)}", now=now,
                   params={"task_id": task.id}, valid_for=timedelta(days=2))
    record_event("task.given_back", now=now, actor=by, subject=task, volunteer_id=volunteer_id, late=late)
    return alerted


def mark_done(taker: TaskTaker, report: str, *, now: datetime) -> None:
    """The volunteer did it: their short report is kept (sealed) and the need's owner is texted.

    The hold's row version is checked, so of two sends at once one is saved. Raises AlreadyDone
    or ReportMissing."""
    if taker.done_at is not None:
        raise AlreadyDone()
    report = (report or "").strip()
    if not report:
        raise ReportMissing()
    taker.done_at, taker.report = now, report[:REPORT_MAX]
    db.session.flush()
    task = taker.task
    tell_owner(task.need, MessageKind.COORDINATOR_TASK_DONE, f"task:{task.id}:done:{taker.volunteer_id}",
               now=now, params={"task_id": task.id, "taker_id": taker.id}, valid_for=timedelta(days=3))
    record_event("task.done", now=now, actor=taker.volunteer, subject=task)


def tell_owner(need: Need, kind: MessageKind, key: str, *, now: datetime, params: dict,
               valid_for: timedelta) -> list[OutboundMessage]:
    """A text to the need's owner; to every coordinator who takes texts when it has no owner who does."""
    owner = need.owner
    if owner is not None and user_may_be_texted(owner):
        row = planning.plan_message(f"{key}:user:{owner.id}:{kind}", kind=kind, now=now, not_before=now,
                                    send_before=now + valid_for, user=owner, params=params)
        return [row] if row is not None else []
    return staff_texts.alert_coordinators(kind, key, now=now, params=params, valid_for=valid_for)


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class TaskCard:
    """One open task as the board shows it: no family name, no need or its details; a town."""

    task_id: int
    title: str
    due_on: date
    town: str
    requirements: list[str]
    places_left: int


@cache
def _open_tasks_query():
    """Built once, with the volunteer and the day as parameters (as the board's query is)."""
    return (
        select(Task.id, Task.title, Task.due_on, Task.requires_car, Task.language, Task.requires_training,
               false().label("requires_obligor"), Task.places_left.label("places_left"), Family.town)
        .join(Need, Task.need_id == Need.id)
        .join(Family, Need.family_id == Family.id)
        .where(Need.status.in_(LIVE_NEED_STATUSES), Family.closed_at.is_(None), Family.purged_at.is_(None),
               Task.due_on >= bindparam("today"), Task.has_free_place,
               ~Task.takers.any(TaskTaker.volunteer_id == bindparam("volunteer_id")),
               *requirements_met(Task))
        .order_by(Task.due_on, Task.id)
        .limit(bindparam("limit"))
    )


def open_tasks(volunteer: User, *, now: datetime, limit: int = BOARD_SIZE) -> list[TaskCard]:
    """Tasks `volunteer` may take (eligible, not held by them), soonest due first. No family is
    loaded: only its town, a column."""
    rows = db.session.execute(_open_tasks_query(), {
        "today": org_today(now), "volunteer_id": volunteer.id, "limit": limit, **requirement_params(volunteer),
    })
    return [TaskCard(task_id=row.id, title=row.title, due_on=row.due_on, town=row.town,
                     requirements=requirement_words(row), places_left=row.places_left)
            for row in rows]


def held_taker(volunteer: User, task_id: int) -> TaskTaker | None:
    """The volunteer's hold on task `task_id`, if they have one."""
    return db.session.scalar(
        select(TaskTaker).where(TaskTaker.task_id == task_id, TaskTaker.volunteer_id == volunteer.id)
    )


@dataclass
class MyTasks:
    held: list[TaskTaker]
    done: list[TaskTaker]


# Built once; the volunteer is a parameter.
_MY_TASKS = select(TaskTaker).where(TaskTaker.volunteer_id == bindparam("volunteer_id")) \
    .options(selectinload(TaskTaker.task))


def my_tasks(volunteer: User) -> MyTasks:
    """The volunteer's tasks: held (soonest due first) and done (latest first)."""
    takers = list(db.session.scalars(_MY_TASKS, {"volunteer_id": volunteer.id}))
    held = sorted((t for t in takers if t.done_at is None), key=lambda t: (t.task.due_on, t.task_id))
    done = sorted((t for t in takers if t.done_at is not None), key=lambda t: t.done_at, reverse=True)
    return MyTasks(held=held, done=done)


def give_back_all(volunteer: User, *, now: datetime, by: User) -> int:
    """Give back every task `volunteer` holds and has not done (their account is deactivated or
    deleted): the places open again, and late ones text the need's owner. Returns how many."""
    given = 0
    for taker in list(db.session.scalars(
        select(TaskTaker).where(TaskTaker.volunteer_id == volunteer.id, TaskTaker.done_at.is_(None))
        .order_by(TaskTaker.id)
    )):
        try:
            give_back(taker, now=now, by=by)
        except (AlreadyGivenBack, DoneStays):
            continue
        given += 1
    return given
