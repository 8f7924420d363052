"""Volunteers holding slots: who may take a shift, taking one atomically, and letting it go."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Boolean, bindparam, delete, or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from accompany.database import db
from accompany.marks import N_
from accompany.models import Appointment, AppointmentStatus, Claim, Language, MessageKind, Shift, User
from accompany.phrases import Phrase, Phrases
from accompany.services.errors import DomainError
from accompany.services.messaging import planning, staff_texts, volunteer_texts
from accompany.services.places import take_a_place
from accompany.services.privacy.access import may_use_board
from accompany.services.privacy.audit import record_event


class ShiftFull(DomainError):
    message = N_("Someone just took the last slot of this shift.")


class NotEligible(DomainError):
    """The volunteer does not meet the shift's requirements; `reasons` says which."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(N_("Not possible: %(reasons)s."), reasons=Phrases(reasons))


class ShiftStarted(DomainError):
    message = N_("This shift has already started, so it stays in the volunteer's history. Call a coordinator if "
                 "plans changed.")


class ShiftClosed(DomainError):
    message = N_("This shift is no longer open: it has started, or its appointment was cancelled or closed.")


class AlreadyReleased(DomainError):
    message = N_("This slot was given back already (the button was pressed twice, or someone else released it).")


def not_a_volunteer(volunteer: User) -> Phrase:
    if volunteer.first_name:
        return Phrase(N_("%(name)s is not an approved, active volunteer"), name=volunteer.first_name)
    return Phrase(N_("this person is not an approved, active volunteer"))


OVERLAPS = Phrase(N_("it overlaps another shift already taken"))

# Why a volunteer may not take a shift or a task, one whole phrase each (never "this %s needs":
# the words around it change with what is taken, in every language).
NEEDS = {
    "shift": {
        "car": Phrase(N_("this shift needs a car")),
        "language": N_("this shift needs someone who speaks %(language)s"),
        "training": Phrase(N_("this shift needs court-accompaniment training")),
        "obligor": Phrase(N_("this shift needs someone who can act as bond obligor")),
    },
    "task": {
        "car": Phrase(N_("this task needs a car")),
        "language": N_("this task needs someone who speaks %(language)s"),
        "training": Phrase(N_("this task needs court-accompaniment training")),
        "obligor": Phrase(N_("this task needs someone who can act as bond obligor")),
    },
}


def requirement_problems(shift, volunteer: User, *, what: str = "shift") -> list[Phrase]:
    """The requirements (car, language, training, obligor) of `shift` (or of anything that has
    them, like a casework task: `what="task"`) that `volunteer` does not meet."""
    needs = NEEDS[what]
    problems = []
    if shift.requires_car and not volunteer.has_car:
        problems.append(needs["car"])
    if shift.language is not None and shift.language.value not in volunteer.language_codes:
        problems.append(Phrase(needs["language"], language=shift.language))
    if shift.requires_training and volunteer.court_training_on is None:
        problems.append(needs["training"])
    if shift.requires_obligor and not volunteer.obligor_eligible:
        problems.append(needs["obligor"])
    return problems


def requirements_met(model) -> list[ColumnElement[bool]]:
    """requirement_problems in SQL: conditions on `model` (Shift, or a model with the same
    requirement columns, like Task) that keep only what a volunteer may take, so a query's limit
    counts only those. The volunteer comes in as parameters (`requirement_params`), so a query
    using these can be built once and run for everyone."""
    conditions = [
        or_(model.language.is_(None), model.language.in_(bindparam("speaks", expanding=True))),
        or_(model.requires_car.is_(False), bindparam("has_car", type_=Boolean)),
        or_(model.requires_training.is_(False), bindparam("trained", type_=Boolean)),
    ]
    if model.requires_obligor is not False:  # a task never needs one
        conditions.append(or_(model.requires_obligor.is_(False), bindparam("obligor", type_=Boolean)))
    return conditions


def requirement_params(volunteer: User) -> dict[str, object]:
    """The values of `requirements_met`'s parameters for `volunteer`."""
    return {
        "speaks": [Language(code) for code in volunteer.language_codes],
        "has_car": bool(volunteer.has_car),
        "trained": volunteer.court_training_on is not None,
        "obligor": bool(volunteer.obligor_eligible),
    }


def volunteers_with_overlapping_claims(shift: Shift, volunteer_ids: list[int]) -> set[int]:
    """Which of `volunteer_ids` hold another shift, of a scheduled appointment, overlapping `shift`
    (one query for all)."""
    if not volunteer_ids:
        return set()
    return set(db.session.scalars(_OVERLAPPING_CLAIMS, {
        "volunteer_ids": volunteer_ids, "shift_id": shift.id, "starts_at": shift.starts_at, "ends_at": shift.ends_at}))


# Built once (SQLAlchemy then reuses its compiled SQL): the shift and the volunteers are parameters.
_OVERLAPPING_CLAIMS = (
    select(Claim.volunteer_id)
    .join(Shift, Claim.shift_id == Shift.id)
    .join(Appointment, Shift.appointment_id == Appointment.id)
    .where(
        Claim.volunteer_id.in_(bindparam("volunteer_ids", expanding=True)),
        Shift.id != bindparam("shift_id"),
        Shift.overlaps(bindparam("starts_at"), bindparam("ends_at")),
        Appointment.status == AppointmentStatus.SCHEDULED,
    )
    .distinct()
)


