"""Needs on a family: recording them, their due dates (a day, or some days before one of the
family's appointments, following it when it moves), and what is due soon or overdue.

"Due this week" means due from today through the six days after it, in the organization's time
zone; "overdue" means due before today. Only open and in-progress needs count for either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Date, bindparam, case, func, select
from sqlalchemy.orm import selectinload

from accompany.crypto import recurring
from accompany.database import column_rows, db
from accompany.marks import N_
from accompany.models import (
    LIVE_NEED_STATUSES,
    Appointment,
    AppointmentStatus,
    Family,
    Need,
    NeedKind,
    NeedStatus,
    Role,
    Task,
    TaskTaker,
    User,
    UserStatus,
)
from accompany.services.errors import DomainError
from accompany.services.privacy.audit import record_event
from accompany.timezones import to_local

NOTES_MAX = 2000
DAYS_BEFORE_MAX = 90
WEEK = 7  # "this week": today and the six days after it


class NotTheFamilysAppointment(DomainError):
    message = N_("Choose one of this family's own appointments.")
    field = "appointment_id"


class OwnerNotStaff(DomainError):
    message = N_("The owner must be an active coordinator or admin.")
    field = "owner_id"


class DueTwoWays(DomainError):
    message = N_("Give either a due date or an appointment to count back from, not both.")
    field = "due_on"


class FamilyPurged(DomainError):
    message = N_("This family's record was purged: nothing can be added to it.")


@dataclass
class NeedDetails:
    """What a coordinator fills in for a need."""

    kind: NeedKind
    status: NeedStatus = NeedStatus.OPEN
    owner: User | None = None
    due_on: date | None = None
    appointment: Appointment | None = None  # the due date hangs on it, `days_before` it
    days_before: int | None = None
    notes: str = ""


def appointment_due_on(appointment: Appointment, days_before: int) -> date:
    """The local day `days_before` days before `appointment`, in its place's time zone."""
    return to_local(appointment.starts_at, appointment.location.timezone).date() - timedelta(days=days_before)


def _check(family: Family, details: NeedDetails) -> None:
    if family.purged_at is not None:
        raise FamilyPurged()
    if details.owner is not None and not (
        details.owner.role in (Role.COORDINATOR, Role.ADMIN) and details.owner.status == UserStatus.ACTIVE
    ):
        raise OwnerNotStaff()
    if details.appointment is not None:
        if details.appointment.family_id != family.id:
            raise NotTheFamilysAppointment()
        if details.due_on is not None:
            raise DueTwoWays()


def _write(need: Need, details: NeedDetails) -> list[str]:
    """Put `details` on `need`; the names of what changed."""
    days_before = (details.days_before or 0) if details.appointment is not None else None
    wanted = {
        "kind": details.kind,
        "status": details.status,
        "owner_id": details.owner.id if details.owner is not None else None,
        "appointment_id": details.appointment.id if details.appointment is not None else None,
        "days_before": days_before,
        "due_on": (appointment_due_on(details.appointment, days_before) if details.appointment is not None
                   else details.due_on),
        "notes": details.notes.strip() or None,
    }
    changed = [name for name, value in wanted.items() if getattr(need, name) != value]
    for name in changed:
        setattr(need, name, wanted[name])
    return changed


def create_need(family: Family, details: NeedDetails, *, by: User | None, now: datetime) -> Need:
    """Record what `family` needs (`by` None: made by the app, e.g. a detention case's checklist)."""
    _check(family, details)
    need = Need(family_id=family.id, created_by_id=by.id if by is not None else None, created_at=now, updated_at=now)
    _write(need, details)
    db.session.add(need)
    db.session.flush()
    record_event("need.created", now=now, actor=by, subject=need, family_id=family.id, kind=need.kind.value)
    return need


def update_need(need: Need, details: NeedDetails, *, by: User, now: datetime) -> bool:
    """Change a need (its row version is checked: of two changes at once, one is saved). False if
    nothing changed."""
    _check(need.family, details)
    changed = _write(need, details)
    if not changed:
        return False
    need.updated_at = now
    db.session.flush()
    record_event("need.changed", now=now, actor=by, subject=need, fields=sorted(changed))  # names, never words
    return True


def follow_appointment(appointment: Appointment) -> int:
    """The due dates that hang on `appointment` move with it (it was rescheduled): how many moved."""
    moved = 0
    for need in db.session.scalars(
        select(Need).where(Need.appointment_id == appointment.id, Need.days_before.is_not(None))
    ):
        due_on = appointment_due_on(appointment, need.days_before)
        if need.due_on != due_on:
            need.due_on = due_on
            moved += 1
    return moved


# -- reading ------------------------------------------------------------------------------------------


