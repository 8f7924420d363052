"""Signed-in sessions as rows, so the server decides when one ends.

The session cookie is signed, not stored: on its own, a copy made before a logout would keep
working. So each login gets a random token; the cookie carries it and a `LoginSession` row holds
its hash with when the password was typed and when the browser was last seen. Every request
checks the row: gone (logged out, logged out everywhere, password changed, deactivated), idle too
long, or started too long ago, and the session is over.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import Enum
from functools import cache

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.orm import defer, joinedload

from accompany.database import db
from accompany.models import LoginSession, User

# last_seen_at is written at most this often: the idle limit is checked to within a minute.
TOUCH_EVERY = timedelta(minutes=1)


class SessionState(Enum):
    LIVE = "live"
    TOUCHED = "touched"  # live, and last_seen_at was moved on (the caller commits)
    ENDED = "ended"  # logged out, or every session of the account was ended
    IDLE = "idle"
    TOO_OLD = "too_old"

    @property
    def over(self) -> bool:
        return self not in (SessionState.LIVE, SessionState.TOUCHED)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, now: datetime, keep_for: timedelta) -> str:
    """A new session for `user`; returns the token for the cookie. Drops rows older than `keep_for`."""
    db.session.execute(delete(LoginSession).where(LoginSession.started_at < now - keep_for))
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_hash=_hash(token), user_id=user.id, started_at=now, last_seen_at=now))
    db.session.flush()
    return token


def find_session(token: str | None, user: User) -> LoginSession | None:
    """The live session of `user` whose cookie carries `token`."""
    if not token:
        return None
    return db.session.scalar(
        select(LoginSession).where(LoginSession.token_hash == _hash(token), LoginSession.user_id == user.id)
    )


@cache
def _signed_in_query():
    """Built once: SQLAlchemy then reuses its compiled form and cache key on every request."""
    return (
        select(User, LoginSession)
        .outerjoin(LoginSession, and_(LoginSession.user_id == User.id,
                                      LoginSession.token_hash == bindparam("token_hash")))
        # The sealed columns wait until something reads them: no decryption on every page.
        .options(joinedload(User.languages), defer(User.phone), defer(User.totp_secret),
                 defer(LoginSession.two_factor_setup_secret))
        .where(User.id == bindparam("user_id"))
    )


def load_signed_in(user_id: int, token: str | None) -> tuple[User | None, LoginSession | None]:
    """The user a request's cookie names, with their languages and the session row its `token`
    names (None if that session has ended): one query for what every signed-in page needs first."""
    found = db.session.execute(
        _signed_in_query(), {"user_id": user_id, "token_hash": _hash(token) if token else ""}
    ).unique().first()
    return (None, None) if found is None else (found[0], found[1])


def check_session(row: LoginSession | None, *, now: datetime, idle: timedelta, absolute: timedelta) -> SessionState:
    """Whether the session of `row` (this browser's, from `load_signed_in` or `find_session`) may
    go on; a live one is marked as seen now."""
    if row is None:
        return SessionState.ENDED
    if now - row.started_at >= absolute:
        state = SessionState.TOO_OLD
    elif now - row.last_seen_at >= idle:
        state = SessionState.IDLE
    elif now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        return SessionState.TOUCHED
    else:
        return SessionState.LIVE
    db.session.delete(row)
    return state


def end_session(token: str | None) -> None:
    """Log out the one browser holding `token`."""
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash(token)))


def end_user_sessions(user: User) -> None:
    """Log out every browser of `user`."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def end_other_sessions(user: User, keep: LoginSession) -> int:
    """Log out every browser of `user` but `keep`; returns how many were logged out."""
    return db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.id != keep.id)
    ).rowcount
