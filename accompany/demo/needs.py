"""The demo network's casework (issue 14, points 1 and 2): a few open needs on families, tasks
volunteers can take from the board, one held and one done with its report. Made through the
services, so the demo keeps the same rules as the app (due dates, eligibility, texts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from accompany.models import Appointment, AppointmentKind, Family, Language, NeedKind, NeedStatus, User
from accompany.services.casework.needs import NeedDetails, create_need
from accompany.services.casework.tasks import TaskPlan, add_task, eligibility_problems, mark_done, take_task
from accompany.services.messaging.audience import org_today

# (kind, status, days from today it is due (None: hung on the family's first bond hearing, 3 days
# before it), notes, tasks: (title, days from today, wanted, language, car, details)).
# Titles are what the board shows: no names, ever.
NEEDS = (
    (NeedKind.LETTERS, NeedStatus.OPEN, None, "Judge asked for community ties; aim for five letters.", (
        ("Collect letters of support from your congregation", 5, 3, None, False,
         "Letters in English or Spanish; a signed page each, with the writer's phone."),
    )),
    (NeedKind.HOUSING, NeedStatus.IN_PROGRESS, 4, "Released last week; staying with a cousin for now.", (
        ("Call shelters in Chelsea for a family room", 3, 1, Language.SPANISH, False,
         "Two adults and a child of six. Ask about a room from next week."),
        ("Drive a mattress and bed frame on Saturday", 7, 2, None, True,
         "Pick up in Somerville, third floor, no elevator."),
    )),
    (NeedKind.PAPERWORK, NeedStatus.OPEN, -2, "School enrollment forms came back incomplete.", (
        ("Help fill in a school enrollment form", 2, 1, Language.SPANISH, False,
         "The school needs proof of address; the lease copy is with the family."),
    )),
    (NeedKind.TRANSPORT, NeedStatus.OPEN, 10, "Clinic visits twice a month.", ()),
    (NeedKind.ESSENTIALS, NeedStatus.MET, -5, "Winter coats delivered.", ()),
)
HELD_REPORT = "Dropped off the frame; the mattress goes Sunday with a second driver."


def seed_needs(families: list[Family], appointments: list[Appointment], coordinators: list[User],
               volunteers: list[User], *, now: datetime) -> dict[str, int]:
    """Needs on the first families (letters for one with a bond hearing), with tasks; returns counts."""
    today = org_today(now)
    bond_hearings = [a for a in appointments if a.kind == AppointmentKind.BOND_HEARING and a.starts_at > now]
    letters_family = bond_hearings[0].family if bond_hearings else families[0]
    others = [family for family in families if family is not letters_family]
    counts = {"needs": 0, "tasks": 0}
    tasks = []
    for n, (kind, status, due_in, notes, task_rows) in enumerate(NEEDS):
        family = letters_family if n == 0 else others[n]
        hearing = bond_hearings[0] if n == 0 and bond_hearings else None
        details = NeedDetails(
            kind=kind, status=NeedStatus.OPEN, owner=coordinators[n % len(coordinators)], notes=notes,
            appointment=hearing, days_before=3 if hearing is not None else None,
            due_on=None if hearing is not None else today + timedelta(days=due_in if due_in is not None else 7),
        )
        need = create_need(family, details, by=details.owner, now=now)
        counts["needs"] += 1
        for title, days, wanted, language, car, task_details in task_rows:
            tasks.append(add_task(need, TaskPlan(title=title, due_on=today + timedelta(days=days), wanted=wanted,
                                                 language=language, requires_car=car, details=task_details),
                                  by=details.owner, now=now))
            counts["tasks"] += 1
        need.status = status
    # One task held, and one done with its report, by volunteers who may take them.
    for task, done in ((tasks[1], False), (tasks[2], True)):
        volunteer = next((v for v in volunteers if not eligibility_problems(task, v)), None)
        if volunteer is None:
            continue
        taker = take_task(task, volunteer, now=now - timedelta(days=2))
        if done:
            mark_done(taker, HELD_REPORT, now=now - timedelta(hours=20))
    return counts
