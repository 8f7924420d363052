"""Volunteers as coordinators manage them: finding, profile and history, deactivating, assigning.

Approving and declining sign-ups live in `accounts`; taking and releasing slots live in
`claims`. This module builds on both: a coordinator's assignment goes through the very same
`claim_slot` as a volunteer's own tap, and deactivation gives every upcoming slot back through
`release_claim`, so the slot counts and the outbox stay right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    AppointmentStatus,
    Claim,
    Language,
    Role,
    Shift,
    User,
    UserStatus,
    VolunteerLanguage,
)
from accompany.pagination import Page, paginate
from accompany.services.casework.tasks import give_back_all
from accompany.services.errors import DomainError, NotAVolunteer
from accompany.services.messaging import planning
from accompany.services.people.accounts import end_all_sessions
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling import claims

# Appointments whose shifts can still happen: claims on them are "upcoming".
LIVE_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.DRAFT)


# -- errors --------------------------------------------------------------------------------------


class VolunteerError(DomainError):
    """A rule about managing volunteers said no."""


class CannotChangeSelf(VolunteerError):
    message = N_("You cannot deactivate or reactivate your own account.")


class CannotChangeAdmin(VolunteerError):
    message = N_("Admins' accounts cannot be deactivated here.")


class NotActive(VolunteerError):
    def __init__(self, volunteer: User):
        if volunteer.status == UserStatus.PENDING:
            super().__init__(N_("%(name)s is still waiting for approval: decline the sign-up instead."),
                             name=volunteer.name)
        else:
            super().__init__(N_("%(name)s is already deactivated."), name=volunteer.name)


class NotDeactivated(VolunteerError):
    def __init__(self, volunteer: User):
        super().__init__(N_("%(name)s is not deactivated."), name=volunteer.name)


class AlreadyAssigned(VolunteerError):
    def __init__(self, volunteer: User):
        super().__init__(N_("%(name)s already holds a slot of this shift."), name=volunteer.name)


# -- finding -------------------------------------------------------------------------------------


@dataclass
class VolunteerSearch:
    """The list's filters; empty or False means "any"."""

    text: str = ""
    status: UserStatus | None = None
    language: Language | None = None
    has_car: bool = False
    trained: bool = False
    obligor: bool = False


_STATUS_ORDER = case(
    (User.status == UserStatus.PENDING, 0), (User.status == UserStatus.ACTIVE, 1), else_=2
)


def _search_conditions(search: VolunteerSearch) -> list:
    conditions = [User.role == Role.VOLUNTEER]
    if search.status is not None:
        conditions.append(User.status == search.status)
    if search.language is not None:
        conditions.append(User.languages.any(VolunteerLanguage.language == search.language))
    if search.has_car:
        conditions.append(User.has_car.is_(True))
    if search.trained:
        conditions.append(User.court_training_on.is_not(None))
    if search.obligor:
        conditions.append(User.obligor_eligible.is_(True))
    text = search.text.strip()
    if text:
        conditions.append(
            or_(User.name.icontains(text, autoescape=True), User.email.icontains(text, autoescape=True))
        )
    return conditions


def search_volunteers(search: VolunteerSearch, *, page: int | None, per_page: int) -> Page[User]:
    """A page of the volunteers matching `search`: pending first, then active, then deactivated,
    each by name."""
    return paginate(
        select(User).where(*_search_conditions(search)).order_by(_STATUS_ORDER, func.lower(User.name), User.id),
        page, per_page=per_page,
    )


def get_volunteer(user_id: int) -> User | None:
    """The volunteer (any status) with `user_id`, with who approved them; None for other accounts."""
    return db.session.scalar(
        select(User)
        .where(User.id == user_id, User.role == Role.VOLUNTEER)
        .options(joinedload(User.approved_by).lazyload(User.languages))
    )


# -- history -------------------------------------------------------------------------------------


@dataclass
class VolunteerHistory:
    """A volunteer's claims: still to come (soonest first) and done (latest first)."""

    upcoming: list[Claim]
    past: list[Claim]

    @property
    def hours_reported(self) -> Decimal:
        return sum((c.report_hours for c in self.past if c.report_hours is not None), Decimal(0))

    @property
    def reports_missing(self) -> int:
        return sum(
            1 for c in self.past
            if c.reported_at is None and c.shift.appointment.status != AppointmentStatus.CANCELLED
        )


def _claims_with_details():
    """Claims with their shift, appointment and location loaded in the same statement."""
    return (
        select(Claim)
        .join(Claim.shift)
        .join(Shift.appointment)
        .options(
            contains_eager(Claim.shift).contains_eager(Shift.appointment).joinedload(Appointment.location)
        )
    )


def volunteer_history(volunteer: User, *, now: datetime) -> VolunteerHistory:
    """Every claim `volunteer` holds or held, in one query however long the history."""
    rows = db.session.scalars(
        _claims_with_details()
        .where(Claim.volunteer_id == volunteer.id)
        .order_by(Shift.starts_at, Claim.id)
    ).unique()
    upcoming, past = [], []
    for claim in rows:
        (upcoming if claim.shift.ends_at > now else past).append(claim)
    past.reverse()
    return VolunteerHistory(upcoming=upcoming, past=past)


