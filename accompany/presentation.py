"""The edge where UTC becomes local time and codes become words, for templates."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal
from flask import current_app
from flask_login import current_user

from accompany import timezones
from accompany.dateformat import format_moment
from accompany.phones import format_national, mask_phone
from accompany.services.privacy import access

LOCALE = "en_US"  # the pages' locale (issue 17 makes it the reader's)


def to_local(moment: datetime, tz_name: str | None = None) -> datetime:
    """An aware UTC datetime in the given (or the organization's) time zone."""
    return timezones.to_local(moment, tz_name or current_app.config["ORG_TIMEZONE"])


def local_datetime(moment: datetime | None, tz_name: str | None = None) -> str:
    """'Tue, Nov 24, 9:00 AM' in local time."""
    if moment is None:
        return ""
    return format_moment(to_local(moment, tz_name), "EEE, MMM d, h:mm a", LOCALE)


def local_time(moment: datetime | None, tz_name: str | None = None) -> str:
    if moment is None:
        return ""
    return format_moment(to_local(moment, tz_name), "h:mm a", LOCALE)


def local_day(moment: datetime | None, tz_name: str | None = None) -> str:
    """'Tuesday, November 24' in local time."""
    if moment is None:
        return ""
    return format_moment(to_local(moment, tz_name), "EEEE, MMMM d", LOCALE)


def day_date(day) -> str:
    """A date (not a moment) as 'Sat, Nov 21': casework due dates."""
    return "" if day is None else format_moment(day, "EEE, MMM d", LOCALE)


def number(value) -> str:
    """3.50 → "3.5", 1200 → "1,200"."""
    return "" if value is None else format_decimal(value, locale=LOCALE)


def label(value: object) -> str:
    """The human word for an enum value (falls back to the value itself)."""
    return getattr(value, "label", "" if value is None else str(value))


def navigation() -> list[tuple[str, str]]:
    """(endpoint, text) pairs for the signed-in person's role."""
    user = current_user._get_current_object()  # once, not through the proxy at every check
    if not user.is_authenticated:
        return [("auth.login", "Log in"), ("auth.signup", "Volunteer sign-up")]
    items = [("home.index", "Home")]
    if access.is_staff(user):
        items += [
            ("coordinator.appointments", "Appointments"),
            ("coordinator.families", "Families"),
            ("coordinator.volunteers", "Volunteers"),
            ("coordinator.locations", "Places"),
            ("coordinator.messages", "Messages"),
            ("coordinator.inbox", "Inbox"),
            # Casework.
            ("coordinator.legal_providers", "Legal"),
            # Detention response (issue 15).
            ("coordinator.detentions", "Detentions"),
            ("coordinator.on_call", "On call"),
            ("coordinator.needs", "Needs"),  # casework (issue 14)
            ("coordinator.bonds", "Bonds"),
        ]
    if access.may_use_board(user):
        items += [
            ("volunteer.board_page", "Open shifts"),
            ("volunteer.my_shifts_page", "My shifts"),
            ("volunteer.calendar", "Calendar"),
            ("volunteer.my_tasks_page", "My tasks"),  # casework (issue 14)
        ]
    if access.has_own_profile(user):
        items.append(("volunteer.profile", "Profile"))
    if access.is_admin(user):
        items.append(("admin.invitations", "Invitations"))
    items.append(("auth.change_password", "Password"))
    return items


def init_template_helpers(app) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_time=local_time,
        local_day=local_day,
        phone=format_national,
        mask_phone=mask_phone,
        label=label,
        number=number,
        day_date=day_date,
    )

    @app.context_processor
    def org_context() -> dict:
        return {
            "org_name": app.config["ORG_NAME"],
            "org_help_phone": format_national(app.config["ORG_HELP_PHONE"]),
            "navigation": navigation,
            "access": access,
        }
