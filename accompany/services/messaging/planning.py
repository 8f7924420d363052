"""Planning the outbox: the rows behind every text (DESIGN §6), and the cancels.

Every function here and in the modules that plan for each audience (`family_texts`,
`volunteer_texts`, `staff_texts`) writes or rewrites `OutboundMessage` rows in the caller's
transaction and sends nothing. A row's dedupe key names its subject, recipient and kind (and, for
reminders, the time they are about), so saving the same thing twice never plans twice;
rescheduling cancels the pending rows and plans new ones under new keys. Rows are never planned to
a family without SMS consent, to anyone without a phone, or to an opted-out number, and never when
their window has already closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from accompany.database import db
from accompany.models import (
    Appointment,
    Claim,
    Family,
    MessageKind,
    MessageState,
    OptOut,
    OutboundMessage,
    RecipientKind,
    Role,
    Shift,
    User,
)


@dataclass(frozen=True)
class Wanted:
    """One row to plan (see plan_messages): its key, kind, window, recipient and subject."""

    key: str
    kind: MessageKind
    not_before: datetime
    send_before: datetime
    family: Family | None = None
    user: User | None = None
    appointment_id: int | None = None
    shift_id: int | None = None
    params: dict | None = None


def plan_message(
    key: str,
    *,
    kind: MessageKind,
    now: datetime,
    not_before: datetime,
    send_before: datetime,
    family: Family | None = None,
    user: User | None = None,
    appointment: Appointment | None = None,
    shift: Shift | None = None,
    params: dict | None = None,
) -> OutboundMessage | None:
    """Plan one row under `key` (or re-time the pending or cancelled one there). None if too late."""
    return plan_one(Wanted(
        key, kind, not_before, send_before, family=family, user=user,
        appointment_id=appointment.id if appointment is not None else None,
        shift_id=shift.id if shift is not None else None, params=params,
    ), now=now)


def plan_one(wanted: Wanted | None, *, now: datetime) -> OutboundMessage | None:
    """plan_messages for one row (None: nothing wanted, or its window has closed)."""
    planned = plan_messages([wanted], now=now) if wanted is not None else []
    return planned[0] if planned else None


def plan_messages(wanted: Iterable[Wanted], *, now: datetime) -> list[OutboundMessage]:
    """Plan each of `wanted` under its key, or re-time the pending or cancelled row already there
    (a row that went or is going stays as it is); leave out those whose window has closed. The
    rows, in the order wanted.

    However many rows: one look-up of the keys, and one INSERT of the new rows inside a savepoint.
    When another transaction planned one of them in between (the same text planned twice at once),
    the savepoint is rolled back and the new rows are planned one by one, each in its own
    savepoint, the taken key read back as it stands."""
    timely: dict[str, Wanted] = {}
    for row in wanted:
        not_before = max(row.not_before, now)
        if row.send_before > not_before and row.key not in timely:
            timely[row.key] = row if not_before == row.not_before else replace(row, not_before=not_before)
    if not timely:
        return []
    rows = {row.dedupe_key: row for row in db.session.scalars(_PLANNED_UNDER, {"keys": list(timely)})}
    _retime([(row, timely[key]) for key, row in rows.items()])
    new = [plan for key, plan in timely.items() if key not in rows]
    if new:
        try:
            rows.update((row.dedupe_key, row) for row in _insert_rows(new, now=now))
        except IntegrityError:  # one of them planned at the same moment by another transaction
            rows.update((plan.key, _insert_or_read(plan, now=now)) for plan in new)
    return [rows[key] for key in timely]


# Built once, like every statement a text or a tap runs: the keys are a parameter.
_PLANNED_UNDER = select(OutboundMessage).where(OutboundMessage.dedupe_key.in_(bindparam("keys", expanding=True)))


def _retime(found: list[tuple[OutboundMessage, Wanted]]) -> None:
    """Rows already planned under the keys wanted: the pending or cancelled ones take the wanted
    window (pending again); what went or is going is left alone. One UPDATE for all of them."""
    changes = []
    for row, plan in found:
        if row.state not in (MessageState.PENDING, MessageState.CANCELLED):
            continue
        values = {"state": MessageState.PENDING, "not_before": plan.not_before, "send_before": plan.send_before,
                  "params": plan.params or {}}
        if any(getattr(row, name) != value for name, value in values.items()):
            changes.append((row, values))
    if not changes:
        return
    db.session.execute(update(OutboundMessage), [{"id": row.id, **values} for row, values in changes])
    for row, values in changes:  # the loaded rows say what the database now holds
        for name, value in values.items():
            set_committed_value(row, name, value)


def _insert_rows(plans: list[Wanted], *, now: datetime) -> list[OutboundMessage]:
    """Insert these rows in one statement, inside a savepoint (IntegrityError leaves none of them).
    Empty columns are written as NULL (`render_nulls`), so a family's row and a volunteer's, which
    leave different columns empty, still go in one INSERT."""
    with db.session.begin_nested():
        return list(db.session.scalars(_INSERT_ROWS, [_new_row(plan, now=now) for plan in plans]))


_INSERT_ROWS = insert(OutboundMessage).returning(OutboundMessage).execution_options(render_nulls=True)


def _insert_or_read(plan: Wanted, *, now: datetime) -> OutboundMessage:
    try:
        return _insert_rows([plan], now=now)[0]
    except IntegrityError:
        return db.session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == plan.key))


def _new_row(plan: Wanted, *, now: datetime) -> dict:
    if plan.family is not None:
        recipient_kind = RecipientKind.FAMILY
    elif plan.user.role == Role.VOLUNTEER:
        recipient_kind = RecipientKind.VOLUNTEER
    else:
        recipient_kind = RecipientKind.COORDINATOR
    return dict(
        # MessageKind(): a kind nobody words fails here, as the model's validator would (a bulk
        # INSERT does not run it), before it can be planned and lost.
        dedupe_key=plan.key, kind=MessageKind(plan.kind), recipient_kind=recipient_kind,
        family_id=plan.family.id if plan.family is not None else None,
        user_id=plan.user.id if plan.user is not None else None,
        appointment_id=plan.appointment_id, shift_id=plan.shift_id, params=plan.params or {},
        not_before=plan.not_before, send_before=plan.send_before, state=MessageState.PENDING, attempts=0,
        created_at=now,
    )


def cancelling(*conditions):
    """The UPDATE that cancels the pending rows matching `conditions` (which may hold bound
    parameters: the hot ones below are built once), keeping the loaded rows in step."""
    return (update(OutboundMessage).where(OutboundMessage.state == MessageState.PENDING, *conditions)
            .values(state=MessageState.CANCELLED).execution_options(synchronize_session="fetch"))


def cancel_pending(*conditions) -> int:
    """Cancel the pending rows matching `conditions`; returns how many."""
    return db.session.execute(cancelling(*conditions)).rowcount


_CANCEL_TO_FAMILIES = cancelling(OutboundMessage.family_id.in_(bindparam("family_ids", expanding=True)))
_CANCEL_TO_USERS = cancelling(OutboundMessage.user_id.in_(bindparam("user_ids", expanding=True)))
_CANCEL_FOR_CLAIM = cancelling(OutboundMessage.shift_id == bindparam("of_shift"),
                               OutboundMessage.user_id == bindparam("of_user"))


def cancel_to(*, family_ids: Sequence[int] = (), user_ids: Sequence[int] = ()) -> int:
    """Nothing more goes to these families and accounts: how many texts were cancelled. By their
    ids, so each cancel walks its recipient's index rather than every pending row."""
    cancelled = 0
    if family_ids:
        cancelled += db.session.execute(_CANCEL_TO_FAMILIES, {"family_ids": list(family_ids)}).rowcount
    if user_ids:
        cancelled += db.session.execute(_CANCEL_TO_USERS, {"user_ids": list(user_ids)}).rowcount
    return cancelled


