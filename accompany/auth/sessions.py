"""The browser's side of being logged in: starting and ending sessions, the half-way state
between password and code, and the checks every request goes through.

Only `begin_session` calls `login_user` (never with remember=True: there is no "remember me").
Between a right password and a right code the session holds just the pending user's login id,
where to go next and a deadline; `current_user` stays anonymous, so nothing is reachable.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from accompany.auth import bp
from accompany.clock import utcnow
from accompany.database import db
from accompany.i18n import N_, clear_session, gettext
from accompany.models import LoginSession, User
from accompany.services.people import accounts, login_sessions, two_factor
from accompany.services.people.login_sessions import SessionState

# The session key under which the login's token is kept (a name, not a secret).
SESSION_TOKEN = "login_session"  # nosec B105
PENDING = "second_step"
# While a coordinator or admin still has to set up two-step login, only these answer.
OPEN_DURING_ENROLLMENT = {"auth.two_factor", "auth.logout", "static"}

ENDED_MESSAGES = {
    SessionState.IDLE: N_("You were logged out after %(minutes)s minutes without activity. Please log in again."),
    SessionState.TOO_OLD: N_("You were logged out because you logged in %(hours)s hours ago. Please log in again."),
    SessionState.ENDED: N_("You were logged out. Please log in again."),
}


def _absolute() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def _idle_for(user: User) -> timedelta:
    key = "SESSION_IDLE_MINUTES_STAFF" if two_factor.may_enroll(user) else "SESSION_IDLE_MINUTES_VOLUNTEER"
    return timedelta(minutes=current_app.config[key])


def begin_session(user: User, *, now: datetime) -> None:
    """Log `user` in on this browser with a fresh session (no fixation; the page language stays).
    The caller commits."""
    clear_session()
    g.pop("login_session", None)  # another account's row, if this request had one
    login_user(user)
    session.permanent = True
    session[SESSION_TOKEN] = login_sessions.start_session(user, now=now, keep_for=_absolute())


def load_user(login_id: str) -> User | None:
    """Flask-Login's user loader: the user and this browser's session row, in one query. The row
    waits in `g` for `end_expired_sessions` and `current_login_session`."""
    user, g.login_session = accounts.load_signed_in_user(login_id, session.get(SESSION_TOKEN))
    return user


def current_login_session() -> LoginSession | None:
    """This browser's session row (None once it has ended)."""
    if current_user.is_authenticated and "login_session" in g:
        return g.login_session
    return login_sessions.find_session(session.get(SESSION_TOKEN), current_user)


def end_session() -> None:
    """Log this browser out (its session row goes too). The caller commits."""
    login_sessions.end_session(session.get(SESSION_TOKEN))
    g.pop("login_session", None)
    clear_session()  # while current_user is still the person, whose language the browser keeps
    logout_user()


# -- between the password and the code -------------------------------------------------------------


def await_second_step(user: User, next_url: str | None, *, now: datetime) -> None:
    clear_session()
    minutes = current_app.config["TWO_FACTOR_PENDING_MINUTES"]
    session[PENDING] = {
        "login_id": user.get_id(),
        "until": (now + timedelta(minutes=minutes)).timestamp(),
        "next": next_url or "",
    }


def pending_user(*, now: datetime) -> tuple[User | None, str]:
    """The user whose password was right a moment ago (None if expired or revoked), and where
    they were going. An expired or revoked half-login is forgotten."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, ""
    user = accounts.load_session_user(str(pending.get("login_id", "")))
    if user is None or now.timestamp() >= float(pending.get("until", 0)):
        session.pop(PENDING, None)
        return None, ""
    return user, str(pending.get("next", ""))


# -- on every request ------------------------------------------------------------------------------


@bp.before_app_request
def end_expired_sessions():
    """Log out a session that was ended elsewhere, left idle too long, or started too long ago."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    state = login_sessions.check_session(
        current_login_session(), now=utcnow(), idle=_idle_for(current_user), absolute=_absolute()
    )
    if state is SessionState.TOUCHED:
        db.session.commit()
    if not state.over:
        return None
    message = gettext(
        ENDED_MESSAGES[state],
        minutes=int(_idle_for(current_user).total_seconds() // 60), hours=current_app.config["SESSION_ABSOLUTE_HOURS"]
    )
    db.session.commit()
    clear_session()
    logout_user()
    flash(message, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))


@bp.before_app_request
def require_two_factor_enrollment():
    """Coordinators and admins set up two-step login before any other page answers them."""
    if request.endpoint in OPEN_DURING_ENROLLMENT or not current_user.is_authenticated:
        return None
    if two_factor.enrollment_needed(current_user, required=current_app.config["TWO_FACTOR_REQUIRED"]):
        flash(gettext("Set up two-step login to continue: your account can see families' details."), "info")
        return redirect(url_for("auth.two_factor"))
    return None


# Messages waiting to be shown ("It's yours", "Released") live in the session cookie until a page
# shows them. A client that never follows the redirects (a script, a phone that lost the answer)
# would pile them up until the cookie is too big for the browser and the person is logged out.
WAITING_MESSAGES_KEPT = 5


@bp.after_app_request
def keep_few_waiting_messages(response):
    waiting = session.get("_flashes")
    if waiting and len(waiting) > WAITING_MESSAGES_KEPT:
        session["_flashes"] = waiting[-WAITING_MESSAGES_KEPT:]
    return response
