"""Two-step login: a code from an authenticator app (TOTP, RFC 6238) after the password.

Coordinators and admins see families' data, so a stolen password alone must not be enough.
Enrolling makes a secret for the one browser (login session) that opened the setup page, sealed at
rest (`EncryptedText`); it is switched on only once a code made from it is typed in that same
browser, and every other browser of the account is then logged out. Another browser starting setup
replaces it, and each is told the other started (someone else may have the password); the person
then gets ten one-time recovery codes, shown once.

Codes from the app are accepted one time step (30 s) either side of now, for phones whose clock
drifts. Each accepted code moves `User.totp_last_step` forward in one conditional UPDATE, so the
same code (or an older one) is refused the second time, even by a racing request.

Recovery codes are kept as a keyed SHA-256 (HMAC with BLIND_INDEX_KEY, like phone lookups), not
with argon2 like passwords: they are random with about 49 bits each, so a slow hash adds nothing
against guessing; a database copy without the key cannot test guesses at all; and a keyed hash can
be looked up and used up in one conditional UPDATE instead of ten slow argon2 checks per try.
(Rotating BLIND_INDEX_KEY therefore voids unused recovery codes; an admin reset gets new ones.)
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, or_, select, update

from accompany.crypto import keyring
from accompany.database import db, set_once
from accompany.models import LoginSession, RecoveryCode, Role, User
from accompany.services.errors import DomainError, WrongPassword
from accompany.services.people import login_sessions, login_throttle
from accompany.services.people.accounts import end_all_sessions
from accompany.services.people.passwords import password_matches
from accompany.services.privacy.audit import record_event

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_CODE_LENGTH = 10
STEPS_EITHER_SIDE = 1
STAFF_ROLES = (Role.COORDINATOR, Role.ADMIN)


class CodeNotAccepted(DomainError):
    field = "code"
    message = "That code is not right. Type the newest 6-digit code from your app, or a recovery code."


class CodeAlreadyUsed(CodeNotAccepted):
    message = "That code was just used. Wait for the next one in your app and type that."


class SetupReplaced(CodeNotAccepted):
    message = ("Two-step login setup was started again in another browser, so the key on this page "
               "no longer works. Delete it from your app, scan the new QR code below and type its code.")


class SetupNotStarted(CodeNotAccepted):
    message = "Scan the QR code below with your app first, then type the code it shows."


class NotStaff(DomainError):
    message = "Two-step login is for coordinators and admins."


class AlreadyEnabled(DomainError):
    message = "Two-step login is already on for this account."


class NotEnabled(DomainError):
    message = "Two-step login is not on for this account."


class OwnTwoFactorReset(DomainError):
    message = ("You cannot reset your own two-step login here. Another admin can, or turn it off "
               "on your own two-step login page with your password.")


# -- who needs it ----------------------------------------------------------------------------------


def may_enroll(user: User) -> bool:
    return user.role in STAFF_ROLES


def enrollment_needed(user: User, *, required: bool) -> bool:
    """A coordinator or admin who must still set up two-step login before seeing anything."""
    return required and user.is_staff and not user.two_factor_enabled


# -- enrolling -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What the setup page shows one browser: its secret, and when another browser of the same
    account started setting up too (None if none did)."""

    secret: str
    started_elsewhere_at: datetime | None


@dataclass(frozen=True)
class Enrolled:
    """Two-step login is on: the recovery codes (shown once), when another browser had started
    setting up too, and how many other browsers were logged out."""

    recovery_codes: list[str]
    started_elsewhere_at: datetime | None
    browsers_logged_out: int


def _check_may_enroll(user: User, browser: LoginSession) -> None:
    if not may_enroll(user):
        raise NotStaff()
    if user.two_factor_enabled:
        raise AlreadyEnabled()
    if browser.user_id != user.id:
        raise ValueError("a browser enrolls only the account it is logged in to")


def _setups_elsewhere(user: User, browser: LoginSession) -> list[LoginSession]:
    return list(db.session.scalars(
        select(LoginSession).where(
            LoginSession.user_id == user.id,
            LoginSession.id != browser.id,
            LoginSession.two_factor_setup_started_at.is_not(None),
        )
    ))


def _latest_start(setups: list[LoginSession]) -> datetime | None:
    return max((setup.two_factor_setup_started_at for setup in setups), default=None)


def begin_enrollment(user: User, browser: LoginSession, *, now: datetime) -> Setup:
    """The secret `browser` (the user's login session) enrolls with.

    It is made for this browser and kept there, so a reload shows the same QR, until another
    browser of the account starts setting up: that takes it away, and only the newest setup can
    be finished. So a secret read by someone who has the password, in their own browser, is
    replaced as soon as the owner starts setting up, and never reaches the owner's app.
    """
    _check_may_enroll(user, browser)
    elsewhere = _setups_elsewhere(user, browser)
    # Set once, so the page opened twice at once (a double tap, two tabs) shows one secret.
    if browser.two_factor_setup_secret is None and set_once(browser, "two_factor_setup_secret", pyotp.random_base32()):
        browser.two_factor_setup_started_at = now
        for other in elsewhere:
            other.two_factor_setup_secret = None
        record_event("two_factor.setup_started", now=now, actor=user, subject=user, other_browsers=len(elsewhere))
        db.session.flush()
    return Setup(browser.two_factor_setup_secret, _latest_start(elsewhere))


