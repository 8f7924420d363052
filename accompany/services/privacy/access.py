"""The one place that decides who may see or change what (DESIGN §3).

Views ask these functions and answer 404 when the answer is no, so a record a person may not
see looks exactly like a record that does not exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from accompany.models import (
    AppointmentStatus,
    Claim,
    Role,
    TaskTaker,
    User,
    UserStatus,
)

# A volunteer keeps sight of a family they accompany until this long after the appointment.
HOLDER_ACCESS_AFTER = timedelta(days=1)


def _active(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.status == UserStatus.ACTIVE)


def is_staff(user: User | None) -> bool:
    """Coordinators and admins: families, appointments, shifts, volunteers, messages."""
    return _active(user) and user.role in (Role.COORDINATOR, Role.ADMIN)


def is_admin(user: User | None) -> bool:
    """Accounts, roles and settings."""
    return _active(user) and user.role == Role.ADMIN


def may_use_board(user: User | None) -> bool:
    """Approved volunteers see the open-shift board (which never shows families)."""
    return _active(user) and user.role == Role.VOLUNTEER


def is_waiting_for_approval(user: User | None) -> bool:
    """A volunteer who signed up and is not approved yet: their profile and a waiting page."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.role == Role.VOLUNTEER
        and user.status == UserStatus.PENDING
    )


def has_own_profile(user: User | None) -> bool:
    """Volunteers, approved or still waiting, keep a profile (deactivated ones cannot log in)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.role == Role.VOLUNTEER
        and user.status in (UserStatus.PENDING, UserStatus.ACTIVE)
    )


def may_see_held_shift(user: User | None, claim: Claim, *, now: datetime) -> bool:
    """A volunteer sees the details of a shift they hold, from claiming until a day after the
    appointment: the family's first name and phone, the meeting point, the other volunteers."""
    appointment = claim.shift.appointment
    return may_see_holder_details(user, claim.volunteer_id, appointment.status, appointment.starts_at, now=now)


def may_see_holder_details(user: User | None, holder_id: int, status: AppointmentStatus, starts_at: datetime,
                           *, now: datetime) -> bool:
    """may_see_held_shift from the columns it reads (a list of shifts loads no records): the
    holder's id, and the appointment's status and start."""
    return (
        may_use_board(user)
        and holder_id == user.id
        and status != AppointmentStatus.DRAFT
        and starts_at > now - HOLDER_ACCESS_AFTER
    )


def may_read_report(user: User | None, claim: Claim) -> bool:
    """A volunteer's report on a shift (outcome, hours, notes, a next date): the staff, who see the
    appointment, and the volunteer who wrote it. Never the other volunteers of the appointment."""
    return is_staff(user) or (may_use_board(user) and claim.volunteer_id == user.id)


# -- casework (issue 14) ----------------------------------------------------------------------------

# A volunteer keeps sight of the family a task is for until this long after they marked it done.
TASK_ACCESS_AFTER_DONE = timedelta(days=1)


def may_see_held_task(user: User | None, taker: TaskTaker, *, now: datetime) -> bool:
    """A volunteer sees the family's first name and what they need (the need's kind, the task's
    details) only for a task they hold: from taking it until a day after they mark it done.
    Volunteers see nothing else of casework."""
    return (
        may_use_board(user)
        and taker.volunteer_id == user.id
        and taker.task.need.family.purged_at is None
        and (taker.done_at is None or taker.done_at > now - TASK_ACCESS_AFTER_DONE)
    )
