"""The private calendar feed a volunteer's phone subscribes to, and the page to set it up."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, committing_button
from accompany.guards import volunteer_required
from accompany.i18n import gettext
from accompany.models import Shift
from accompany.public_url import public_base_url
from accompany.services.scheduling import calendar as calendar_service
from accompany.volunteer import bp
from accompany.volunteer.forms import ResetCalendarForm


def _held_shift_url(shift: Shift) -> str:
    return url_for(".held_shift", shift_id=shift.id, _external=True)


def _uid_host() -> str:
    """The host in each event's UID: the public one when configured, so UIDs stay stable."""
    return urlsplit(public_base_url()).hostname or request.host.split(":")[0]


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """No login: calendar apps fetch this without cookies, so the token is the key."""
    owner = calendar_service.feed_owner(token)
    if owner is None:
        abort(404)
    now = utcnow()
    body = calendar_service.build_feed(
        calendar_service.feed_shifts(owner, now=now),
        now=now,
        host=_uid_host(),
        link_for=_held_shift_url,
        past_link=url_for(".my_shifts_page", _external=True),
        calendar_name=f"{current_app.config['ORG_NAME']} shifts",
    )
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'inline; filename="shifts.ics"'
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def feed_urls(token: str) -> tuple[str, str]:
    """The feed's web address and the webcal:// one that opens a phone's calendar app."""
    url = url_for(".calendar_feed", token=token, _external=True)
    return url, "webcal://" + url.split("://", 1)[1]


@bp.get("/my/calendar")
@volunteer_required
def calendar():
    with committing():
        token = calendar_service.ensure_calendar_token(current_user._get_current_object(), now=utcnow())
    url, webcal_url = feed_urls(token)
    return render_template(
        "volunteer/calendar.html", feed_url=url, webcal_url=webcal_url,
        form=ResetCalendarForm(formdata=None, seen=calendar_service.link_mark(token)),
    )


@bp.post("/my/calendar/reset")
@volunteer_required
def reset_calendar():
    seen = ResetCalendarForm().seen.data or None
    with committing_button(gettext("You have a new calendar link; the old one no longer works. "
                                   "Add the new link to your calendar.")):
        calendar_service.reset_calendar_token(current_user._get_current_object(), now=utcnow(), seen=seen)
    return redirect(url_for(".calendar"))