def provisioning_uri(user: User, secret: str, *, issuer: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def confirm_enrollment(user: User, browser: LoginSession, code: str, *, now: datetime) -> Enrolled:
    """Switch two-step login on once `code` matches the secret set up in `browser`; every other
    browser of the account is logged out. Returns the recovery codes (shown once)."""
    _check_may_enroll(user, browser)
    secret = browser.two_factor_setup_secret
    if secret is None:
        raise SetupReplaced() if browser.two_factor_setup_started_at else SetupNotStarted()
    step = _matching_step(secret, _digits(code), now=now)
    if step is None:
        raise CodeNotAccepted("That code does not match. Check that your app shows this account and try its newest code.")
    started_elsewhere_at = _latest_start(_setups_elsewhere(user, browser))
    user.totp_secret = secret
    user.two_factor_enabled_at = now
    user.totp_last_step = step
    browser.two_factor_setup_secret = None
    browser.two_factor_setup_started_at = None
    codes = _new_recovery_codes(user, now=now)
    logged_out = login_sessions.end_other_sessions(user, keep=browser)
    record_event("two_factor.enrolled", now=now, actor=user, subject=user,
                 started_elsewhere=started_elsewhere_at is not None, other_browsers_logged_out=logged_out)
    db.session.flush()
    return Enrolled(codes, started_elsewhere_at, logged_out)


def _new_recovery_codes(user: User, *, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, raw), created_at=now))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def _recovery_hash(user: User, normalized: str) -> str:
    return keyring().blind_index("recovery-code", f"{user.id}:{normalized}")


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# -- the second step of logging in -----------------------------------------------------------------


def _digits(code: str) -> str:
    return re.sub(r"\s", "", code or "")


def _matching_step(secret: str, code: str, *, now: datetime) -> int | None:
    """The time step `code` belongs to, within a step of `now`, or None."""
    if not re.fullmatch(r"[0-9]{6}", code):  # ASCII digits only: "١٢٣٤٥٦" is no code
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - STEPS_EITHER_SIDE, current + STEPS_EITHER_SIDE + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_app_code(user: User, code: str, *, now: datetime) -> bool:
    step = _matching_step(user.totp_secret, code, now=now)
    if step is None:
        return False
    taken = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    ).rowcount
    if not taken:
        raise CodeAlreadyUsed()
    return True


def _use_recovery_code(user: User, code: str, *, now: datetime) -> bool:
    normalized = re.sub(r"[\s-]", "", code or "").lower()
    if len(normalized) != RECOVERY_CODE_LENGTH:
        return False
    return bool(db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(user, normalized),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    ).rowcount)


def check_second_step(user: User, code: str, *, now: datetime) -> str:
    """Accept a code from the app ("app") or an unused recovery code ("recovery"), or raise
    CodeNotAccepted / LoginThrottled. Tries are throttled per account like passwords."""
    if not user.two_factor_enabled:
        raise NotEnabled()
    try:
        login_throttle.begin_second_step_try(user, now=now, rules=login_throttle.current_rules())
    except login_throttle.LoginThrottled:
        record_event("login.throttled", now=now, subject=user, step="code")
        raise
    try:
        if _use_app_code(user, _digits(code), now=now):
            kind = "app"
        elif _use_recovery_code(user, code, now=now):
            kind = "recovery"
        else:
            raise CodeNotAccepted()
    except CodeNotAccepted as error:
        reason = "reused" if isinstance(error, CodeAlreadyUsed) else "wrong_code"
        record_event("two_factor.failed", now=now, subject=user, reason=reason)
        raise
    login_throttle.second_step_succeeded(user)
    if kind == "recovery":
        record_event("two_factor.recovery_code_used", now=now, actor=user, subject=user,
                     left=recovery_codes_left(user))
    db.session.flush()
    return kind


# -- turning it off --------------------------------------------------------------------------------


def _switch_off(user: User) -> None:
    user.totp_secret = None
    user.two_factor_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User, password: str, *, now: datetime) -> None:
    """The person turns their own two-step login off, proving it is them with the password."""
    if not password_matches(user.password_hash, password):
        raise WrongPassword()
    if not user.two_factor_enabled:
        raise NotEnabled()
    _switch_off(user)
    record_event("two_factor.disabled", now=now, actor=user, subject=user)
    db.session.flush()


def reset(user: User, *, by: User, now: datetime) -> None:
    """An admin clears someone else's two-step login (a lost phone): they enroll again at next login."""
    if by.id == user.id:
        raise OwnTwoFactorReset()
    if not by.is_staff or by.role != Role.ADMIN:
        raise NotStaff("Only admins can reset two-step login.")
    if not user.two_factor_enabled:
        raise NotEnabled()
    _switch_off(user)
    end_all_sessions(user)
    record_event("two_factor.reset", now=now, actor=by, subject=user)
    db.session.flush()
