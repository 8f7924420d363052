"""A forgotten password: a code texted to the account's confirmed number, then a new password.

Asking answers the same whether or not an account has that email or number (so the page tells
nobody who has an account): the browser always gets a token to bring back with the code (a keyed
hash of the asking form's random one-time key), and only when the account exists, can log in, has
a confirmed number and is under the code limits (phone_codes.py) is a code texted, to a request
row that keeps the token's SHA-256. A code for no account simply never works, with the same
message as a wrong one.

The same form sent twice at once (a double tap) texts one code and gets the same answer twice:
the form's key is used once, and both answers carry the token made from it. The same code and
password sent twice set the password once and end the sessions once; the second send is told
the password is changed.

Throttled three ways: per client address and per email or number asked about (the login
throttle's growing waits, answered "wait" whether or not the account exists), and per account and
per number (the code limits, silently). A code try is counted against the client address before
the code is checked, by the login throttle's atomic upsert, and given back when the code is
right. Setting the new password ends every session of the account; logging in afterwards still
takes the second step for staff who have one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from accompany.crypto import keyring, phone_index
from accompany.database import db
from accompany.models import CodePurpose, PhoneCode, User, UserStatus
from accompany.phones import InvalidPhone, normalize_phone
from accompany.services import submissions
from accompany.services.errors import DomainError, WeakPassword
from accompany.services.messaging import audience
from accompany.services.people import accounts, login_throttle, phone_codes
from accompany.services.people.passwords import MIN_LENGTH
from accompany.services.privacy.audit import record_event

# How long the browser may take from asking to typing the code (the code itself works less).
RESET_WINDOW = timedelta(minutes=20)


class NotAnAccountAddress(DomainError):
    field = "account"
    message = ("Type the email address you log in with, or your mobile number (10 digits like "
               "617-555-0123, or + and the country code).")


class PasswordAlreadyReset(phone_codes.CodeNotAccepted):
    """This browser's code sent again (a double tap): the first send set the password."""

    message = "Your password was changed with this code already. Log in with your new password."


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _address_key(address: str | None) -> str | None:
    return "reset-address:" + keyring().blind_index("reset-address", address) if address else None


def _asked_about_key(normalized: str) -> str:
    return "reset-for:" + keyring().blind_index("reset-for", normalized)


def _normalized(account: str) -> str:
    """The email (lowercased) or the number (E.164) someone typed, or NotAnAccountAddress."""
    text = (account or "").strip()
    if "@" in text:
        return accounts.normalize_email(text)
    try:
        return normalize_phone(text)
    except InvalidPhone:
        raise NotAnAccountAddress() from None


def _account_for(normalized: str) -> User | None:
    """The account that can log in with this email, or the only one with this confirmed number."""
    if "@" in normalized:
        found = [accounts.find_user_by_email(normalized)]
    else:
        found = list(db.session.scalars(select(User).where(User.phone_hash == phone_index(normalized),
                                                           User.status != UserStatus.DISABLED).limit(2)))
    if len(found) != 1 or found[0] is None or found[0].status == UserStatus.DISABLED:
        return None
    return found[0]


def reset_token(form_key: str) -> str:
    """The token the browser that sent the asking form with `form_key` brings back with the code.
    Made from the key, so the same form sent twice at once gets the same token in both answers
    (whichever the browser keeps, the one code works with it); keyed, so the key alone, which the
    form submissions table keeps, is not the token."""
    return keyring().blind_index("reset-token", form_key)


def begin_reset_request(account: str, *, now: datetime, address: str | None) -> None:
    """Count an ask from the client `address` and about `account` (an email or a number), or raise
    NotAnAccountAddress or LoginThrottled, the same for every account. The page commits this count
    before `send_reset_code`, as it does for a code try."""
    normalized = _normalized(account)
    rules = login_throttle.current_rules()
    login_throttle.take_turns([(_address_key(address), rules.free_failures_per_address),
                               (_asked_about_key(normalized), rules.free_failures)], now=now, rules=rules)


