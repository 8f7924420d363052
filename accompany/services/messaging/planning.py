"""Planning the outbox: which texts a change means, to whom, and in which window (DESIGN §6).

Every function here writes or rewrites `OutboundMessage` rows in the caller's transaction and
sends nothing. A row's dedupe key names its subject, recipient and kind (and, for reminders,
the time they are about), so saving the same thing twice never plans twice; rescheduling cancels
the pending rows and plans new ones under new keys. Rows are never planned to a family without
SMS consent, to anyone without a phone, or to an opted-out number, and never when their window
has already closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from accompany.database import db
from accompany.models import (
    HEARING_KINDS,
    Appointment,
    AppointmentStatus,
    Bond,
    BondStatus,
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
    UserStatus,
)
from accompany.services.casework.needs import count_due_soon
from accompany.services.messaging.audience import (
    Timing,
    current_timing,
    family_hours,
    family_may_be_texted,
    family_timezone,
    fit_family_window,
    is_opted_out,
    org_timezone,
    org_today,
    staff_hours,
    user_may_be_texted,
)
from accompany.services.scheduling.overview import hearings_to_verify, unfilled_slots_soon
from accompany.timezones import from_local, to_local

# An answer to a family (their "1", a coordinator's reply) may wait this long: past the night, to
# their next morning, but no longer.
FAMILY_ANSWER_VALID_FOR = timedelta(hours=36)


# -- rows ----------------------------------------------------------------------------------------


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
    return _plan_one(Wanted(
        key, kind, not_before, send_before, family=family, user=user,
        appointment_id=appointment.id if appointment is not None else None,
        shift_id=shift.id if shift is not None else None, params=params,
    ), now=now)


def _plan_one(wanted: Wanted | None, *, now: datetime) -> OutboundMessage | None:
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


# -- families --------------------------------------------------------------------------------------


def plan_family_reminders(
    appointment: Appointment, *, now: datetime, timing: Timing | None = None, after: datetime | None = None
) -> list[OutboundMessage]:
    """The 7/3/1-day reminders for the family, in their daytime, never two closer than the gap.

    Saved too late for one of them (its time has passed), the family gets one "coming up" text
    at the first moment their hours allow before the appointment, then the rest of the cadence
    from at least the gap later. A reminder that would go no later than the gap after `after` is
    left out: a notice going then (the new time of a rescheduled appointment) says all it would.
    """
    return plan_family_reminders_for([appointment], now=now, timing=timing, after=after)


def plan_family_reminders_for(
    appointments: list[Appointment], *, now: datetime, timing: Timing | None = None, after: datetime | None = None,
    opted_out: Callable[[str], bool] = is_opted_out,
) -> list[OutboundMessage]:
    """plan_family_reminders for several appointments at once (a START plans every one ahead
    again), in a fixed number of statements however many: each family asked once whether it may
    be texted (`opted_out`: how to ask about its number, when the caller knows), one look-up of
    the reminders already sent, one plan_messages for all their rows."""
    timing = timing or current_timing()
    texted: dict[int, bool] = {}  # family id: may be texted
    ahead = []
    for appointment in appointments:
        family = appointment.family
        if appointment.status != AppointmentStatus.SCHEDULED:
            continue
        if family.id not in texted:
            texted[family.id] = family_may_be_texted(family, opted_out=opted_out)
        if texted[family.id]:
            ahead.append(appointment)
    if not ahead:
        return []
    sent = _last_reminders_sent(ahead)
    # The last text each family has had or will have about this time: a reminder sent before this
    # plan (START after STOP plans again), or the notice going out with it.
    return plan_messages([
        row for appointment in ahead
        for row in _family_reminders(appointment, now=now, timing=timing,
                                     last=max(filter(None, [after, sent.get(appointment.id)]), default=None))
    ], now=now)


def _reminder_key_base(appointment: Appointment) -> str:
    return f"appt:{appointment.id}@{stamp(appointment.starts_at)}:family:"


def _family_reminders(appointment: Appointment, *, now: datetime, timing: Timing,
                      last: datetime | None) -> list[Wanted]:
    """The rows plan_family_reminders wants for `appointment`, given the `last` text about its time."""
    family = appointment.family
    tz_name = family_timezone(family)
    base = _reminder_key_base(appointment)
    local_day = to_local(appointment.starts_at, tz_name).date()
    last_call = appointment.starts_at - timing.family_last_call
    days = sorted(timing.family_reminder_days, reverse=True)
    opens = [
        from_local(local_day - timedelta(days=d), time(timing.family_reminder_hour), tz_name)
        for d in days
    ]
    missed = [d for d, opening in zip(days, opens, strict=False) if opening < now]
    coming_up = None
    if missed and last is None:
        first_moment = family_hours(family, timing).next_opening(now)
        if first_moment < appointment.starts_at:
            coming_up = last = first_moment
    cadence = []
    for index, d in enumerate(days):
        if d in missed:
            continue
        closes = min(opens[index + 1], last_call) if index + 1 < len(days) else last_call
        at = fit_family_window(opens[index], tz_name=tz_name, now=now, send_before=closes, timing=timing)
        if at is None or (last is not None and at < last + timing.family_reminder_gap):
            continue
        cadence.append((d, at, closes))
        last = at
    wanted = []
    if coming_up is not None:
        # Closes when the next reminder opens, so a late send never makes two at once.
        closes = cadence[0][1] if cadence else appointment.starts_at
        wanted.append(Wanted(f"{base}coming_up", MessageKind.family_reminder(min(missed)), coming_up, closes,
                             family=family, appointment_id=appointment.id, params={"days": min(missed)}))
    for d, at, closes in cadence:
        wanted.append(Wanted(f"{base}reminder_{d}d", MessageKind.family_reminder(d), at, closes,
                             family=family, appointment_id=appointment.id, params={"days": d}))
    return wanted


def _last_reminders_sent(appointments: list[Appointment]) -> dict[int, datetime]:
    """When the last reminder about each appointment's present time went out (by appointment id;
    none for one that has had none), in one query on the outbox's appointment index."""
    bases = {appointment.id: _reminder_key_base(appointment) for appointment in appointments}
    last: dict[int, datetime] = {}
    sent = db.session.execute(_REMINDERS_SENT, {"appointment_ids": list(bases)})
    for appointment_id, key, sent_at in sent:
        if key.startswith(bases[appointment_id]) and (appointment_id not in last or sent_at > last[appointment_id]):
            last[appointment_id] = sent_at
    return last