def eligibility_for(shift: Shift, volunteers: list[User], *, now: datetime) -> dict[int, list[str]]:
    """Plain-words reasons each of `volunteers` may not hold `shift` (empty when they may), by
    volunteer id, with one query in all.

    Expects the volunteers' languages loaded (they are, by default).
    """
    board_users = [v for v in volunteers if may_use_board(v)]
    overlapping = volunteers_with_overlapping_claims(shift, [v.id for v in board_users])
    problems: dict[int, list[str]] = {}
    for volunteer in volunteers:
        if not may_use_board(volunteer):
            problems[volunteer.id] = [not_a_volunteer(volunteer)]
            continue
        found = requirement_problems(shift, volunteer)
        if volunteer.id in overlapping:
            found.append(OVERLAPS)
        problems[volunteer.id] = found
    return problems


def eligibility_problems(shift: Shift, volunteer: User, *, now: datetime) -> list[str]:
    """Plain-words reasons `volunteer` may not hold `shift` (empty when they may)."""
    return eligibility_for(shift, [volunteer], now=now)[volunteer.id]


def check_open(shift: Shift, *, now: datetime) -> None:
    if not shift.is_open(now):
        raise ShiftClosed()


def shift_to_claim(shift_id: int) -> Shift | None:
    """The shift with what claiming it reads (its appointment, and the family the confirmation is
    texted to), in one query."""
    return db.session.scalar(
        select(Shift).where(Shift.id == shift_id)
        .options(joinedload(Shift.appointment).joinedload(Appointment.family))
    )


_FIND_CLAIM = select(Claim).where(Claim.shift_id == bindparam("shift_id"), Claim.volunteer_id == bindparam("volunteer_id"))


def find_claim(shift: Shift, volunteer: User) -> Claim | None:
    return db.session.scalar(_FIND_CLAIM, {"shift_id": shift.id, "volunteer_id": volunteer.id})


def claim_slot(shift: Shift, volunteer: User, *, now: datetime, by: User | None = None) -> Claim:
    """Give `volunteer` one slot of `shift` (or return the claim they already hold).

    The filled count goes up by a conditional UPDATE and the claim row is guarded by a unique
    constraint, both inside one savepoint: two people taking the last slot at once get exactly
    one claim, and a double tap is harmless (the second tap gets the claim the first made, even
    when that was the last slot). Raises ShiftFull, NotEligible or ShiftClosed.
    """
    existing = find_claim(shift, volunteer)
    if existing is not None:
        return existing
    check_open(shift, now=now)
    if not shift.has_free_slot:
        # Full as this request read it, and the volunteer holds none of it (read after, in the
        # same transaction): every place is someone else's, so there is no UPDATE to try.
        raise ShiftFull()
    problems = eligibility_problems(shift, volunteer, now=now)
    if problems:
        raise NotEligible(problems)
    claim, new = take_a_place(
        shift, count=Shift.filled, has_free=Shift.has_free_slot, holders="claims", full=ShiftFull,
        holder=Claim(shift_id=shift.id, volunteer_id=volunteer.id, claimed_at=now),
        find_held=lambda: find_claim(shift, volunteer),  # full because this volunteer's other tap took it?
    )
    if not new:
        return claim
    volunteer_texts.plan_claim_texts(claim, now=now)
    record_event(
        "claim.assigned" if by is not None and by.id != volunteer.id else "claim.taken",
        now=now, actor=by or volunteer, subject=shift, volunteer_id=volunteer.id,
    )
    return claim


def release_all(claims: list[Claim], *, now: datetime, by: User) -> tuple[int, int]:
    """Give back each of `claims` (deactivating or deleting an account): returns how many were
    released here and how many of those late. One another request released meanwhile is skipped."""
    released = late = 0
    for claim in claims:
        try:
            late += release_claim(claim, now=now, by=by)
        except AlreadyReleased:
            continue
        released += 1
    return released, late


def release_cutoff() -> timedelta:
    return timedelta(hours=current_app.config["RELEASE_CUTOFF_HOURS"])


def release_claim(claim: Claim, *, now: datetime, by: User) -> bool:
    """Give the slot back. Returns True when it was late and the coordinators were alerted.

    The claim row goes first, by a DELETE whose rowcount says whether this request removed it;
    only then does the shift's filled count go down and the rest happen. So two releases of one
    slot at once (a double tap; the volunteer and a coordinator; a deactivation) free it once, and
    the filled count never drops below the claims that stand. Raises ShiftStarted, or
    AlreadyReleased when another request released it first.
    """
    shift = claim.shift
    if shift.starts_at <= now:
        raise ShiftStarted()
    late = now >= shift.starts_at - release_cutoff()
    volunteer_id = claim.volunteer_id
    removed = db.session.execute(
        delete(Claim).where(Claim.id == claim.id).execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(shift, ["filled", "claims"])
    db.session.expunge(claim)
    if not removed:
        raise AlreadyReleased()
    db.session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.filled > 0)
        .values(filled=Shift.filled - 1)
        .execution_options(synchronize_session=False)
    )
    planning.cancel_claim_messages(claim)  # its ids are still loaded
    if late and shift.appointment.status == AppointmentStatus.SCHEDULED and shift.ends_at > now:
        staff_texts.alert_coordinators(
            MessageKind.COORDINATOR_LATE_RELEASE, f"shift:{shift.id}:release:{volunteer_id}:{planning.stamp(now)}",
            now=now, appointment=shift.appointment, shift=shift,
            params={"volunteer_id": volunteer_id},
            valid_for=max(shift.starts_at - now, timedelta(hours=1)),
        )
    record_event(
        "claim.released", now=now, actor=by, subject=shift, volunteer_id=volunteer_id, late=late
    )
    return late
