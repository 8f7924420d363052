"""Login throttling: growing waits after repeated failures, never a lockout, kept in the database.

Counts are kept per key, in `LoginThrottle` rows that only single atomic statements change
(INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike), so every web process sees
the same count. The first few failures are free; after that each failure makes the next try wait
2, 4, 8... seconds, up to a cap. A try made while waiting is answered "wait" without looking at
the password, and does not count. A quiet day forgets the count.

Keys never hold an email or an address in the clear:

- an account: a keyed hash of the normalized email (unknown emails are counted the same way, so
  the answer never tells whether an account exists);
- a client address: a keyed hash of `request.remote_addr` (ProxyFix has already put the real
  client there), with more free failures since an office may share one address;
- an account's second step: the user id;
- a client address signing up: a keyed hash of the address again, under its own name, so sign-ups
  and logins from one office do not use up each other's free tries.

A try is counted *before* its password (or code) is checked, against the address and then the
account, each by one atomic upsert that refuses a key still waiting (the row stays locked until
its wait is set and the transaction ends): however many tries race in, only the free ones and
the one that starts the wait go ahead, and every later one is answered "wait" without a check. A right password clears the account's count and gives the address its
turn back, so people logging in right from a shared office neither use up nor clear its count.
The login commits its count before the password is hashed (`accounts.begin_login`), so no lock is
held while argon2 works and every other try already sees it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from accompany.crypto import keyring
from accompany.database import db
from accompany.models import LoginThrottle, User
from accompany.services.errors import DomainError


class LoginThrottled(DomainError):
    """Too many failures for this account or address: the try was not checked."""

    def __init__(self, wait: timedelta):
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        self.wait = wait
        super().__init__(f"Too many tries. Wait {minutes} minute{'s' if minutes > 1 else ''} and try again.")


@dataclass(frozen=True)
class ThrottleRules:
    free_failures: int = 5
    free_failures_per_address: int = 20
    max_wait: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=24)


def current_rules() -> ThrottleRules:
    config = current_app.config
    return ThrottleRules(
        free_failures=config["LOGIN_FREE_FAILURES"],
        free_failures_per_address=config["LOGIN_FREE_FAILURES_PER_ADDRESS"],
        max_wait=timedelta(seconds=config["LOGIN_MAX_WAIT_SECONDS"]),
        forget_after=timedelta(hours=config["LOGIN_FORGET_HOURS"]),
    )


# -- keys ------------------------------------------------------------------------------------------


def account_key(email: str) -> str:
    return "account:" + keyring().blind_index("login-account", email.strip().lower())


def address_key(address: str | None) -> str | None:
    return "address:" + keyring().blind_index("login-address", address) if address else None


def second_step_key(user: User) -> str:
    return f"second-step:{user.id}"


def sign_up_key(address: str | None) -> str | None:
    return "sign-up:" + keyring().blind_index("sign-up-address", address) if address else None


# -- the arithmetic --------------------------------------------------------------------------------


def wait_after(failures: int, *, free: int, max_wait: timedelta) -> timedelta:
    """How long the next try waits after `failures` failures in a row: 0, then 2**(n - free) s."""
    extra = failures - free
    if extra <= 0:
        return timedelta(0)
    if extra >= 30:  # 2**30 s is decades: the cap applies long before
        return max_wait
    return min(timedelta(seconds=2**extra), max_wait)


def _insert():
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _count_try(key: str, *, now: datetime, rules: ThrottleRules, free: int) -> bool:
    """Add one try to `key` and set its wait, in atomic statements; a key still waiting is left
    alone and False comes back."""
    table = LoginThrottle.__table__
    stale = table.c.last_failure_at < now - rules.forget_after
    waiting = table.c.wait_until > now
    statement = (
        _insert()(table)
        .values(key=key, failures=1, last_failure_at=now, wait_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "last_failure_at": now,
            },
            where=or_(table.c.wait_until.is_(None), ~waiting),
        )
        .returning(table.c.failures)
    )
    failures = db.session.execute(statement).scalar()
    if failures is None:
        return False
    wait = wait_after(failures, free=free, max_wait=rules.max_wait)
    if wait:
        until = now + wait
        db.session.execute(
            update(table)
            .where(table.c.key == key, or_(table.c.wait_until.is_(None), table.c.wait_until < until))
            .values(wait_until=until)
        )
    return True


def waiting_for(keys: list[str], *, now: datetime) -> timedelta | None:
    """How long the longest-waiting of `keys` must still wait, or None when none is waiting."""
    until = db.session.scalar(
        select(LoginThrottle.wait_until).where(LoginThrottle.key.in_(keys), LoginThrottle.wait_until > now)
        .order_by(LoginThrottle.wait_until.desc()).limit(1)
    )
    return until - now if until is not None else None


def take_turn(key: str, *, now: datetime, rules: ThrottleRules, free: int) -> None:
    """Count a try for `key` before checking it (cleared or given back on success), or raise
    LoginThrottled."""
    if not _count_try(key, now=now, rules=rules, free=free):
        raise LoginThrottled(waiting_for([key], now=now) or timedelta(seconds=1))


def take_turns(turns: list[tuple[str | None, int]], *, now: datetime, rules: ThrottleRules) -> None:
    """Count a try against each `(key, free)` in order (a None key is skipped), or raise
    LoginThrottled with the turns already taken given back: a refused try counts nowhere."""
    taken: list[tuple[str, int]] = []
    try:
        for key, free in turns:
            if key is not None:
                take_turn(key, now=now, rules=rules, free=free)
                taken.append((key, free))
    except LoginThrottled:
        for key, free in reversed(taken):
            give_back(key, free=free)
        raise


def give_back(key: str, *, free: int) -> None:
    """Take back one try counted for `key` that turned out right (or was never checked); its wait
    goes too once the count is back within the free ones."""
    table = LoginThrottle.__table__
    db.session.execute(
        update(table)
        .where(table.c.key == key, table.c.failures > 0)
        .values(
            failures=table.c.failures - 1,
            wait_until=case((table.c.failures - 1 <= free, None), else_=table.c.wait_until),
        )
    )


def forget_stale(*, now: datetime, rules: ThrottleRules) -> None:
    """Drop the counts nobody added to for a day (skipping any a try has locked this moment)."""
    stale = (
        select(LoginThrottle.key).where(LoginThrottle.last_failure_at < now - rules.forget_after)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(stale)))


def clear(key: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


# -- the login's steps -----------------------------------------------------------------------------


def begin_password_try(email: str, address: str | None, *, now: datetime, rules: ThrottleRules) -> None:
    """Count a password try against the address and the account before it is checked, or raise
    LoginThrottled and count nothing."""
    take_turns([(address_key(address), rules.free_failures_per_address),
                (account_key(email), rules.free_failures)], now=now, rules=rules)


def password_succeeded(email: str, address: str | None, *, rules: ThrottleRules) -> None:
    """A right password: the account's count starts again and the address gets its turn back."""
    by_address = address_key(address)
    if by_address is not None:  # the address first, as `begin_password_try` locks them
        give_back(by_address, free=rules.free_failures_per_address)
    clear(account_key(email))


def begin_sign_up(address: str | None, *, now: datetime, rules: ThrottleRules) -> None:
    """Count a sign-up from `address` before it is looked at (never cleared: a quiet day forgets
    it), or raise LoginThrottled."""
    by_address = sign_up_key(address)
    if by_address is not None:
        take_turn(by_address, now=now, rules=rules, free=rules.free_failures_per_address)


def begin_second_step_try(user: User, *, now: datetime, rules: ThrottleRules) -> None:
    """Let a code try go ahead (counted until it succeeds), or raise LoginThrottled."""
    take_turn(second_step_key(user), now=now, rules=rules, free=rules.free_failures)


def second_step_succeeded(user: User) -> None:
    clear(second_step_key(user))