_REMINDERS_SENT = select(OutboundMessage.appointment_id, OutboundMessage.dedupe_key, OutboundMessage.sent_at).where(
    OutboundMessage.appointment_id.in_(bindparam("appointment_ids", expanding=True)),
    OutboundMessage.sent_at.is_not(None),
    OutboundMessage.kind.like(f"{MessageKind.FAMILY_REMINDER}_%d"),
)


def plan_family_notice(
    appointment: Appointment, kind: MessageKind, *, now: datetime, key_suffix: str = "",
    params: dict | None = None, timing: Timing | None = None, send_before: datetime | None = None,
) -> OutboundMessage | None:
    """One notice to the family about `appointment` (volunteer confirmed, rescheduled, cancelled),
    sent before the appointment (or before `send_before`, when that is sooner)."""
    if not family_may_be_texted(appointment.family):
        return None
    return _plan_one(_family_notice(appointment, kind, now=now, key_suffix=key_suffix, params=params, timing=timing,
                                    send_before=send_before), now=now)


def _family_notice(
    appointment: Appointment, kind: MessageKind, *, now: datetime, key_suffix: str = "",
    params: dict | None = None, timing: Timing | None = None, send_before: datetime | None = None,
) -> Wanted | None:
    send_before = min(send_before or appointment.starts_at, appointment.starts_at)
    if kind == MessageKind.FAMILY_CANCELLED:
        send_before = max(appointment.starts_at, now + timedelta(hours=1))
    return _family_text(
        f"appt:{appointment.id}@{stamp(appointment.starts_at)}:family:{kind}{key_suffix}", kind, appointment.family,
        now=now, send_before=send_before, appointment_id=appointment.id, params=params, timing=timing,
    )


def plan_volunteer_confirmed(claim: Claim, *, now: datetime) -> OutboundMessage | None:
    """Tell the family that a volunteer holds a shift of their appointment ("Ana from our team will
    pick you up at 7:45 AM"): one text per volunteer and appointment time, gone before the shift
    begins (a pickup time told after the pickup is no use)."""
    if not family_may_be_texted(claim.shift.appointment.family):
        return None
    return _plan_one(_volunteer_confirmed(claim, now=now), now=now)


def _volunteer_confirmed(claim: Claim, *, now: datetime, timing: Timing | None = None) -> Wanted | None:
    volunteer_id = claim.volunteer_id
    return _family_notice(
        claim.shift.appointment, MessageKind.FAMILY_VOLUNTEER_CONFIRMED, now=now, key_suffix=f":{volunteer_id}",
        params={"volunteer_id": volunteer_id}, send_before=claim.shift.starts_at, timing=timing,
    )


