"""Planning the outbox: which texts a change means, to whom, and in which window (DESIGN §6).

Every function here writes or rewrites `OutboundMessage` rows in the caller's transaction and
sends nothing. A row's dedupe key names its subject, recipient and kind (and, for reminders,
the time they are about), so saving the same thing twice never plans twice; rescheduling cancels
the pending rows and plans new ones under new keys. Rows are never planned to a family without
SMS consent, to anyone without a phone, or to an opted-out number, and never when their window
has already closed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
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
    not_before = max(not_before, now)
    if send_before <= not_before:
        return None
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == key))
    if row is not None:
        if row.state in (MessageState.PENDING, MessageState.CANCELLED):
            row.state = MessageState.PENDING
            row.not_before, row.send_before = not_before, send_before
            row.params = params or {}
        return row
    if family is not None:
        recipient_kind = RecipientKind.FAMILY
    elif user.role == Role.VOLUNTEER:
        recipient_kind = RecipientKind.VOLUNTEER
    else:
        recipient_kind = RecipientKind.COORDINATOR
    row = OutboundMessage(
        dedupe_key=key,
        kind=kind,
        recipient_kind=recipient_kind,
        family=family,
        user=user,
        appointment_id=appointment.id if appointment is not None else None,
        shift_id=shift.id if shift is not None else None,
        params=params or {},
        not_before=not_before,
        send_before=send_before,
        state=MessageState.PENDING,
        attempts=0,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # planned at the same moment by another transaction
        return db.session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == key))
    return row


def cancel_pending(*conditions) -> int:
    """Cancel the pending rows matching `conditions`; returns how many."""
    result = db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.state == MessageState.PENDING, *conditions)
        .values(state=MessageState.CANCELLED)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def cancel_family_messages(family: Family) -> int:
    """Nothing more goes to this family (consent withdrawn, family closed, opted out)."""
    return cancel_pending(OutboundMessage.family_id == family.id)


def cancel_user_messages(user: User) -> int:
    """Nothing more goes to this volunteer or coordinator (texts off, deactivated, opted out)."""
    return cancel_pending(OutboundMessage.user_id == user.id)


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
    return cancel_pending(
        OutboundMessage.shift_id == claim.shift_id, OutboundMessage.user_id == claim.volunteer_id
    )


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
    timing = timing or current_timing()
    family = appointment.family
    if appointment.status != AppointmentStatus.SCHEDULED or not family_may_be_texted(family):
        return []
    tz_name = family_timezone(family)
    base = f"appt:{appointment.id}@{stamp(appointment.starts_at)}:family:"
    local_day = to_local(appointment.starts_at, tz_name).date()
    last_call = appointment.starts_at - timing.family_last_call
    days = sorted(timing.family_reminder_days, reverse=True)
    opens = [
        from_local(local_day - timedelta(days=d), time(timing.family_reminder_hour), tz_name)
        for d in days
    ]
    # The last text this family has had or will have about this time: a reminder sent before this
    # plan (START after STOP plans again), or the notice going out with it.
    last = max(filter(None, [after, _last_reminder_sent(base)]), default=None)
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
    planned = []
    if coming_up is not None:
        # Closes when the next reminder opens, so a late send never makes two at once.
        closes = cadence[0][1] if cadence else appointment.starts_at
        planned.append(plan_message(
            f"{base}coming_up", kind=MessageKind.family_reminder(min(missed)), now=now, not_before=coming_up,
            send_before=closes, family=family, appointment=appointment, params={"days": min(missed)},
        ))
    for d, at, closes in cadence:
        planned.append(plan_message(
            f"{base}reminder_{d}d", kind=MessageKind.family_reminder(d), now=now, not_before=at,
            send_before=closes, family=family, appointment=appointment, params={"days": d},
        ))
    return [row for row in planned if row is not None]


def _last_reminder_sent(key_base: str) -> datetime | None:
    """When the last reminder planned under `key_base` (one appointment time) went out."""
    return db.session.scalar(
        select(func.max(OutboundMessage.sent_at)).where(
            OutboundMessage.dedupe_key.startswith(key_base),
            OutboundMessage.kind.like(f"{MessageKind.FAMILY_REMINDER}_%d"),
        )
    )


def plan_family_notice(
    appointment: Appointment, kind: MessageKind, *, now: datetime, key_suffix: str = "",
    params: dict | None = None, timing: Timing | None = None, send_before: datetime | None = None,
) -> OutboundMessage | None:
    """One notice to the family about `appointment` (volunteer confirmed, rescheduled, cancelled),
    sent before the appointment (or before `send_before`, when that is sooner)."""
    send_before = min(send_before or appointment.starts_at, appointment.starts_at)
    if kind == MessageKind.FAMILY_CANCELLED:
        send_before = max(appointment.starts_at, now + timedelta(hours=1))
    return plan_family_text(
        f"appt:{appointment.id}@{stamp(appointment.starts_at)}:family:{kind}{key_suffix}", kind, appointment.family,
        now=now, send_before=send_before, appointment=appointment, params=params, timing=timing,
    )


def plan_volunteer_confirmed(claim: Claim, *, now: datetime) -> OutboundMessage | None:
    """Tell the family that a volunteer holds a shift of their appointment ("Ana from our team will
    pick you up at 7:45 AM"): one text per volunteer and appointment time, gone before the shift
    begins (a pickup time told after the pickup is no use)."""
    volunteer_id = claim.volunteer_id
    return plan_family_notice(
        claim.shift.appointment, MessageKind.FAMILY_VOLUNTEER_CONFIRMED, now=now,
        key_suffix=f":{volunteer_id}", params={"volunteer_id": volunteer_id}, send_before=claim.shift.starts_at,
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
    if not family_may_be_texted(family):
        return None
    at = fit_family_window(now, tz_name=family_timezone(family), now=now, send_before=send_before,
                           timing=timing or current_timing())
    if at is None:
        return None
    return plan_message(key, kind=kind, now=now, not_before=at, send_before=send_before,
                        family=family, appointment=appointment, params=params)


# -- volunteers ------------------------------------------------------------------------------------


def plan_volunteer_reminders(
    claim: Claim, *, now: datetime, timing: Timing | None = None, announce: bool = True
) -> list[OutboundMessage]:
    """On claiming (unless not `announce`), the evening before, and shortly before the shift.

    "Starting soon" keeps to the volunteer's hours: when it would fall in their night it goes when
    they open, if that still leaves `volunteer_soon_least` before the shift; else the evening-before
    text is the last (no "starting soon" at 04:30 for a 06:30 pickup)."""
    timing = timing or current_timing()
    shift, volunteer = claim.shift, claim.volunteer
    if not user_may_be_texted(volunteer):
        return []
    base = f"shift:{shift.id}@{stamp(shift.starts_at)}:user:{volunteer.id}"
    local_start = to_local(shift.starts_at, org_timezone())
    evening = from_local(local_start.date() - timedelta(days=1), time(timing.volunteer_evening_hour), org_timezone())
    soon = staff_hours(timing).next_opening(shift.starts_at - timing.volunteer_soon)
    wanted = [
        *([(MessageKind.VOLUNTEER_CLAIMED, now, shift.starts_at)] if announce else []),
        (MessageKind.VOLUNTEER_EVENING_BEFORE, evening, shift.starts_at - timing.volunteer_soon),
        (MessageKind.VOLUNTEER_SOON, soon, shift.starts_at),
    ]
    planned = []
    for kind, not_before, send_before in wanted:
        if kind == MessageKind.VOLUNTEER_EVENING_BEFORE and not_before < now:
            continue  # claimed after the evening before: the claim text says it all
        if kind == MessageKind.VOLUNTEER_SOON and not_before > shift.starts_at - timing.volunteer_soon_least:
            continue  # too close once their night is over
        row = plan_message(
            f"{base}:{kind}", kind=kind, now=now, not_before=not_before, send_before=send_before,
            user=volunteer, shift=shift, appointment=shift.appointment,
        )
        if row is not None:
            planned.append(row)
    return planned


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


def alert_coordinators(
    kind: MessageKind, key: str, *, now: datetime, appointment: Appointment | None = None,
    shift: Shift | None = None, params: dict | None = None, valid_for: timedelta = timedelta(hours=12),
) -> list[OutboundMessage]:
    """One alert per active coordinator and admin who takes texts."""
    staff = db.session.scalars(
        select(User).where(
            User.role.in_([Role.COORDINATOR, Role.ADMIN]),
            User.status == UserStatus.ACTIVE,
            User.sms_opt_in.is_(True),
            User.phone_hash.is_not(None),
            ~exists().where(OptOut.phone_hash == User.phone_hash, OptOut.active.is_(True)),
        )
    )
    planned = []
    for coordinator in staff:
        row = plan_message(
            f"{key}:user:{coordinator.id}:{kind}", kind=kind, now=now, not_before=now,
            send_before=now + valid_for, user=coordinator, appointment=appointment, shift=shift,
            params=params,
        )
        if row is not None:
            planned.append(row)
    return planned


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
