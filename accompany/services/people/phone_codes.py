"""Codes texted to a phone: a volunteer's new number is saved and used only once they type back
the code we texted to it, and a forgotten password is replaced with a code texted to the
account's confirmed number (password_reset.py).

So `User.phone` only ever holds a number someone proved they hold (or one staff entered, such as
the demo's): nothing is texted to, and no opt-out state is shown for, a number that was only
typed in. A number waiting for its code is a `PhoneCode` row; the account keeps its old number
until then.

Each request for a code is a row, and each row's text goes through the outbox like every other
text (planned here, sent by the dispatcher, made at send time by messaging/codes.py). Limits: a
code works for CODE_LIFETIME from when it is sent and for MAX_ATTEMPTS tries; asking for a new one
drops the last; an account, and a number, get at most CODES_PER_HOUR and CODES_PER_DAY codes
(counted on these rows, so every web process shares the count); rows are forgotten a day after
they can no longer be used.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update

from accompany.crypto import phone_index
from accompany.database import db
from accompany.marks import N_
from accompany.models import CodePurpose, MessageKind, OutboundMessage, PhoneCode, User
from accompany.phones import normalize_phone
from accompany.services.errors import DomainError
from accompany.services.messaging import codes, planning

MAX_ATTEMPTS = 5
CODES_PER_HOUR = 3
CODES_PER_DAY = 10
KIND = {CodePurpose.PHONE: MessageKind.PHONE_CODE, CodePurpose.PASSWORD: MessageKind.PASSWORD_CODE}


class CodeNotAccepted(DomainError):
    """One message for every reason (wrong, expired, used, tried too often, no such request), so a
    try tells nothing about the account."""

    field = "code"
    message = N_("That code does not work. Type the code from our newest text, or ask for a new code.")


class TooManyCodes(DomainError):
    field = "phone"
    message = N_("We have sent several codes in a short time. Wait an hour, then ask for a new one.")


class NoNumberWaiting(DomainError):
    message = N_("No new number is waiting to be confirmed. Type it in your profile first.")


class NewCodeAlreadyAsked(DomainError):
    """The code the page showed was replaced meanwhile: "text me a new code" pressed twice."""

    message = N_("A new code is already on its way (the button was pressed twice?). It can take a minute to arrive.")


class NumberAlreadyForgotten(NoNumberWaiting):
    message = N_("That number is forgotten already (the button was pressed twice?); nothing else changed.")


# -- limits ------------------------------------------------------------------------------------------


def _texted_since(since: datetime, *conditions) -> int:
    return db.session.scalar(
        select(func.count()).select_from(PhoneCode)
        .where(PhoneCode.message_id.is_not(None), PhoneCode.created_at > since, *conditions)
    ) or 0


def may_send(user: User, phone_hash: str, *, now: datetime) -> bool:
    """Whether one more code may go to this account and to this number now."""
    for since, limit in ((now - timedelta(hours=1), CODES_PER_HOUR), (now - timedelta(days=1), CODES_PER_DAY)):
        if (_texted_since(since, PhoneCode.user_id == user.id) >= limit
                or _texted_since(since, PhoneCode.phone_hash == phone_hash) >= limit):
            return False
    return True


# -- asking ------------------------------------------------------------------------------------------


def _drop_live(user: User, purpose: CodePurpose, *, now: datetime) -> set[int]:
    """The account's earlier codes for `purpose` stop working, and their texts stop if not sent.
    Returns the ids of the codes this call dropped: one update that skips codes no longer live, so
    of two requests racing to drop the same code only one does (the other waits for its lock)."""
    dropped = db.session.execute(
        update(PhoneCode)
        .where(PhoneCode.user_id == user.id, PhoneCode.purpose == purpose,
               PhoneCode.used_at.is_(None), PhoneCode.dropped_at.is_(None))
        .values(dropped_at=now)
        .returning(PhoneCode.id, PhoneCode.message_id)
    ).all()
    planned = [message_id for _, message_id in dropped if message_id is not None]
    if planned:
        planning.cancel_pending(OutboundMessage.id.in_(planned))
    return {code_id for code_id, _ in dropped}


def ask_for_code(user: User, purpose: CodePurpose, e164: str, *, now: datetime, send: bool = True,
                 request_hash: str | None = None, replacing: PhoneCode | None = None) -> PhoneCode:
    """A new code request for `user` to `e164` (the earlier one for `purpose` is dropped), with its
    text planned unless not `send`. The caller has checked `may_send`.

    `replacing`: the code the person asked to replace (the one their page showed). When another
    request dropped it first (a double tap), NewCodeAlreadyAsked, and nothing is sent twice."""
    dropped = _drop_live(user, purpose, now=now)
    if replacing is not None and replacing.id not in dropped:
        raise NewCodeAlreadyAsked()
    code = PhoneCode(user=user, purpose=purpose, phone=e164, phone_hash=phone_index(e164),
                     request_hash=request_hash, created_at=now, attempts=0)
    db.session.add(code)
    db.session.flush()
    if send:
        # Time-critical: it goes now or not at all (the code works CODE_LIFETIME from sending).
        code.message = planning.plan_message(
            f"code:{code.id}", kind=KIND[purpose], now=now, not_before=now,
            send_before=now + codes.CODE_LIFETIME, user=user,
        )
    codes.erase_spent_codes(now=now)
    _forget_old(now=now)
    db.session.flush()
    return code


def _forget_old(*, now: datetime) -> None:
    """Rows older than the limits look back (a day) go once they cannot be used: spent codes and
    every password reset. A number still waiting for its code stays until used or dropped."""
    db.session.execute(
        delete(PhoneCode)
        .where(PhoneCode.created_at < now - timedelta(days=1),
               or_(PhoneCode.used_at.is_not(None), PhoneCode.dropped_at.is_not(None),
                   PhoneCode.purpose == CodePurpose.PASSWORD))
        .execution_options(synchronize_session="fetch")
    )


def _digits(typed: str | None) -> str:
    return re.sub(r"\D", "", typed or "")


def was_used_with(code: PhoneCode, typed: str) -> bool:
    """Whether `code` has been used, and with `typed`: the same code sent again (a double tap) by
    whoever used it, who may be told so. Nothing is counted; a code only ever works once."""
    return (code.used_at is not None and code.code_hash is not None
            and hmac.compare_digest(code.code_hash, codes.digest(code, _digits(typed))))


def check_code(code: PhoneCode, typed: str, *, now: datetime) -> None:
    """Use up `code` if `typed` is its code, or raise CodeNotAccepted (a wrong try is counted:
    the caller commits it anyway). Racing tries cannot both succeed, nor buy extra tries."""
    digits = _digits(typed)
    try:
        if not code.live or code.code_hash is None or code.code_expires_at is None or code.code_expires_at <= now:
            raise CodeNotAccepted()
        counted = db.session.execute(
            update(PhoneCode)
            .where(PhoneCode.id == code.id, PhoneCode.used_at.is_(None), PhoneCode.dropped_at.is_(None),
                   PhoneCode.attempts < MAX_ATTEMPTS)
            .values(attempts=PhoneCode.attempts + 1)
            .returning(PhoneCode.attempts)
        ).scalar()
        if counted is None:
            raise CodeNotAccepted()
        if not hmac.compare_digest(code.code_hash, codes.digest(code, digits)):
            if counted >= MAX_ATTEMPTS:
                db.session.execute(update(PhoneCode).where(PhoneCode.id == code.id).values(dropped_at=now))
            raise CodeNotAccepted()
        used = db.session.execute(
            update(PhoneCode)
            .where(PhoneCode.id == code.id, PhoneCode.used_at.is_(None), PhoneCode.dropped_at.is_(None))
            .values(used_at=now)
        ).rowcount
        if not used:
            raise CodeNotAccepted()
    finally:
        db.session.refresh(code)
        codes.erase_spent_codes(now=now)
        db.session.flush()


# -- a new phone number ----------------------------------------------------------------------------


def pending_phone_check(user: User) -> PhoneCode | None:
    """The number `user` asked to use that still waits for its code, if any."""
    return db.session.scalar(
        select(PhoneCode)
        .where(PhoneCode.user_id == user.id, PhoneCode.purpose == CodePurpose.PHONE,
               PhoneCode.used_at.is_(None), PhoneCode.dropped_at.is_(None))
        .order_by(PhoneCode.created_at.desc(), PhoneCode.id.desc())
        .limit(1)
    )


def latest_phone_check(user: User) -> PhoneCode | None:
    """The newest number `user` asked to use, whether or not it still waits for its code."""
    return db.session.scalar(
        select(PhoneCode)
        .where(PhoneCode.user_id == user.id, PhoneCode.purpose == CodePurpose.PHONE)
        .order_by(PhoneCode.created_at.desc(), PhoneCode.id.desc())
        .limit(1)
    )


def check_may_send(user: User, e164: str, *, now: datetime) -> None:
    """Raise TooManyCodes when no code may go to `user` at `e164` now."""
    if not may_send(user, phone_index(e164), now=now):
        raise TooManyCodes()


def start_phone_check(user: User, raw_phone: str, *, now: datetime, quiet: bool = False,
                      replacing: PhoneCode | None = None) -> PhoneCode:
    """Text a code to the number `user` typed; it becomes theirs once they type the code back.

    Over the limits this raises TooManyCodes, or, when `quiet` (sign-up), keeps the number waiting
    with no code sent: they can ask for one later from their profile. `replacing`: see ask_for_code.
    """
    e164 = normalize_phone(raw_phone)
    send = may_send(user, phone_index(e164), now=now)
    if not send and not quiet:
        raise TooManyCodes()
    return ask_for_code(user, CodePurpose.PHONE, e164, now=now, send=send, replacing=replacing)


def text_new_code(user: User, *, now: datetime, seen: int | None = None) -> PhoneCode:
    """Another code to the number waiting for one (the last one stops working). `seen`: the id of
    the waiting code the page showed; when that is no longer the one waiting, or another request
    replaces it first, a new code was asked for already (NewCodeAlreadyAsked): one code goes."""
    waiting = pending_phone_check(user)
    if waiting is None:
        raise NoNumberWaiting()
    if seen is not None and seen != waiting.id:
        raise NewCodeAlreadyAsked()
    return start_phone_check(user, waiting.phone, now=now, replacing=waiting)


def cancel_phone_check(user: User, *, now: datetime) -> None:
    """Forget the number waiting for its code; the account keeps the number it has. Pressed twice
    at once, the second finds it forgotten already (NumberAlreadyForgotten)."""
    waiting = pending_phone_check(user)
    if waiting is None:
        raise NoNumberWaiting()
    if waiting.id not in _drop_live(user, CodePurpose.PHONE, now=now):
        raise NumberAlreadyForgotten()
    codes.erase_spent_codes(now=now)
    db.session.flush()