def answer_deadline(now: datetime, appointment: Appointment | None = None) -> datetime:
    """How long an answer to a family may wait: to their next morning, never past the appointment."""
    deadline = now + FAMILY_ANSWER_VALID_FOR
    return min(deadline, appointment.starts_at) if appointment is not None else deadline


def plan_family_text(
    key: str, kind: MessageKind, family: Family, *, now: datetime, send_before: datetime,
    appointment: Appointment | None = None, params: dict | None = None, timing: Timing | None = None,
) -> OutboundMessage | None:
    """A text to `family` from now on, in their daytime (their next morning when it is night there).

    None when the family may not be texted, or no daytime moment comes before `send_before`.
    """
    return _plan_one(family_text(key, kind, family, now=now, send_before=send_before, appointment=appointment,
                                 params=params, timing=timing), now=now)


def family_text(
    key: str, kind: MessageKind, family: Family, *, now: datetime, send_before: datetime,
    appointment: Appointment | None = None, params: dict | None = None, timing: Timing | None = None,
) -> Wanted | None:
    """The row plan_family_text plans, to plan together with others (plan_messages); None as there."""
    if not family_may_be_texted(family):
        return None
    return _family_text(key, kind, family, now=now, send_before=send_before,
                        appointment_id=appointment.id if appointment is not None else None, params=params,
                        timing=timing)


def _family_text(
    key: str, kind: MessageKind, family: Family, *, now: datetime, send_before: datetime,
    appointment_id: int | None = None, params: dict | None = None, timing: Timing | None = None,
) -> Wanted | None:
    at = fit_family_window(now, tz_name=family_timezone(family), now=now, send_before=send_before,
                           timing=timing or current_timing())
    if at is None:
        return None
    return Wanted(key, kind, at, send_before, family=family, appointment_id=appointment_id, params=params)


# -- volunteers ------------------------------------------------------------------------------------


def plan_volunteer_reminders(
    claim: Claim, *, now: datetime, timing: Timing | None = None, announce: bool = True
) -> list[OutboundMessage]:
    """On claiming (unless not `announce`), the evening before, and shortly before the shift.

    "Starting soon" keeps to the volunteer's hours: when it would fall in their night it goes when
    they open, if that still leaves `volunteer_soon_least` before the shift; else the evening-before
    text is the last (no "starting soon" at 04:30 for a 06:30 pickup)."""
    return plan_volunteer_reminders_for([claim], now=now, timing=timing, announce=announce)


def plan_volunteer_reminders_for(
    claims: list[Claim], *, now: datetime, timing: Timing | None = None, announce: bool = True,
    opted_out: Callable[[str], bool] = is_opted_out,
) -> list[OutboundMessage]:
    """plan_volunteer_reminders for several claims at once (a START plans every shift ahead
    again), in a fixed number of statements however many: each volunteer asked once whether they
    may be texted (`opted_out`: how to ask about their number, when the caller knows), one
    plan_messages for all their rows. Expects each claim's shift loaded (else one query each)."""
    timing = timing or current_timing()
    texted: dict[int, bool] = {}  # volunteer id: may be texted
    wanted = []
    for claim in claims:
        volunteer = claim.volunteer
        if volunteer.id not in texted:
            texted[volunteer.id] = user_may_be_texted(volunteer, opted_out=opted_out)
        if texted[volunteer.id]:
            wanted += _volunteer_reminders(claim, now=now, timing=timing, announce=announce)
    return plan_messages(wanted, now=now)


def plan_claim_texts(claim: Claim, *, now: datetime) -> list[OutboundMessage]:
    """What taking a slot plans: the volunteer's reminders (plan_volunteer_reminders) and the
    family's "a volunteer is confirmed" (plan_volunteer_confirmed), together: one look-up of the
    two numbers' opt-outs, one plan_messages."""
    volunteer, appointment = claim.volunteer, claim.shift.appointment
    family = appointment.family
    blocked = opted_out_numbers([volunteer.phone_hash, family.phone_hash]).__contains__
    timing = current_timing()
    wanted = []
    if user_may_be_texted(volunteer, opted_out=blocked):
        wanted += _volunteer_reminders(claim, now=now, timing=timing, announce=True)
    if family_may_be_texted(family, opted_out=blocked):
        wanted += [row for row in [_volunteer_confirmed(claim, now=now, timing=timing)] if row is not None]
    return plan_messages(wanted, now=now)


