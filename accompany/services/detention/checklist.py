"""What follows a detention: the checklist the network edits (the template) and each case's
copy of it.

Opening a case copies the active steps into it, in the same transaction: a step with a need kind
becomes a casework Need on the family, due the same day as the step. The person who opened the
case owns its steps if they are staff; acknowledging the case gives every unowned step (and its
need) to the acknowledger. A step is done when ticked on the case page, or, for a need step, when
its need is met or closed (read from the need, never stored twice).

Nothing here holds family data: a step's title is the network's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from accompany.database import db
from accompany.marks import N_
from accompany.models import CaseStep, ChecklistStep, DetentionCase, NeedKind, Role, User
from accompany.services.casework import needs as need_service
from accompany.services.detention.timeline import STEP_NUMBER, add_event, counted
from accompany.services.errors import DomainError
from accompany.services.messaging.audience import org_today
from accompany.services.privacy.audit import record_event

TITLE_MAX = 120
DUE_DAYS_MAX = 365
POSITION_MAX = 99


@dataclass(frozen=True)
class StepDetails:
    """A step of the template, as the network writes it."""

    title: str
    position: int = 1
    need_kind: NeedKind | None = None
    plans_visit: bool = False
    due_days: int = 0


# (key, details): written into the template the first time it is used while empty. The titles are
# stored in English, and shown in the reader's language for as long as nobody rewrites them
# (`presentation.step_title`).
DEFAULT_STEPS = (
    ("locate", StepDetails(N_("Locate the person (where they are held)"), 1, due_days=0)),
    ("tell_family", StepDetails(N_("Tell the family"), 2, due_days=0)),
    ("legal_referral", StepDetails(N_("Legal referral"), 3, NeedKind.LEGAL_REFERRAL, due_days=1)),
    ("bond_hearing", StepDetails(N_("Request a bond hearing"), 4, due_days=2)),
    ("bond", StepDetails(N_("Bond"), 5, NeedKind.BOND, due_days=7)),
    ("letters", StepDetails(N_("Letters of support"), 6, NeedKind.LETTERS, due_days=7)),
    ("visit", StepDetails(N_("Detention visit"), 7, plans_visit=True, due_days=3)),
    ("belongings", StepDetails(N_("Belongings"), 8, due_days=3)),
    ("children", StepDetails(N_("Children's care"), 9, due_days=0)),
)
DEFAULT_TITLES = frozenset(details.title for _key, details in DEFAULT_STEPS)


class TitleMissing(DomainError):
    field = "title"
    message = N_("Say what the step is, in a few words.")


class TitleTooLong(DomainError):
    field = "title"
    message = N_("Keep the step under %(most)s characters.")

    def __init__(self) -> None:
        super().__init__(most=TITLE_MAX)


class DueDaysOutOfRange(DomainError):
    field = "due_days"
    message = N_("Give the days after the case opens as a number from 0 to %(most)s.")

    def __init__(self) -> None:
        super().__init__(most=DUE_DAYS_MAX)


class PositionOutOfRange(DomainError):
    field = "position"
    message = N_("Give the order as a number from 1 to %(most)s.")

    def __init__(self) -> None:
        super().__init__(most=POSITION_MAX)


class SwitchedAlready(DomainError):
    whole_request = True

    def __init__(self, active: bool):
        super().__init__(N_("This step is on already.") if active else N_("This step is off already."))


class StepDoneAlready(DomainError):
    whole_request = True
    message = N_("This step is ticked done already.")


class StepNotDone(DomainError):
    whole_request = True
    message = N_("This step is not ticked done: nothing to undo.")


# -- the template -----------------------------------------------------------------------------------


def ensure_default_steps() -> bool:
    """Write the default steps into an empty template; True if this call wrote them. Two requests
    at once write them once: the second meets the unique `default_key` and keeps the first's."""
    if db.session.scalar(select(func.count()).select_from(ChecklistStep)):
        return False
    try:
        with db.session.begin_nested():
            for key, details in DEFAULT_STEPS:
                db.session.add(ChecklistStep(default_key=key, active=True, **_values(details)))
    except IntegrityError:
        return False
    return True


