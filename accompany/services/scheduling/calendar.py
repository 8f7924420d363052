"""A volunteer's private calendar feed: the link's secret token and the iCalendar it serves.

The feed is fetched by calendar apps without a session, so the token in its URL is the only
key. It is random (from `secrets`), only an active volunteer's token opens a feed, and resetting
it makes the old link stop working. The feed says where and when to be and links to the shift's
page; it never holds a family's name or phone number (DESIGN §4), and meeting details only
while the volunteer may still see them (DESIGN §3).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, lazyload, selectinload

from accompany.database import db, set_once
from accompany.marks import N_
from accompany.models import (
    Appointment,
    AppointmentStatus,
    Claim,
    Family,
    Role,
    Shift,
    ShiftRole,
    User,
    UserStatus,
)
from accompany.services.errors import DomainError
from accompany.services.privacy.access import HOLDER_ACCESS_AFTER, may_use_board
from accompany.services.privacy.audit import record_event
from accompany.services.privacy.redaction import scrub_free_text

TOKEN_BYTES = 32  # 43 url-safe characters
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")

# The feed starts this long ago, so a shift from last week is still in the phone's calendar.
FEED_HISTORY = timedelta(days=30)

# Appointments whose shifts are in the feed, and how each shows. Drafts (dates still to be
# reviewed) are left out; a closed appointment happened, so its shifts stay.
FEED_STATUSES = {
    AppointmentStatus.SCHEDULED: "CONFIRMED",
    AppointmentStatus.CLOSED: "CONFIRMED",
    AppointmentStatus.CANCELLED: "CANCELLED",
}

PRODUCT_ID = "-//Accompany//Volunteer shifts//EN"

# Seven or more digits, however punctuated: a phone number someone typed into free text.
class CalendarNotAvailable(DomainError):
    message = N_("The calendar link is for approved volunteers.")


# -- the link ------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def ensure_calendar_token(user: User, *, now: datetime) -> str:
    """The volunteer's feed token, made on first use (once, even when the page opens twice at once)."""
    if not may_use_board(user):
        raise CalendarNotAvailable()
    if user.calendar_token is None and set_once(user, "calendar_token", new_token()):
        record_event("calendar.link_created", now=now, actor=user, subject=user)
        db.session.flush()
    return user.calendar_token


class CalendarLinkAlreadyReset(DomainError):
    message = N_("Your calendar link was reset a moment ago (the button was pressed twice?): the link below is the new one.")


def link_mark(token: str | None) -> str:
    """A short fingerprint of a feed token: the reset button says which link it resets with it."""
    return hashlib.sha256((token or "").encode()).hexdigest()[:16]


def reset_calendar_token(user: User, *, now: datetime, seen: str | None = None) -> str:
    """Give the volunteer a new feed token; the old link stops working.

    `seen` is the `link_mark` of the link the page showed: when that link is no longer the one in
    use, this reset was done already (a double tap) and CalendarLinkAlreadyReset leaves it alone.
    """
    if not may_use_board(user):
        raise CalendarNotAvailable()
    if seen is not None and seen != link_mark(user.calendar_token):
        raise CalendarLinkAlreadyReset()
    user.calendar_token = new_token()
    record_event("calendar.link_reset", now=now, actor=user, subject=user)
    db.session.flush()
    return user.calendar_token


def feed_owner(token: str) -> User | None:
    """The active volunteer whose feed `token` opens, or None.

    A malformed token is turned away before the database is asked; a well-formed one is found
    through the column's unique index rather than compared character by character here, so the
    answer's timing says nothing about how nearly a guess matched (and a 256-bit token cannot be
    guessed anyway).
    """
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return db.session.scalar(
        select(User).where(
            User.calendar_token == token,
            User.role == Role.VOLUNTEER,
            User.status == UserStatus.ACTIVE,
        )
        .options(lazyload(User.languages))  # the feed has no use for them
    )


# -- the feed ------------------------------------------------------------------------------------


def feed_shifts(volunteer: User, *, now: datetime) -> list[Shift]:
    """The shifts `volunteer` holds from FEED_HISTORY ago onward, with what the feed shows.

    Three queries however many shifts: the shifts with their appointments, then the locations,
    then the families' names (read only to keep them out of free text, see `scrub_free_text`).
    """
    return list(
        db.session.scalars(
            select(Shift)
            .join(Claim, Claim.shift_id == Shift.id)
            .join(Shift.appointment)
            .where(
                Claim.volunteer_id == volunteer.id,
                Shift.starts_at >= now - FEED_HISTORY,
                Appointment.status.in_(list(FEED_STATUSES)),
            )
            .options(
                contains_eager(Shift.appointment).options(
                    selectinload(Appointment.location),
                    selectinload(Appointment.family).load_only(Family.id, Family.name),
                )
            )
            .order_by(Shift.starts_at, Shift.id)
        )
    )


def build_feed(
    shifts: list[Shift],
    *,
    now: datetime,
    host: str,
    link_for: Callable[[Shift], str],
    past_link: str,
    calendar_name: str = "Accompany shifts",
) -> bytes:
    """The iCalendar (RFC 5545) text for `shifts`: one event each, times in UTC.

    `host` makes each event's UID (stable per shift, so a phone updates an event rather than
    adding a second one). `link_for` gives the link to the shift's page while the volunteer
    may see it; after that the event links to `past_link` (their list of shifts).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_name)
    # Hints for how often to fetch again (Apple and Outlook read the second, others the first).
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for shift in shifts:
        link = link_for(shift) if details_open(shift, now=now) else past_link
        calendar.add_component(_event(shift, now=now, host=host, link=link))
    return calendar.to_ical()


def details_open(shift: Shift, *, now: datetime) -> bool:
    """Whether the holder may still see the shift's meeting details (DESIGN §3)."""
    return shift.appointment.starts_at > now - HOLDER_ACCESS_AFTER


def _event(shift: Shift, *, now: datetime, host: str, link: str) -> Event:
    appointment = shift.appointment
    location = appointment.location
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    meeting_point = ""
    if details_open(shift, now=now):
        meeting_point = scrub_free_text(shift.meeting_point, appointment.family.name if appointment.family else None)
    place = ", ".join(part for part in (location.name, location.address) if part)

    event = Event()
    event.add("uid", f"shift-{shift.id}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", f"Accompany: {shift.role.label}" + (" (cancelled)" if cancelled else ""))
    if shift.role == ShiftRole.RIDE_THERE and meeting_point:
        event.add("location", meeting_point)
    else:
        event.add("location", place)

    lines = []
    if cancelled:
        lines.append("This appointment was cancelled: you are not needed.")
    lines.append(f"Role: {shift.role.label}")
    if meeting_point:
        lines.append(f"Meeting point: {meeting_point}")
    if shift.role == ShiftRole.RIDE_THERE:
        lines.append(f"Going to: {place}")
    lines.append(f"Details (after you log in): {link}")
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("status", FEED_STATUSES[appointment.status])
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


