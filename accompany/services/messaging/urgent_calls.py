"""Filling an urgent shift by text.

A coordinator taps "Text eligible volunteers" on an open shift. The volunteers who may take it
and take texts (active, opted in, not opted out, with the language, car and training it needs,
free at that time, not yet asked about it), least recently asked first, get an ask in groups:
"Reply YES 4821 to take it". The first YES takes a slot through the same atomic claim as the
board (and so gets the shift's details link); a YES after it is covered is thanked; a NO stops
asking that volunteer about that shift. The scheduler asks the next group after a wait, and tells
the coordinators when the shift is near and still open (or nobody is left to ask).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    Claim,
    MessageKind,
    OptOut,
    OutboundMessage,
    Role,
    Shift,
    UrgentAnswer,
    UrgentAsk,
    UrgentCall,
    User,
    UserStatus,
)
from accompany.services.errors import DomainError
from accompany.services.messaging import planning, staff_texts
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling import claims

FILLED, CLOSED = "filled", "closed"


class ShiftCovered(DomainError):
    message = N_("Every slot of this shift is taken: there is nobody to text for.")


class AskedJustNow(DomainError):
    message = N_("Another group was texted about this shift just now. Look again in a moment.")


class NobodyToAsk(DomainError):
    message = N_("Nobody is left to text: every volunteer who could take this shift and takes texts "
                 "has been asked already, or none meets its needs.")


@dataclass(frozen=True)
class Settings:
    group_size: int
    wait: timedelta
    alert_before: timedelta


def current_settings() -> Settings:
    config = current_app.config
    return Settings(
        group_size=config["URGENT_GROUP_SIZE"],
        wait=timedelta(minutes=config["URGENT_WAIT_MINUTES"]),
        alert_before=timedelta(hours=config["URGENT_ALERT_HOURS"]),
    )


# -- starting and asking ---------------------------------------------------------------------------


def call_for(shift: Shift) -> UrgentCall | None:
    """The shift's call, with who was asked (and their names) loaded, or None."""
    return db.session.scalar(
        select(UrgentCall)
        .where(UrgentCall.shift_id == shift.id)
        .options(selectinload(UrgentCall.asks).joinedload(UrgentAsk.volunteer))
    )


def start_call(shift: Shift, *, by: User, now: datetime, seen_rounds: int | None = None
               ) -> tuple[UrgentCall, list[UrgentAsk]]:
    """Text the next group of eligible volunteers about `shift` (starting, reopening or hurrying
    its call). `seen_rounds`: how many groups had been texted on the coordinator's page; when more
    have been since (the button pressed twice, or the scheduler's round), nobody more is asked.
    Raises ShiftClosed, ShiftCovered, AskedJustNow or NobodyToAsk."""
    claims.check_open(shift, now=now)
    if not shift.has_free_slot:
        raise ShiftCovered()
    call = call_for(shift)
    if seen_rounds is not None and seen_rounds != (call.rounds if call is not None else 0):
        raise AskedJustNow()
    if call is None:
        call = UrgentCall(shift=shift, code=_free_code(), started_at=now, started_by=by, rounds=0, end_reason="")
        db.session.add(call)
        db.session.flush()
    elif not call.is_open:
        call.ended_at, call.end_reason = None, ""
        if _code_taken(call.code, besides=call.id):
            call.code = _free_code()
    asked = ask_next_group(call, now=now)
    if asked is None:
        raise AskedJustNow()
    if not asked:
        raise NobodyToAsk()
    record_event("urgent_call.asked", now=now, actor=by, subject=shift, round=call.rounds, asked=len(asked))
    return call, asked


def candidates(shift: Shift, *, now: datetime) -> list[User]:
    """Who may be asked about `shift` now, least recently asked (about anything) first."""
    already = select(UrgentAsk.volunteer_id).join(UrgentCall).where(UrgentCall.shift_id == shift.id)
    holding = select(Claim.volunteer_id).where(Claim.shift_id == shift.id)
    last_asked = (
        select(UrgentAsk.volunteer_id, func.max(UrgentAsk.asked_at).label("at"))
        .group_by(UrgentAsk.volunteer_id)
        .subquery()
    )
    volunteers = list(
        db.session.scalars(
            select(User)
            .outerjoin(last_asked, last_asked.c.volunteer_id == User.id)
            .where(
                User.role == Role.VOLUNTEER,
                User.status == UserStatus.ACTIVE,
                User.sms_opt_in.is_(True),
                User.phone_hash.is_not(None),
                User.id.not_in(already),
                User.id.not_in(holding),
                ~exists().where(OptOut.phone_hash == User.phone_hash, OptOut.active.is_(True)),
            )
            .order_by(last_asked.c.at.asc().nulls_first(), User.id)
        )
    )
    problems = claims.eligibility_for(shift, volunteers, now=now)
    return [volunteer for volunteer in volunteers if not problems[volunteer.id]]


