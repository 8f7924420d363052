"""The edge where UTC becomes local time and codes become words, for templates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from babel import Locale
from babel.numbers import format_currency, format_decimal
from flask import current_app, request
from flask_login import current_user
from markupsafe import Markup, escape

from accompany import timezones
from accompany.dateformat import format_moment
from accompany.formfields import form_problems
from accompany.i18n import _l, date_patterns, gettext, page_locale
from accompany.models.enums import LabelledEnum
from accompany.phones import format_national, mask_phone
from accompany.phrases import Code, Phrase, Phrases
from accompany.services.casework.money import Amount
from accompany.services.detention.checklist import DEFAULT_TITLES
from accompany.services.privacy import access


def _moment(moment, kind: str) -> str:
    """`moment` (local) with this request's locale's pattern of that kind (i18n.date_patterns)."""
    locale = page_locale()
    return format_moment(moment, date_patterns(locale)[kind], locale)


def to_local(moment: datetime, tz_name: str | None = None) -> datetime:
    """An aware UTC datetime in the given (or the organization's) time zone."""
    return timezones.to_local(moment, tz_name or current_app.config["ORG_TIMEZONE"])


def local_datetime(moment: datetime | None, tz_name: str | None = None, *, with_year: bool = False) -> str:
    """'Tue, Nov 24, 9:00 AM' in local time ('mar, 24 nov, 9:00' in Spanish); `with_year`:
    'Tue, Nov 24, 2026, 9:00 AM' (a date that may be next year's)."""
    if moment is None:
        return ""
    return _moment(to_local(moment, tz_name), "dated_moment" if with_year else "moment")


def local_time(moment: datetime | None, tz_name: str | None = None) -> str:
    if moment is None:
        return ""
    return _moment(to_local(moment, tz_name), "time")


def local_day(moment: datetime | None, tz_name: str | None = None) -> str:
    """'Tuesday, November 24' in local time."""
    if moment is None:
        return ""
    return _moment(to_local(moment, tz_name), "long_day")


def day_date(day, kind: str = "day") -> str:
    """A date (not a moment) as 'Sat, Nov 21' (casework due dates), or of another kind of
    i18n.date_patterns: "long_day" is 'Saturday, November 21' (the dashboard's day headings)."""
    return "" if day is None else _moment(day, kind)


def number(value) -> str:
    """3.50 → "3.5", 1200 → "1,200" (in French "1 200")."""
    return "" if value is None else format_decimal(value, locale=_babel_locale(page_locale()))


def money(cents: int | None) -> str:
    """Integer cents as dollars in the page's locale: "$7,500.00", "7.500,00 US$" in Spanish."""
    if cents is None:
        return ""
    return format_currency(Decimal(int(cents)) / 100, "USD", locale=_babel_locale(page_locale()))


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def label(value: object) -> str:
    """The human word for an enum value, in the page's language (falls back to the value itself)."""
    words = getattr(value, "label", None)
    if words is None:
        return "" if value is None else str(value)
    return gettext(words)


def in_words(value: object) -> str:
    """What a service handed a page, in the page's language: a Phrase (its marked words, and its
    values in words too), phrases joined with "; ", an enum's label, an amount in the page's locale, or
    anything else as it is. Words taken as they are (a `Code`) stay English, in <code>, and make
    the phrase they are in Markup."""
    if isinstance(value, Phrase):
        values = {name: in_words(part) for name, part in value.values.items()}
        if any(isinstance(part, Markup) for part in values.values()):
            return escape(gettext(value.words)) % values  # Markup's % escapes the rest of the values
        return gettext(value.words, **values)
    if isinstance(value, Code):
        return Markup("<code>%s</code>") % str(value)
    if isinstance(value, Phrases):
        return "; ".join(in_words(phrase) for phrase in value)
    if isinstance(value, LabelledEnum):
        return label(value)
    if isinstance(value, Amount):
        return money(value)
    return "" if value is None else str(value)


# The navigation's words by endpoint, marked for translation; `_navigation_words` looks each up
# once per language, not on every page.
NAVIGATION = {
    "auth.login": _l("Log in"),
    "auth.signup": _l("Volunteer sign-up"),
    "home.index": _l("Home"),
    "coordinator.appointments": _l("Appointments"),
    "coordinator.families": _l("Families"),
    "coordinator.volunteers": _l("Volunteers"),
    "coordinator.locations": _l("Places"),
    "coordinator.messages": _l("Messages"),
    "coordinator.inbox": _l("Inbox"),
    "coordinator.legal_providers": _l("Legal"),  # casework
    "coordinator.detentions": _l("Detentions"),  # detention response (issue 15)
    "coordinator.on_call": _l("On call"),
    "coordinator.needs": _l("Needs"),  # casework (issue 14)
    "coordinator.bonds": _l("Bonds"),
    "volunteer.board_page": _l("Open shifts"),
    "volunteer.my_shifts_page": _l("My shifts"),
    "volunteer.calendar": _l("Calendar"),
    "volunteer.my_tasks_page": _l("My tasks"),  # casework (issue 14)
    "volunteer.profile": _l("Profile"),
    "admin.invitations": _l("Invitations"),
    "auth.change_password": _l("Password"),
}
STAFF_PAGES = ["coordinator.appointments", "coordinator.families", "coordinator.volunteers", "coordinator.locations",
               "coordinator.messages", "coordinator.inbox", "coordinator.legal_providers", "coordinator.detentions",
               "coordinator.on_call", "coordinator.needs", "coordinator.bonds"]
BOARD_PAGES = ["volunteer.board_page", "volunteer.my_shifts_page", "volunteer.calendar", "volunteer.my_tasks_page"]


@cache
def _navigation_words(locale: str) -> dict[str, str]:
    """NAVIGATION in `locale` (the request's: it is asked only inside one)."""
    return {endpoint: str(text) for endpoint, text in NAVIGATION.items()}


def navigation() -> list[tuple[str, str]]:
    """(endpoint, text) pairs for the signed-in person's role, in the page's language."""
    user = current_user._get_current_object()  # once, not through the proxy at every check
    if not user.is_authenticated:
        endpoints = ["auth.login", "auth.signup"]
    else:
        endpoints = ["home.index"]
        if access.is_staff(user):
            endpoints += STAFF_PAGES
        if access.may_use_board(user):
            endpoints += BOARD_PAGES
        if access.has_own_profile(user):
            endpoints.append("volunteer.profile")
        if access.is_admin(user):
            endpoints.append("admin.invitations")
        endpoints.append("auth.change_password")
    words = _navigation_words(page_locale())
    return [(endpoint, words[endpoint]) for endpoint in endpoints]


class SiteHeader(NamedTuple):
    """What the header shows (templates/_site_header.html): the links for this person's role, in
    the page's language, which one is this page, and whether to offer "Log out"."""

    links: tuple[tuple[str, str], ...]
    current: str | None
    signed_in: bool


class SiteFooter(NamedTuple):
    path: str  # where the language picker comes back to


def step_title(title: str) -> str:
    """A checklist step's title: a default step nobody has rewritten in the page's language, any
    other as the network wrote it."""
    return gettext(title) if title in DEFAULT_TITLES else title


def site_header() -> SiteHeader:
    return SiteHeader(tuple(navigation()), request.endpoint, current_user.is_authenticated)


def site_footer() -> SiteFooter:
    return SiteFooter(request.path)


def init_template_helpers(app) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_time=local_time,
        local_day=local_day,
        phone=format_national,
        mask_phone=mask_phone,
        label=label,
        in_words=in_words,
        number=number,
        money=money,
        day_date=day_date,
        step_title=step_title,
    )
    app.jinja_env.globals["form_problems"] = form_problems

    # The same on every page of this app: globals, not a context processor run for every render.
    app.jinja_env.globals.update(
        org_name=app.config["ORG_NAME"],
        org_help_phone=format_national(app.config["ORG_HELP_PHONE"]),
        org_help_tel=app.config["ORG_HELP_PHONE"],
        navigation=navigation,
        site_header=site_header,
        site_footer=site_footer,
        access=access,
    )
