"""What the outbox plans for volunteers (DESIGN §6): a shift's texts from taking it to "starting
soon", the notices when it moves or is cancelled, and a bond obligor's reminder before each of
the bonded person's hearings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import select

from accompany.database import db
from accompany.models import (
    HEARING_KINDS,
    Appointment,
    AppointmentStatus,
    Bond,
    BondStatus,
    Claim,
    MessageKind,
    OutboundMessage,
)
from accompany.services.messaging.audience import (
    Timing,
    current_timing,
    family_may_be_texted,
    is_opted_out,
    org_timezone,
    staff_hours,
    user_may_be_texted,
)
from accompany.services.messaging.family_texts import volunteer_confirmed
from accompany.services.messaging.planning import (
    Wanted,
    cancel_pending,
    opted_out_numbers,
    plan_message,
    plan_messages,
    stamp,
)
from accompany.timezones import from_local, to_local


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
        wanted += [row for row in [volunteer_confirmed(claim, now=now, timing=timing)] if row is not None]
    return plan_messages(wanted, now=now)


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
