"""What the outbox plans for families (DESIGN §6): the reminders before an appointment, the notices
about it (a volunteer confirmed, a new time, cancelled), and answers to what they texted. Never
to a family without SMS consent or whose number opted out, always in their daytime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, select

from accompany.database import db
from accompany.models import Appointment, AppointmentStatus, Claim, Family, MessageKind, OutboundMessage
from accompany.services.messaging.audience import (
    Timing,
    current_timing,
    family_hours,
    family_may_be_texted,
    family_timezone,
    fit_family_window,
    is_opted_out,
)
from accompany.services.messaging.planning import Wanted, plan_messages, plan_one, stamp
from accompany.timezones import from_local, to_local

# An answer to a family (their "1", a coordinator's reply) may wait this long: past the night, to
# their next morning, but no longer.
FAMILY_ANSWER_VALID_FOR = timedelta(hours=36)


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
    return plan_one(_family_notice(appointment, kind, now=now, key_suffix=key_suffix, params=params, timing=timing,
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
    return plan_one(volunteer_confirmed(claim, now=now), now=now)


def volunteer_confirmed(claim: Claim, *, now: datetime, timing: Timing | None = None) -> Wanted | None:
    """The row plan_volunteer_confirmed plans, to plan together with others (plan_claim_texts)."""
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
    return plan_one(family_text(key, kind, family, now=now, send_before=send_before, appointment=appointment,
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