def template_steps() -> list[ChecklistStep]:
    """Every step of the template (switched off ones too), in order."""
    ensure_default_steps()
    return list(db.session.scalars(select(ChecklistStep).order_by(ChecklistStep.position, ChecklistStep.id)))


def _values(details: StepDetails) -> dict:
    title = (details.title or "").strip()
    if not title:
        raise TitleMissing()
    if len(title) > TITLE_MAX:
        raise TitleTooLong()
    if details.due_days is None or not 0 <= details.due_days <= DUE_DAYS_MAX:
        raise DueDaysOutOfRange()
    if details.position is None or not 1 <= details.position <= POSITION_MAX:
        raise PositionOutOfRange()
    return {"title": title, "position": details.position,
            "need_kind": NeedKind(details.need_kind) if details.need_kind else None,
            "plans_visit": bool(details.plans_visit), "due_days": details.due_days}


def add_step(details: StepDetails, *, by: User, now: datetime) -> ChecklistStep:
    """Add a step to the template (new cases copy it; open ones keep theirs)."""
    ensure_default_steps()
    step = ChecklistStep(active=True, **_values(details))
    db.session.add(step)
    db.session.flush()
    record_event("checklist.step_added", now=now, actor=by, subject=step)
    return step


def update_step(step: ChecklistStep, details: StepDetails, *, by: User, now: datetime) -> bool:
    """Change a step (a compare-and-set on its row version); False if nothing changed."""
    values = _values(details)
    changed = [name for name, value in values.items() if getattr(step, name) != value]
    for name in changed:
        setattr(step, name, values[name])
    if not changed:
        return False
    db.session.flush()
    record_event("checklist.step_changed", now=now, actor=by, subject=step, fields=sorted(changed))
    return True


def switch_step(step: ChecklistStep, active: bool, *, by: User, now: datetime) -> None:
    """Switch a step on or off for cases opened from now on (a compare-and-set on its version)."""
    if step.active == active:
        raise SwitchedAlready(active)
    step.active = active
    db.session.flush()
    record_event("checklist.step_switched", now=now, actor=by, subject=step, active=active)


# -- a case's steps ---------------------------------------------------------------------------------


def copy_steps(case: DetentionCase, *, by: User | None, now: datetime) -> list[CaseStep]:
    """Copy the active template steps into a case that has just opened (with their needs)."""
    ensure_default_steps()
    owner = by if by is not None and by.role in (Role.COORDINATOR, Role.ADMIN) else None
    today = org_today(now)
    made = []
    for template in db.session.scalars(select(ChecklistStep).where(ChecklistStep.active.is_(True))
                                       .order_by(ChecklistStep.position, ChecklistStep.id)):
        due_on = today + timedelta(days=template.due_days)
        need = None
        if template.need_kind is not None:
            need = need_service.create_need(case.family, need_service.NeedDetails(
                kind=template.need_kind, owner=owner, due_on=due_on), by=by, now=now)
        step = CaseStep(case=case, position=template.position, title=template.title,
                        plans_visit=template.plans_visit, need=need, owner=owner, due_on=due_on)
        db.session.add(step)
        made.append(step)
    db.session.flush()
    return made


def own_unowned_steps(case: DetentionCase, *, by: User) -> None:
    """The acknowledger owns every step (and its need) that nobody owns yet."""
    for step in case.steps:
        if step.owner_id is None:
            step.owner = by
        if step.need is not None and step.need.owner_id is None:
            step.need.owner = by
    db.session.flush()


def tick_step(step: CaseStep, done: bool, *, by: User, now: datetime) -> None:
    """Tick a step done, or take the tick back: a compare-and-set, so of two ticks at once one
    counts and the other is told it is done already."""
    condition = CaseStep.done_at.is_(None) if done else CaseStep.done_at.is_not(None)
    changed = db.session.execute(
        update(CaseStep).where(CaseStep.id == step.id, condition)
        .values(done_at=now if done else None, done_by_id=by.id if done else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(step)
    if not changed:
        raise StepDoneAlready() if done else StepNotDone()
    add_event(step.case, "step_done" if done else "step_undone", now=now, actor=by,
              detail=counted(STEP_NUMBER, step.position))
    db.session.flush()


def overdue(step: CaseStep, *, now: datetime) -> bool:
    return not step.is_done and step.due_on < org_today(now)
