"""The alert chain a detention case starts: outbox rows, planned in the case's own transaction.

With T = DETENTION_ACK_MINUTES (10 by default), opening a case plans:

    step     when    to                                kind
    first    now     the first person on call          DETENTION_ALERT
    next     +T      the second on the rota            DETENTION_ESCALATED
    all      +2T     every coordinator and admin        DETENTION_ALERT_ALL
    call     +3T     the first on the rota, by voice   DETENTION_VOICE_CALL

Each row's dedupe key names the case, the step and the recipient, so planning twice plans once.
Nothing cancels the later steps when someone acknowledges: the facts function reads the case at
send time and raises NothingToSay once it is acknowledged or closed, so an acknowledgement
committed before a step is claimed always stops it, and the outbox's compare-and-set claim
means two schedulers send each step once. (With nobody on the rota, the "all" step goes at once
and there is no call to place.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from accompany.database import db
from accompany.marks import N_
from accompany.models import DetentionCase, MessageKind, OptOut, OutboundMessage, Role, User, UserStatus
from accompany.services.detention.on_call import on_call
from accompany.services.messaging.planning import plan_message

# An alert still goes this long after its step's time (a scheduler that was down, say), never later.
STEP_VALID_FOR = timedelta(hours=12)
KEY_PREFIX = "detention:"


@dataclass(frozen=True)
class Step:
    name: str
    kind: MessageKind
    label: str  # as the case's timeline says it


STEPS = (
    Step("first", MessageKind.DETENTION_ALERT, N_("Alert to the person on call")),
    Step("next", MessageKind.DETENTION_ESCALATED, N_("Escalation to the next on the rota")),
    Step("all", MessageKind.DETENTION_ALERT_ALL, N_("Alert to every coordinator")),
    Step("call", MessageKind.DETENTION_VOICE_CALL, N_("Voice call to the first on the rota")),
)
STEP_LABELS = {step.kind: step.label for step in STEPS}


def ack_timeout() -> timedelta:
    return timedelta(minutes=float(current_app.config.get("DETENTION_ACK_MINUTES", 10)))


def case_key(case: DetentionCase) -> str:
    return f"{KEY_PREFIX}{case.id}:"


def plan_chain(case: DetentionCase, *, now: datetime) -> list[OutboundMessage]:
    """Plan every step of `case`'s chain (see the module's docstring); returns the rows."""
    wait = ack_timeout()
    rota = on_call(now)
    planned: list[OutboundMessage] = []

    def plan(step: Step, user: User, at: datetime) -> None:
        row = plan_message(
            f"{case_key(case)}{step.name}:user:{user.id}", kind=step.kind, now=now, not_before=at,
            send_before=at + STEP_VALID_FOR, user=user, appointment=case.appointment,
            params={"case_id": case.id, "step": step.name},
        )
        if row is not None:
            planned.append(row)

    if rota:
        plan(STEPS[0], rota[0], now)
        if len(rota) > 1:
            plan(STEPS[1], rota[1], now + wait)
    everyone_at = now + 2 * wait if rota else now
    for user in _alertable_staff():
        plan(STEPS[2], user, everyone_at)
    if rota:
        plan(STEPS[3], rota[0], now + 3 * wait)
    db.session.flush()
    return planned


def _alertable_staff() -> list[User]:
    """Every active coordinator and admin who takes texts, with a phone that has not opted out."""
    return list(db.session.scalars(
        select(User).where(
            User.role.in_([Role.COORDINATOR, Role.ADMIN]), User.status == UserStatus.ACTIVE,
            User.sms_opt_in.is_(True), User.phone_hash.is_not(None),
            ~exists().where(OptOut.phone_hash == User.phone_hash, OptOut.active.is_(True)),
        ).order_by(User.id)
    ))


def chain_rows(case: DetentionCase) -> list[OutboundMessage]:
    """The rows of `case`'s chain, and the answers about it, in the order they were due."""
    return list(db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.dedupe_key.startswith(case_key(case), autoescape=True))
        .order_by(OutboundMessage.not_before, OutboundMessage.id)
    ))


def plan_reply(case: DetentionCase, kind: MessageKind, user: User, *, now: datetime, tag: str) -> OutboundMessage | None:
    """An answer to a text about `case` (an acknowledgement, a report), to `user`, at once."""
    return plan_message(
        f"{case_key(case)}{tag}:user:{user.id}", kind=kind, now=now, not_before=now,
        send_before=now + timedelta(hours=2), user=user, appointment=case.appointment,
        params={"case_id": case.id},
    )