def send_reset_code(account: str, form_key: str, *, now: datetime) -> str:
    """Text a code to the account for `account` if there is one that may have it, and return the
    browser's token (`reset_token(form_key)`), whether or not there is.

    The asking form's one-time key is used up first, the same way whether or not the account
    exists: the same form sent again (a double tap) raises submissions.AlreadySent, texts nothing
    more, and gets the same answer from the page as the first send."""
    submissions.use_form_key(form_key, by=None, now=now)
    token = reset_token(form_key)
    user = _account_for(_normalized(account))
    if user is None or user.phone is None or audience.is_opted_out(user.phone_hash):
        return token
    if not phone_codes.may_send(user, user.phone_hash, now=now):
        record_event("password.reset_not_sent", now=now, subject=user, reason="code_limit")
        return token
    phone_codes.ask_for_code(user, CodePurpose.PASSWORD, user.phone, now=now, request_hash=_token_hash(token))
    record_event("password.reset_requested", now=now, subject=user)
    return token


def request_reset(account: str, *, now: datetime, address: str | None, form_key: str | None = None) -> str:
    """`begin_reset_request` and `send_reset_code` in one go (one transaction): the browser's
    token. Without the asking form's key, a fresh one."""
    begin_reset_request(account, now=now, address=address)
    return send_reset_code(account, form_key or secrets.token_urlsafe(24), now=now)


def begin_reset_try(*, now: datetime, address: str | None) -> None:
    """Count a code try from the client `address` before the code is checked (given back when it
    is right), or raise LoginThrottled. The reset page commits this before `finish_reset`, as a
    login commits its count before the password is hashed: tries racing in see it, and no lock is
    held while the new password is hashed."""
    by_address = _address_key(address)
    if by_address is not None:
        rules = login_throttle.current_rules()
        login_throttle.take_turn(by_address, now=now, rules=rules, free=rules.free_failures_per_address)


def _give_back_try(address: str | None) -> None:
    """A right code gives the address its turn back, as a right password does."""
    by_address = _address_key(address)
    if by_address is not None:
        login_throttle.give_back(by_address, free=login_throttle.current_rules().free_failures_per_address)


def finish_reset(token: str, typed_code: str, new_password: str, *, now: datetime, address: str | None) -> User:
    """Set `new_password` on the account whose code this browser asked for, if `typed_code` is it,
    once `begin_reset_try` has counted the try.

    Raises WeakPassword (before the code is tried) or phone_codes.CodeNotAccepted (counted: the
    caller commits it anyway), or PasswordAlreadyReset when this browser's code already set the
    password (the same form sent twice: one change, one end of the sessions). Every session of
    the account ends.
    """
    if len(new_password) < MIN_LENGTH:
        raise WeakPassword()
    code = db.session.scalar(
        select(PhoneCode).where(PhoneCode.request_hash == _token_hash(token), PhoneCode.purpose == CodePurpose.PASSWORD)
    ) if token else None
    if code is None or code.user.status == UserStatus.DISABLED:
        raise phone_codes.CodeNotAccepted()
    try:
        phone_codes.check_code(code, typed_code, now=now)
    except phone_codes.CodeNotAccepted:
        if not phone_codes.was_used_with(code, typed_code):
            raise
        # This browser's code, sent again (a double tap): the first send set the password. The
        # right code gives the try back; nothing else changes.
        _give_back_try(address)
        raise PasswordAlreadyReset() from None
    _give_back_try(address)
    user = code.user
    accounts.replace_password(user, new_password)
    record_event("password.reset", now=now, actor=user, subject=user)
    db.session.flush()
    return user


def reset_password(token: str, typed_code: str, new_password: str, *, now: datetime, address: str | None) -> User:
    """`begin_reset_try` and `finish_reset` in one go (one transaction): the account whose password
    is now `new_password`, or WeakPassword (nothing counted), LoginThrottled or CodeNotAccepted."""
    if len(new_password) < MIN_LENGTH:
        raise WeakPassword()
    begin_reset_try(now=now, address=address)
    return finish_reset(token, typed_code, new_password, now=now, address=address)
