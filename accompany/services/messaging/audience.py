"""Who may be texted, and when: the timing the app is configured with, consent and opt-out,
and each recipient's texting hours (DESIGN §6). Planning (planning.py and the *_texts.py modules)
and sending (dispatch.py) both ask here, so a text is held to the same rules when it is planned
and when it goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam, exists, select

from accompany.database import db
from accompany.models import Family, OptOut, OutboundMessage, User, UserStatus
from accompany.services.messaging.quiet_hours import QuietHours
from accompany.timezones import from_local, to_local


@dataclass(frozen=True)
class Timing:
    """When texts go. Defaults follow DESIGN §6; each can be set in the app config."""

    family_reminder_days: tuple[int, ...] = (7, 3, 1)
    family_reminder_hour: int = 10  # local time of day for the N-day reminders
    family_window: tuple[time, time] = (time(8), time(20))  # family texts only inside, local
    family_window_margin: timedelta = timedelta(minutes=30)  # keep clear of the window's end
    family_last_call: timedelta = timedelta(hours=2)  # no reminder closer than this
    family_reminder_gap: timedelta = timedelta(hours=12)  # two reminders never closer together
    staff_window: tuple[time, time] = (time(7), time(21))  # volunteers and coordinators, org time
    volunteer_evening_hour: int = 19
    volunteer_soon: timedelta = timedelta(hours=2)
    volunteer_soon_least: timedelta = timedelta(hours=1)  # "starting soon" moved past the night


def current_timing() -> Timing:
    """The Timing the app is configured with."""
    config = current_app.config
    start, end = config["FAMILY_TEXT_HOURS"]
    staff_start, staff_end = config["STAFF_TEXT_HOURS"]
    return Timing(
        family_reminder_days=tuple(config["FAMILY_REMINDER_DAYS"]),
        family_reminder_hour=config["FAMILY_REMINDER_HOUR"],
        family_window=(time(start), time(end)),
        family_reminder_gap=timedelta(hours=config["FAMILY_REMINDER_MIN_GAP_HOURS"]),
        staff_window=(time(staff_start), time(staff_end)),
        volunteer_evening_hour=config["VOLUNTEER_EVENING_HOUR"],
        volunteer_soon=timedelta(minutes=config["VOLUNTEER_SOON_MINUTES"]),
    )


def org_timezone() -> str:
    return current_app.config["ORG_TIMEZONE"]


def org_today(now: datetime) -> date:
    """The organization's calendar day at `now` (deadlines and follow-up days are days there)."""
    return to_local(now, org_timezone()).date()


def family_timezone(family: Family) -> str:
    return family.timezone or org_timezone()


# -- who may be texted ---------------------------------------------------------------------------


def is_opted_out(phone_hash: str | None) -> bool:
    if not phone_hash:
        return True
    return bool(db.session.scalar(_OPTED_OUT, {"digest": phone_hash}))


_OPTED_OUT = select(exists().where(OptOut.phone_hash == bindparam("digest"), OptOut.active.is_(True)))


def family_may_be_texted(family: Family, *, opted_out: Callable[[str], bool] = is_opted_out) -> bool:
    """Consent, a number, an open record, no STOP. `opted_out`: how to ask about the number (the
    dispatcher answers from the opt-outs it read for its whole batch)."""
    return bool(
        family.sms_consent
        and family.phone_hash
        and family.closed_at is None
        and family.purged_at is None
        and not opted_out(family.phone_hash)
    )


def user_may_be_texted(user: User, *, opted_out: Callable[[str], bool] = is_opted_out) -> bool:
    """Texts on, a number, an active account, no STOP (`opted_out` as for a family)."""
    return bool(
        user.sms_opt_in
        and user.phone_hash
        and user.status == UserStatus.ACTIVE
        and not opted_out(user.phone_hash)
    )


# -- windows -------------------------------------------------------------------------------------


def family_hours(family: Family, timing: Timing) -> QuietHours:
    return QuietHours(*timing.family_window, family_timezone(family))


def staff_hours(timing: Timing) -> QuietHours:
    return QuietHours(*timing.staff_window, org_timezone())


def recipient_hours(row: OutboundMessage, timing: Timing | None = None) -> QuietHours | None:
    """The hours `row` may go in, or None for a kind that goes at any hour (see MessageKind)."""
    if row.kind.ignores_quiet_hours:
        return None
    timing = timing or current_timing()
    return family_hours(row.family, timing) if row.family is not None else staff_hours(timing)


def fit_family_window(
    moment: datetime, *, tz_name: str, now: datetime, send_before: datetime, timing: Timing
) -> datetime | None:
    """`moment` moved out of the family's quiet hours, or None if no decent time is left.

    A time inside quiet hours moves earlier, to the end of that day's window (less a margin).
    If that is already past, it moves later, to the next morning, provided that is still before
    `send_before`; otherwise the message is not planned.
    """
    moment = max(moment, now)
    opens, closes = timing.family_window
    local = to_local(moment, tz_name)
    if opens <= local.time() < closes:
        return moment
    evening_day = local.date() if local.time() >= closes else local.date() - timedelta(days=1)
    earlier = from_local(evening_day, closes, tz_name) - timing.family_window_margin
    if earlier >= now:
        return earlier
    morning_day = local.date() if local.time() < opens else local.date() + timedelta(days=1)
    later = from_local(morning_day, opens, tz_name)
    return later if later < send_before else None