def opted_out_numbers(phone_hashes: Iterable[str | None]) -> set[str]:
    """Which of these numbers (keyed hashes) said STOP and not START since: one query for all."""
    wanted = {phone_hash for phone_hash in phone_hashes if phone_hash}
    if not wanted:
        return set()
    return set(db.session.scalars(_OPTED_OUT_AMONG, {"phone_hashes": list(wanted)}))


_OPTED_OUT_AMONG = select(OptOut.phone_hash).where(OptOut.phone_hash.in_(bindparam("phone_hashes", expanding=True)),
                                                   OptOut.active.is_(True))


def _volunteer_reminders(claim: Claim, *, now: datetime, timing: Timing, announce: bool) -> list[Wanted]:
    """The rows plan_volunteer_reminders wants for `claim`."""
    shift, volunteer = claim.shift, claim.volunteer
    base = f"shift:{shift.id}@{stamp(shift.starts_at)}:user:{volunteer.id}"
    local_start = to_local(shift.starts_at, org_timezone())
    evening = from_local(local_start.date() - timedelta(days=1), time(timing.volunteer_evening_hour), org_timezone())
    soon = staff_hours(timing).next_opening(shift.starts_at - timing.volunteer_soon)
    wanted = [
        *([(MessageKind.VOLUNTEER_CLAIMED, now, shift.starts_at)] if announce else []),
        (MessageKind.VOLUNTEER_EVENING_BEFORE, evening, shift.starts_at - timing.volunteer_soon),
        (MessageKind.VOLUNTEER_SOON, soon, shift.starts_at),
    ]
    rows = []
    for kind, not_before, send_before in wanted:
        if kind == MessageKind.VOLUNTEER_EVENING_BEFORE and not_before < now:
            continue  # claimed after the evening before: the claim text says it all
        if kind == MessageKind.VOLUNTEER_SOON and not_before > shift.starts_at - timing.volunteer_soon_least:
            continue  # too close once their night is over
        rows.append(Wanted(f"{base}:{kind}", kind, not_before, send_before, user=volunteer, shift_id=shift.id,
                           appointment_id=shift.appointment_id))
    return rows


def plan_volunteer_notice(
    claim: Claim, kind: MessageKind, *, now: datetime, send_before: datetime, params: dict | None = None
) -> OutboundMessage | None:
    """One notice to a volunteer about their shift (rescheduled, cancelled)."""
    shift, volunteer = claim.shift, claim.volunteer
    if not user_may_be_texted(volunteer):
        return None
    return plan_message(
        f"shift:{shift.id}@{stamp(shift.starts_at)}:user:{volunteer.id}:{kind}",
        kind=kind, now=now, not_before=now, send_before=send_before,
        user=volunteer, shift=shift, appointment=shift.appointment, params=params,
    )


def plan_moved_claim(claim: Claim, *, now: datetime) -> None:
    """The shift `claim` holds has a new time (its appointment was rescheduled, or the shift was
    moved): the volunteer is told the new time and reminded before it; never thanked again."""
    plan_volunteer_reminders(claim, now=now, announce=False)
    plan_volunteer_notice(claim, MessageKind.VOLUNTEER_RESCHEDULED, now=now, send_before=claim.shift.starts_at)


# -- coordinators ----------------------------------------------------------------------------------


_STAFF_WHO_TAKE_TEXTS = select(User).options(lazyload(User.languages)).where(
    User.role.in_([Role.COORDINATOR, Role.ADMIN]),
    User.status == UserStatus.ACTIVE,
    User.sms_opt_in.is_(True),
    User.phone_hash.is_not(None),
    ~exists().where(OptOut.phone_hash == User.phone_hash, OptOut.active.is_(True)),
)


def alert_coordinators(
    kind: MessageKind, key: str, *, now: datetime, appointment: Appointment | None = None,
    shift: Shift | None = None, params: dict | None = None, valid_for: timedelta = timedelta(hours=12),
) -> list[OutboundMessage]:
    """One alert per active coordinator and admin who takes texts (three statements however many)."""
    return plan_messages(coordinator_alerts(kind, key, now=now, appointment=appointment, shift=shift, params=params,
                                            valid_for=valid_for), now=now)


def coordinator_alerts(
    kind: MessageKind, key: str, *, now: datetime, appointment: Appointment | None = None,
    shift: Shift | None = None, params: dict | None = None, valid_for: timedelta = timedelta(hours=12),
) -> list[Wanted]:
    """The rows alert_coordinators plans (one query), to plan together with others."""
    return [
        Wanted(f"{key}:user:{coordinator.id}:{kind}", kind, now, now + valid_for, user=coordinator,
               appointment_id=appointment.id if appointment is not None else None,
               shift_id=shift.id if shift is not None else None, params=params)
        for coordinator in db.session.scalars(_STAFF_WHO_TAKE_TEXTS)
    ]