def get_claim(claim_id: int) -> Claim | None:
    """A claim with its shift, appointment and volunteer."""
    return db.session.scalar(
        _claims_with_details().where(Claim.id == claim_id).options(joinedload(Claim.volunteer))
    )


# -- deactivating --------------------------------------------------------------------------------


def _check_may_change(volunteer: User, by: User) -> None:
    if volunteer.id == by.id:
        raise CannotChangeSelf()
    if volunteer.role == Role.ADMIN:
        raise CannotChangeAdmin()
    if volunteer.role != Role.VOLUNTEER:
        raise NotAVolunteer(N_("This is a coordinator's account; an admin manages those."))


@dataclass
class Deactivation:
    """What deactivating did: shifts reopened, and how many of those start soon (alerted)."""

    reopened: int
    late: int


def upcoming_claims(volunteer: User, *, now: datetime) -> list[Claim]:
    """Claims on shifts that have not started, for appointments that can still happen."""
    return list(
        db.session.scalars(
            _claims_with_details()
            .where(
                Claim.volunteer_id == volunteer.id,
                Shift.starts_at > now,
                Appointment.status.in_(LIVE_STATUSES),
            )
            .order_by(Shift.starts_at)
        ).unique()
    )


def deactivate_volunteer(volunteer: User, *, by: User, now: datetime) -> Deactivation:
    """Stop `volunteer` using the app: sessions end, upcoming shifts reopen, nothing more is texted."""
    _check_may_change(volunteer, by)
    if volunteer.status != UserStatus.ACTIVE:
        raise NotActive(volunteer)
    reopened, late = claims.release_all(upcoming_claims(volunteer, now=now), now=now, by=by)
    give_back_all(volunteer, now=now, by=by)  # casework tasks they hold open again
    volunteer.status = UserStatus.DISABLED
    end_all_sessions(volunteer)
    volunteer.calendar_token = None  # the private calendar feed stops too
    planning.cancel_user_messages(volunteer)
    record_event(
        "volunteer.deactivated", now=now, actor=by, subject=volunteer, reopened=reopened, late=late
    )
    db.session.flush()
    return Deactivation(reopened=reopened, late=late)


def reactivate_volunteer(volunteer: User, *, by: User, now: datetime) -> None:
    """Let a deactivated volunteer back in (a declined sign-up counts as approved from now)."""
    _check_may_change(volunteer, by)
    if volunteer.status != UserStatus.DISABLED:
        raise NotDeactivated(volunteer)
    volunteer.status = UserStatus.ACTIVE
    if volunteer.approved_at is None:
        volunteer.approved_at = now
        volunteer.approved_by = by
    record_event("volunteer.reactivated", now=now, actor=by, subject=volunteer)
    db.session.flush()


# -- assigning -----------------------------------------------------------------------------------


def get_shift(shift_id: int) -> Shift | None:
    """A shift with its appointment, location and family."""
    return db.session.scalar(
        select(Shift)
        .where(Shift.id == shift_id)
        .options(
            joinedload(Shift.appointment).joinedload(Appointment.location),
            joinedload(Shift.appointment).joinedload(Appointment.family),
        )
    )


def shift_holders(shift: Shift) -> list[Claim]:
    """The claims on `shift`, with their volunteers, oldest first."""
    return list(
        db.session.scalars(
            select(Claim)
            .where(Claim.shift_id == shift.id)
            .options(joinedload(Claim.volunteer))
            .order_by(Claim.claimed_at, Claim.id)
        )
    )


@dataclass
class Candidate:
    """An active volunteer who could be asked to take a shift, and what (if anything) stands in the way."""

    volunteer: User
    problems: list[str]

    @property
    def eligible(self) -> bool:
        return not self.problems


def active_volunteers() -> list[User]:
    """Every approved, active volunteer, by name (languages loaded alongside)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.VOLUNTEER, User.status == UserStatus.ACTIVE)
            .order_by(func.lower(User.name), User.id)
        )
    )


def assignment_candidates(shift: Shift, *, now: datetime, holders: list[Claim] | None = None) -> list[Candidate]:
    """Active volunteers not already on `shift`, the eligible ones first, each group by name."""
    holding = {claim.volunteer_id for claim in (holders if holders is not None else shift_holders(shift))}
    volunteers = [v for v in active_volunteers() if v.id not in holding]
    problems = claims.eligibility_for(shift, volunteers, now=now)
    candidates = [Candidate(volunteer=v, problems=problems[v.id]) for v in volunteers]
    candidates.sort(key=lambda c: not c.eligible)  # stable: names stay in order within each group
    return candidates


def assign_volunteer(shift: Shift, volunteer: User, *, now: datetime, by: User) -> Claim:
    """Give `volunteer` a slot of `shift` for them, under the rules of their own claim.

    Raises AlreadyAssigned, or `claims`' ShiftClosed, NotEligible or ShiftFull.
    """
    if claims.find_claim(shift, volunteer) is not None:
        raise AlreadyAssigned(volunteer)
    return claims.claim_slot(shift, volunteer, now=now, by=by)
