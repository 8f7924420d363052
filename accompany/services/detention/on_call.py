"""The on-call rota: who is called first when someone is detained, and who next.

Turns are org-local dates (a day, or a week from a day); `on_call(now)` reads the org's date at
`now`, the one place the time zone comes in. Only coordinators and admins with a confirmed phone
(a `User.phone` is set only once its code was typed back) that takes texts may hold a turn: a turn nobody can
answer would only delay the chain.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select

from accompany.database import db
from accompany.marks import N_
from accompany.models import OnCallTurn, Role, RotaSpan, User, UserStatus
from accompany.services.errors import DomainError
from accompany.services.messaging.audience import org_today

SPAN_DAYS = {RotaSpan.DAY: 1, RotaSpan.WEEK: 7}
MAX_DAYS_AHEAD = 366


class NotOnCallMaterial(DomainError):
    field = "user_id"
    message = N_("Only an active coordinator or admin with a confirmed mobile number that takes texts can be on call.")


class TurnDateOutOfRange(DomainError):
    field = "starts_on"
    message = N_("Choose a start date from today to a year ahead.")


class TurnTaken(DomainError):
    field = "user_id"
    message = N_("This person already has a turn on the rota that covers those days.")


def may_be_on_call(user: User) -> bool:
    return bool(user.role in (Role.COORDINATOR, Role.ADMIN) and user.status == UserStatus.ACTIVE and user.phone
                and user.sms_opt_in)


def candidates() -> list[User]:
    """Who may be put on the rota, by name."""
    staff = db.session.scalars(
        select(User).where(User.role.in_([Role.COORDINATOR, Role.ADMIN]), User.status == UserStatus.ACTIVE)
        .order_by(User.name, User.id)
    )
    return [user for user in staff if may_be_on_call(user)]


def add_turn(user: User, *, starts_on: date, span: RotaSpan, position: int, now: datetime) -> OnCallTurn:
    """Put `user` on call from `starts_on` for a day or a week, `position` in that day's order."""
    if not may_be_on_call(user):
        raise NotOnCallMaterial()
    today = org_today(now)
    if not today <= starts_on <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise TurnDateOutOfRange()
    span = RotaSpan(span)
    ends_on = starts_on + timedelta(days=SPAN_DAYS[span] - 1)
    overlapping = db.session.scalar(select(OnCallTurn.id).where(
        OnCallTurn.user_id == user.id, OnCallTurn.starts_on <= ends_on, OnCallTurn.ends_on >= starts_on).limit(1))
    if overlapping is not None:
        raise TurnTaken()
    turn = OnCallTurn(user=user, starts_on=starts_on, ends_on=ends_on, span=span, position=max(int(position), 1),
                      created_at=now)
    db.session.add(turn)
    db.session.flush()
    return turn


class TurnGone(DomainError):
    whole_request = True
    message = N_("That turn is already off the rota.")


def remove_turn(turn: OnCallTurn) -> None:
    """Take a turn off the rota; the DELETE decides, so of two at once one does it."""
    gone = db.session.execute(delete(OnCallTurn).where(OnCallTurn.id == turn.id)
                              .execution_options(synchronize_session=False)).rowcount
    if not gone:
        raise TurnGone()
    db.session.expunge(turn)


def turns_from(day: date) -> list[OnCallTurn]:
    """Every turn that has not ended by `day`, in date and position order (the rota page)."""
    return list(db.session.scalars(
        select(OnCallTurn).where(OnCallTurn.ends_on >= day)
        .order_by(OnCallTurn.starts_on, OnCallTurn.position, OnCallTurn.id)
    ))


def on_call(now: datetime) -> list[User]:
    """Who is on call at `now`, first to call first: the turns covering the org's date, by
    position, each person once, leaving out anyone who could not answer now."""
    today = org_today(now)
    turns = db.session.scalars(
        select(OnCallTurn).where(OnCallTurn.starts_on <= today, OnCallTurn.ends_on >= today)
        .order_by(OnCallTurn.position, OnCallTurn.starts_on.desc(), OnCallTurn.id)
    )
    people: list[User] = []
    for turn in turns:
        if turn.user not in people and may_be_on_call(turn.user):
            people.append(turn.user)
    return people