def plan_unfilled_digest(*, now: datetime, unfilled: int | None = None, hour: int = 8) -> list[OutboundMessage]:
    """Once a day, from `hour` local time: one text per coordinator when slots within 72 hours
    are still open, hearing dates are due to be verified, or families' needs are due this week or
    overdue. The dedupe key is the local date;
    once the day's digest exists (sent, cancelled by a coordinator, or waiting on a retry) it is
    left alone."""
    local = to_local(now, org_timezone())
    if local.hour < hour:
        return []
    key = f"digest:unfilled:{local.date().isoformat()}"
    if db.session.scalar(select(exists().where(OutboundMessage.dedupe_key.startswith(f"{key}:")))):
        return []
    if unfilled is None:
        unfilled = unfilled_slots_soon(now=now)
    if (unfilled <= 0 and not hearings_to_verify(now=now, days=current_app.config["HEARING_VERIFY_DAYS"])
            and not count_due_soon(today=org_today(now))):
        return []
    return alert_coordinators(MessageKind.COORDINATOR_UNFILLED_DIGEST, key, now=now, valid_for=timedelta(hours=10))


# -- bond obligors (casework) ----------------------------------------------------------------------

# The bond stands (the obligor must see that the person goes to every hearing) in these stages;
# before it is paid the text is planned and waits, and facts.py says nothing if it is still unpaid.
OBLIGOR_BOUND = (BondStatus.REQUESTED, BondStatus.RAISING, BondStatus.PAID, BondStatus.RELEASED, BondStatus.ONGOING)
OBLIGOR_DAYS_BEFORE = 2  # the evening two days before the hearing: time to check in with the person


def _bond_key(bond: Bond) -> str:
    return f"bond:{bond.id}:"


def plan_obligor_reminders(bond: Bond, *, now: datetime, timing: Timing | None = None) -> list[OutboundMessage]:
    """A text to the bond's volunteer obligor before each hearing ahead of the bonded person's family."""
    if bond.obligor is None or bond.status not in OBLIGOR_BOUND:
        return []
    hearings = db.session.scalars(
        select(Appointment).where(
            Appointment.family_id == bond.family_id, Appointment.kind.in_(HEARING_KINDS),
            Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at > now,
        )
    )
    planned = [_plan_obligor_hearing(bond, hearing, now=now, timing=timing) for hearing in hearings]
    return [row for row in planned if row is not None]


def plan_obligor_reminders_for(appointment: Appointment, *, now: datetime) -> list[OutboundMessage]:
    """A hearing was saved or moved: each standing bond of its family with a volunteer obligor gets its text."""
    if appointment.kind not in HEARING_KINDS or appointment.status != AppointmentStatus.SCHEDULED:
        return []
    bonds = db.session.scalars(
        select(Bond).where(Bond.family_id == appointment.family_id, Bond.obligor_id.is_not(None),
                           Bond.status.in_(OBLIGOR_BOUND))
    )
    planned = [_plan_obligor_hearing(bond, appointment, now=now) for bond in bonds]
    return [row for row in planned if row is not None]


def _plan_obligor_hearing(bond: Bond, hearing: Appointment, *, now: datetime,
                          timing: Timing | None = None) -> OutboundMessage | None:
    obligor = bond.obligor
    if obligor is None or not user_may_be_texted(obligor) or hearing.starts_at <= now:
        return None
    timing = timing or current_timing()
    day = to_local(hearing.starts_at, org_timezone()).date() - timedelta(days=OBLIGOR_DAYS_BEFORE)
    evening = from_local(day, time(timing.volunteer_evening_hour), org_timezone())
    kind = MessageKind.VOLUNTEER_OBLIGOR_HEARING
    return plan_message(
        f"{_bond_key(bond)}appt:{hearing.id}@{stamp(hearing.starts_at)}:user:{obligor.id}:{kind}", kind=kind,
        now=now, not_before=staff_hours(timing).next_opening(max(evening, now)), send_before=hearing.starts_at,
        user=obligor, appointment=hearing, params={"bond_id": bond.id},
    )


def cancel_bond_messages(bond: Bond) -> int:
    """The bond ended (or its obligor changed): its obligor's texts stop."""
    return cancel_pending(OutboundMessage.dedupe_key.startswith(_bond_key(bond)))