def cancel_family_messages(family: Family) -> int:
    """Nothing more goes to this family (consent withdrawn, family closed, opted out)."""
    return cancel_to(family_ids=[family.id])


def cancel_user_messages(user: User) -> int:
    """Nothing more goes to this volunteer or coordinator (texts off, deactivated, opted out)."""
    return cancel_to(user_ids=[user.id])


def about_appointments(appointment_ids) -> ColumnElement[bool]:
    """Rows about these appointments (a list of ids, or a select of them) or one of their shifts."""
    shift_ids = select(Shift.id).where(Shift.appointment_id.in_(appointment_ids))
    return OutboundMessage.appointment_id.in_(appointment_ids) | OutboundMessage.shift_id.in_(shift_ids)


def cancel_appointment_messages(appointment: Appointment) -> int:
    """Cancel everything pending about an appointment and its shifts."""
    return cancel_pending(about_appointments([appointment.id]))


def cancel_shift_messages(shift: Shift) -> int:
    return cancel_pending(OutboundMessage.shift_id == shift.id)


def cancel_claim_messages(claim: Claim) -> int:
    return db.session.execute(_CANCEL_FOR_CLAIM, {"of_shift": claim.shift_id, "of_user": claim.volunteer_id}).rowcount


def stamp(moment: datetime) -> str:
    """A compact UTC time for dedupe keys: reminders about another time are other reminders."""
    return moment.strftime("%Y%m%dT%H%MZ")


def opted_out_numbers(phone_hashes: Iterable[str | None]) -> set[str]:
    """Which of these numbers (keyed hashes) said STOP and not START since: one query for all."""
    wanted = {phone_hash for phone_hash in phone_hashes if phone_hash}
    if not wanted:
        return set()
    return set(db.session.scalars(_OPTED_OUT_AMONG, {"phone_hashes": list(wanted)}))


_OPTED_OUT_AMONG = select(OptOut.phone_hash).where(OptOut.phone_hash.in_(bindparam("phone_hashes", expanding=True)),
                                                   OptOut.active.is_(True))
