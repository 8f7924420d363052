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
    message = "That code does not work. Type the code from our newest text, or ask for a new code."


class TooManyCodes(DomainError):
    field = "phone"
    message = "We have sent several codes in a short time. Wait an hour, then ask for a new one."


class NoNumberWaiting(DomainError):
    message = "No new number is waiting to be confirmed. Type it in your profile first."


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


def _drop_live(user: User, purpose: CodePurpose, *, now: datetime) -> None:
    """The account's earlier codes for `purpose` stop working, and their texts stop if not sent."""
    live = list(db.session.scalars(
        select(PhoneCode).where(PhoneCode.user_id == user.id, PhoneCode.purpose == purpose,
                                PhoneCode.used_at.is_(None), PhoneCode.dropped_at.is_(None))
    ))
    for code in live:
        code.dropped_at = now
    planned = [code.message_id for code in live if code.message_id is not None]
    if planned:
        planning.cancel_pending(OutboundMessage.id.in_(planned))


def ask_for_code(user: User, purpose: CodePurpose, e164: str, *, now: datetime, send: bool = True,
                 request_hash: str | None = None) -> PhoneCode:
    """A new code request for `user` to `e164` (the earlier one for `purpose` is dropped), with its
    text planned unless not `send`. The caller has checked `may_send`."""
    _drop_live(user, purpose, now=now)
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


def check_code(code: PhoneCode, typed: str, *, now: datetime) -> None:
    """Use up `code` if `typed` is its code, or raise CodeNotAccepted (a wrong try is counted:
    the caller commits it anyway). Racing tries cannot both succeed, nor buy extra tries."""
    digits = re.sub(r"\D", "", typed or "")
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


def check_may_send(user: User, e164: str, *, now: datetime) -> None:
    """Raise TooManyCodes when no code may go to `user` at `e164` now."""
    if not may_send(user, phone_index(e164), now=now):
        raise TooManyCodes()


def start_phone_check(user: User, raw_phone: str, *, now: datetime, quiet: bool = False) -> PhoneCode:
    """Text a code to the number `user` typed; it becomes theirs once they type the code back.

    Over the limits this raises TooManyCodes, or, when `quiet` (sign-up), keeps the number waiting
    with no code sent: they can ask for one later from their profile.
    """
    e164 = normalize_phone(raw_phone)
    send = may_send(user, phone_index(e164), now=now)
    if not send and not quiet:
        raise TooManyCodes()
    return ask_for_code(user, CodePurpose.PHONE, e164, now=now, send=send)


def cancel_phone_check(user: User, *, now: datetime) -> None:
    """Forget the number waiting for its code; the account keeps the number it has."""
    if pending_phone_check(user) is None:
        raise NoNumberWaiting()
    _drop_live(user, CodePurpose.PHONE, now=now)
    codes.erase_spent_codes(now=now)
    db.session.flush()