def _due_by(due_before):
    """Live needs due before `due_before` (a day, or a bound parameter for one): this week's
    and the overdue ones when it is `week_end(today)`."""
    return (Need.status.in_(LIVE_NEED_STATUSES), Need.due_on.is_not(None), Need.due_on < due_before)


def week_end(today: date) -> date:
    """The day after "this week" (today and the six days after it)."""
    return today + timedelta(days=WEEK)


def _open_family():
    return Need.family.has((Family.closed_at.is_(None)) & (Family.purged_at.is_(None)))


@dataclass(frozen=True)
class NeedDue:
    """A need due this week or overdue, as the dashboard lists it."""

    id: int
    kind: NeedKind
    family_name: str
    due_on: date
    owner_name: str | None


@cache
def _due_soon_statement():
    # Built once per process (a bound parameter for the day): the dashboard runs it on every request.
    return (
        select(Need.id, Need.kind, recurring(Family.name), Need.due_on, User.name)
        .join(Family, Family.id == Need.family_id)
        .outerjoin(User, User.id == Need.owner_id)
        .where(*_due_by(bindparam("due_before", type_=Date())), Family.closed_at.is_(None), Family.purged_at.is_(None))
        .order_by(Need.due_on, Need.id)
    )


def due_soon(*, today: date) -> list[NeedDue]:
    """Live needs of open families due this week or overdue, soonest (most overdue) first. One
    query, columns only (the family's name through the keyring's cache of names)."""
    return [NeedDue(*row) for row in column_rows(_due_soon_statement(), {"due_before": week_end(today)})]


def count_due_soon(*, today: date) -> int:
    """How many live needs of open families are due this week or overdue (one query)."""
    return db.session.scalar(select(func.count()).select_from(Need).where(*_due_by(week_end(today)), _open_family())) or 0


@dataclass
class NeedFilters:
    status: NeedStatus | None = None
    kind: NeedKind | None = None
    owner_id: int | None = None
    live_only: bool = True  # no status chosen: open and in progress only


def list_needs(filters: NeedFilters, *, today: date, limit: int = 300) -> list[Need]:
    """Needs matching `filters`: overdue first, then due this week, then by due date (none last)."""
    query = select(Need).where(Need.family.has(Family.purged_at.is_(None)))
    if filters.status is not None:
        query = query.where(Need.status == filters.status)
    elif filters.live_only:
        query = query.where(Need.status.in_(LIVE_NEED_STATUSES))
    if filters.kind is not None:
        query = query.where(Need.kind == filters.kind)
    if filters.owner_id is not None:
        query = query.where(Need.owner_id == filters.owner_id)
    soon = today + timedelta(days=WEEK)
    bucket = case(
        (Need.due_on.is_(None), 3),
        (Need.due_on < today, 0),
        (Need.due_on < soon, 1),
        else_=2,
    )
    return list(db.session.scalars(
        query.options(selectinload(Need.family).load_only(Family.id, Family.name), selectinload(Need.owner),
                      selectinload(Need.tasks))
        .order_by(bucket, Need.due_on, Need.id).limit(limit)
    ))


def family_needs(family: Family) -> list[Need]:
    """A family's needs, live ones first, with their tasks and takers."""
    live_first = case((Need.status.in_(LIVE_NEED_STATUSES), 0), else_=1)
    return list(db.session.scalars(
        select(Need).where(Need.family_id == family.id)
        .options(selectinload(Need.owner), selectinload(Need.tasks).selectinload(Task.takers))
        .order_by(live_first, Need.due_on.is_(None), Need.due_on, Need.id)
    ))


def need_for_page(need_id: int) -> Need | None:
    """A need with its family, owner, tasks, their takers and those volunteers, one query each."""
    return db.session.scalar(
        select(Need).where(Need.id == need_id).options(
            selectinload(Need.family), selectinload(Need.owner), selectinload(Need.appointment),
            selectinload(Need.tasks).selectinload(Task.takers).selectinload(TaskTaker.volunteer),
        )
    )


def possible_owners() -> list[User]:
    """Active coordinators and admins, by name."""
    staff = db.session.scalars(select(User).where(User.role.in_([Role.COORDINATOR, Role.ADMIN]),
                                                  User.status == UserStatus.ACTIVE))
    return sorted(staff, key=lambda user: (user.name or "").lower())


def appointments_to_hang_on(family: Family, *, now: datetime, keep_id: int | None = None) -> list[Appointment]:
    """The family's scheduled appointments ahead (and the one a need hangs on already), soonest first."""
    return list(db.session.scalars(
        select(Appointment)
        .where(Appointment.family_id == family.id,
               ((Appointment.status == AppointmentStatus.SCHEDULED) & (Appointment.starts_at > now))
               | (Appointment.id == (keep_id or 0)))
        .options(selectinload(Appointment.location))
        .order_by(Appointment.starts_at, Appointment.id)
    ))