def ask_next_group(call: UrgentCall, *, now: datetime, settings: Settings | None = None) -> list[UrgentAsk] | None:
    """Plan an ask to each of the next group; [] when nobody is left, None when another process
    (the scheduler, a second tap) took this round first."""
    settings = settings or current_settings()
    seen_round = call.rounds  # read once, before choosing whom to ask: the compare is against it
    shift = call.shift
    group = candidates(shift, now=now)[: settings.group_size]
    # The round is taken with a compare-and-set on its number, so two takers never both ask.
    taken = db.session.execute(
        update(UrgentCall)
        .where(UrgentCall.id == call.id, UrgentCall.rounds == seen_round)
        .values(rounds=UrgentCall.rounds + (1 if group else 0),
                next_round_at=now + settings.wait if group else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(call, ["rounds", "next_round_at"])
    if not taken:
        return None
    if not group:
        return []
    asked = []
    for volunteer in group:
        ask = UrgentAsk(call_id=call.id, volunteer_id=volunteer.id, round=call.rounds, asked_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(ask)
        except IntegrityError:  # asked at this very moment by another process (scheduler or a tap)
            continue
        planning.plan_message(
            f"urgent:{call.id}:user:{volunteer.id}", kind=MessageKind.VOLUNTEER_URGENT_ASK, now=now,
            not_before=now, send_before=shift.starts_at, user=volunteer, shift=shift,
            appointment=shift.appointment, params={"code": call.code},
        )
        asked.append(ask)
    db.session.flush()
    return asked


def _code_taken(code: str, *, besides: int | None = None) -> bool:
    return bool(db.session.scalar(select(exists().where(
        UrgentCall.code == code, UrgentCall.ended_at.is_(None), UrgentCall.id != (besides or 0)))))


def _free_code() -> str:
    """Four digits no open call is using."""
    while True:
        code = f"{1000 + secrets.randbelow(9000)}"
        if not _code_taken(code):
            return code


# -- answers ---------------------------------------------------------------------------------------


def find_ask(volunteers: list[User], code: str | None) -> UrgentAsk | None:
    """The ask a YES or NO from `volunteers`' number is about: the one with `code`, or without a
    code, their only unanswered ask on an open call."""
    if not volunteers:
        return None
    ids = {"volunteer_ids": [volunteer.id for volunteer in volunteers]}
    if code:
        return db.session.scalar(_ASK_WITH_CODE, {**ids, "code": code})
    open_asks = list(db.session.scalars(_OPEN_ASKS, ids))
    return open_asks[0] if len(open_asks) == 1 else None


# Built once (a YES runs one of them): the volunteers and the code are parameters.
_ASKS = (
    select(UrgentAsk)
    .join(UrgentCall)
    .where(UrgentAsk.volunteer_id.in_(bindparam("volunteer_ids", expanding=True)))
    # With the shift's appointment and family, which answering reads (the volunteer is one of
    # `volunteers`, loaded already).
    .options(joinedload(UrgentAsk.call).joinedload(UrgentCall.shift).joinedload(Shift.appointment)
             .joinedload(Appointment.family))
    .order_by(UrgentAsk.asked_at.desc(), UrgentAsk.id.desc())
)
_ASK_WITH_CODE = _ASKS.where(UrgentCall.code == bindparam("code")).limit(1)
_OPEN_ASKS = _ASKS.where(UrgentCall.ended_at.is_(None), UrgentAsk.answer.is_(None))


def answer(ask: UrgentAsk, *, yes: bool, now: datetime) -> UrgentAnswer | None:
    """Record a volunteer's YES or NO; a YES claims a slot if one is free. Returns how it ended
    (TOOK_IT, DECLINED, TOO_LATE, NOT_POSSIBLE) and plans the reply for all but TOOK_IT, whose
    reply is the claim's own "your shift" text with the details link. None for a NO from the
    volunteer who took the shift: whether they have let it go is for a coordinator to settle.
    Recorded in the audit log either way."""
    outcome = _answer(ask, yes=yes, now=now)
    record_event("urgent_call.answered", now=now, actor=ask.volunteer, subject=ask.call.shift,
                 answer=outcome or "no_after_taking")
    db.session.flush()  # (one flush for what answering changed: the claim's events go together)
    return outcome


def _answer(ask: UrgentAsk, *, yes: bool, now: datetime) -> UrgentAnswer | None:
    call, volunteer = ask.call, ask.volunteer
    shift = call.shift
    if ask.answer == UrgentAnswer.TOOK_IT:
        return UrgentAnswer.TOOK_IT if yes else None  # a repeated YES changes nothing
    if not yes:
        ask.answered_at, ask.answer = now, UrgentAnswer.DECLINED
        planning.cancel_pending(OutboundMessage.dedupe_key == f"urgent:{call.id}:user:{volunteer.id}")
        _reply(ask, MessageKind.REPLY_URGENT_DECLINED, now=now)
        return UrgentAnswer.DECLINED
    try:
        claims.claim_slot(shift, volunteer, now=now)
    except (claims.ShiftFull, claims.ShiftClosed):
        ask.answer, ask.answered_at = UrgentAnswer.TOO_LATE, now
        _reply(ask, MessageKind.REPLY_URGENT_COVERED, now=now)
    except claims.NotEligible:
        ask.answer, ask.answered_at = UrgentAnswer.NOT_POSSIBLE, now
        _reply(ask, MessageKind.REPLY_URGENT_NOT_POSSIBLE, now=now)
    else:
        ask.answer, ask.answered_at = UrgentAnswer.TOOK_IT, now
        if not shift.has_free_slot:  # (taking the place read the filled count back)
            end_call(call, FILLED, now=now)
    return ask.answer


def _reply(ask: UrgentAsk, kind: MessageKind, *, now: datetime) -> None:
    shift = ask.call.shift
    planning.plan_message(
        f"urgent:{ask.call_id}:user:{ask.volunteer_id}:{kind}", kind=kind, now=now, not_before=now,
        send_before=now + timedelta(hours=6), user=ask.volunteer, shift=shift, appointment=shift.appointment,
    )


def end_call(call: UrgentCall, reason: str, *, now: datetime) -> None:
    """Stop asking: the asks not sent yet are cancelled (a YES to one already sent is still thanked)."""
    call.ended_at, call.end_reason, call.next_round_at = now, reason, None
    db.session.execute(_CANCEL_ASKS, {"of_shift": call.shift_id})


# Without flushing first: what waits to be flushed (the call, the ask, the audit events) is
# about other rows, and goes in one flush after.
_CANCEL_ASKS = planning.cancelling(OutboundMessage.shift_id == bindparam("of_shift"),
                                   OutboundMessage.kind == MessageKind.VOLUNTEER_URGENT_ASK
                                   ).execution_options(autoflush=False)


# -- the scheduler's part --------------------------------------------------------------------------


def advance(*, now: datetime, settings: Settings | None = None) -> dict[str, int]:
    """End the calls whose shift is filled or closed; ask the next group where the wait is over;
    alert the coordinators about a shift near its time and still open, or with nobody left to ask."""
    settings = settings or current_settings()
    counts = {"ended": 0, "asked": 0, "alerted": 0}
    open_calls = db.session.scalars(
        select(UrgentCall).where(UrgentCall.ended_at.is_(None)).options(joinedload(UrgentCall.shift))
    )
    for call in open_calls:
        shift = call.shift
        if not shift.is_open(now):
            end_call(call, CLOSED, now=now)
            counts["ended"] += 1
            continue
        if not shift.has_free_slot:
            end_call(call, FILLED, now=now)
            counts["ended"] += 1
            continue
        if call.next_round_at is not None and call.next_round_at <= now:
            counts["asked"] += len(ask_next_group(call, now=now, settings=settings) or [])
        nobody_left = call.next_round_at is None
        near = shift.starts_at - now <= settings.alert_before
        waited = now - call.started_at >= settings.wait  # not seconds after the tap
        if call.alerted_at is None and waited and (nobody_left or near):
            staff_texts.alert_coordinators(
                MessageKind.COORDINATOR_URGENT_UNFILLED, f"urgent:{call.id}", now=now,
                appointment=shift.appointment, shift=shift, valid_for=shift.starts_at - now,
            )
            call.alerted_at = now
            counts["alerted"] += 1
    db.session.flush()
    return counts
