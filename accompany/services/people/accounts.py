"""Accounts: sign-up, approval, invitations, logging in and changing passwords."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from accompany.crypto import phone_index
from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Invitation,
    Language,
    LoginSession,
    MessageKind,
    Role,
    User,
    UserStatus,
    VolunteerLanguage,
)
from accompany.phones import normalize_phone
from accompany.services.errors import (
    EmailTaken,
    InvitationInvalid,
    LoginFailed,
    NotPending,
    WeakPassword,
    WrongPassword,
)
from accompany.services.messaging import audience, planning
from accompany.services.people import login_sessions, login_throttle, phone_codes
from accompany.services.people.passwords import (
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    password_matches,
)
from accompany.services.privacy.audit import record_event

# The welcome text is worth sending for a day after approval; later, the volunteer has found out.
APPROVAL_TEXT_VALID_FOR = timedelta(hours=24)


@dataclass
class VolunteerSignUp:
    """What a volunteer fills in to join."""

    email: str
    name: str
    password: str
    phone: str = ""
    languages: list[str] = field(default_factory=list)
    has_car: bool = False
    home_area: str = ""
    sms_opt_in: bool = False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _check_new_account(email: str, password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword()
    if find_user_by_email(email) is not None:
        raise EmailTaken()


def set_user_phone(user: User, raw_phone: str) -> None:
    """Store `raw_phone` normalized and sealed, with its lookup hash (or clear both)."""
    if raw_phone.strip():
        e164 = normalize_phone(raw_phone)
        user.phone, user.phone_hash = e164, phone_index(e164)
    else:
        user.phone, user.phone_hash = None, None


def set_user_languages(user: User, codes: list[str]) -> None:
    wanted = {Language(code) for code in codes}
    user.languages = [entry for entry in user.languages if entry.language in wanted]
    have = {entry.language for entry in user.languages}
    for language in sorted(wanted - have):
        user.languages.append(VolunteerLanguage(language=language))


def begin_sign_up(*, now: datetime, address: str | None = None) -> None:
    """Count a sign-up from the client `address` (throttled like logins from one address), or
    raise LoginThrottled (audited). The sign-up page commits this before `sign_up_volunteer`."""
    try:
        login_throttle.begin_sign_up(address, now=now, rules=login_throttle.current_rules())
    except login_throttle.LoginThrottled:
        record_event("sign_up.throttled", now=now)
        raise


def sign_up_volunteer(data: VolunteerSignUp, *, now: datetime) -> User | None:
    """Create a pending volunteer who waits for a coordinator's approval.

    An email that already has an account makes nothing (None) and is only audited against that
    account: the password is hashed all the same and the caller answers as for a new sign-up,
    so sign-up never tells whether an email has an account. (The person who forgot they had
    one is told on that page to log in with the password they chose then.)
    """
    if len(data.password) < MIN_LENGTH:
        raise WeakPassword()
    password_hash = hash_password(data.password)
    if find_user_by_email(data.email) is not None:
        _note_sign_up_for_existing_account(data.email, now=now)
        return None
    user = User(
        email=normalize_email(data.email),
        name=data.name.strip(),
        password_hash=password_hash,
        role=Role.VOLUNTEER,
        status=UserStatus.PENDING,
        created_at=now,
        has_car=data.has_car,
        home_area=data.home_area.strip(),
        sms_opt_in=data.sms_opt_in,
    )
    set_user_languages(user, data.languages)
    try:
        with db.session.begin_nested():  # the same email signing up twice at once: one account
            db.session.add(user)
    except IntegrityError:
        _note_sign_up_for_existing_account(data.email, now=now)
        return None
    if data.phone.strip():  # saved once they type back the code we text it (phone_codes.py)
        phone_codes.start_phone_check(user, data.phone, now=now, quiet=True)
    record_event("volunteer.signed_up", now=now, actor=user, subject=user)
    return user


def _note_sign_up_for_existing_account(email: str, *, now: datetime) -> None:
    record_event("volunteer.sign_up_for_existing_account", now=now, subject=find_user_by_email(email))


def create_user(email: str, name: str, role: Role, password: str, *, now: datetime) -> User:
    """Create an active account directly (the shell's `create-user`)."""
    _check_new_account(email, password)
    user = User(
        email=normalize_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        role=Role(role),
        status=UserStatus.ACTIVE,
        created_at=now,
        approved_at=now,
    )
    db.session.add(user)
    db.session.flush()
    record_event("user.created", now=now, subject=user, role=user.role.value)
    return user


# Where the stand-in hash for unknown emails is kept, once per app (it follows the app's hash settings).
UNKNOWN_EMAIL_HASH = "accompany.unknown_email_hash"


def _stand_in_hash() -> str:
    """A real hash of a random password, made once per app: an unknown email is checked against
    it, so it costs one hash check, like a known email (making it anew each time cost two)."""
    extensions = current_app.extensions
    if UNKNOWN_EMAIL_HASH not in extensions:
        extensions[UNKNOWN_EMAIL_HASH] = hash_password(secrets.token_urlsafe(16))
    return extensions[UNKNOWN_EMAIL_HASH]


def _who(user: User | None, email: str) -> dict:
    """Audit details name the account by id, or by a short keyed hash when there is none."""
    return {"subject": user} if user is not None else {"account": login_throttle.account_key(email)[-16:]}


def begin_login(email: str, *, now: datetime, address: str | None = None) -> None:
    """Count a login try against the account and the client `address`, or raise LoginThrottled
    (audited) without looking at the password. The login page commits this before
    `check_password`, so the count holds for tries racing in and no lock is held while hashing."""
    try:
        login_throttle.begin_password_try(email, address, now=now, rules=login_throttle.current_rules())
    except login_throttle.LoginThrottled:
        record_event("login.throttled", now=now, step="password", **_who(find_user_by_email(email), email))
        raise


def check_password(email: str, password: str, *, now: datetime, address: str | None = None) -> User:
    """The account for `email` and `password`, or LoginFailed (same words and the same one hash
    check whether or not the account exists), once `begin_login` has counted the try.

    For an account with two-step login this only says the password was right: the login finishes
    with `finish_login` once the code is checked too.
    """
    rules = login_throttle.current_rules()
    user = find_user_by_email(email)
    right = password_matches(user.password_hash if user is not None else _stand_in_hash(), password)
    if user is None or not right:
        login_throttle.forget_stale(now=now, rules=rules)
        record_event("login.failed", now=now, reason="unknown_email" if user is None else "wrong_password",
                     **_who(user, email))
        raise LoginFailed()
    if user.status == UserStatus.DISABLED:
        record_event("login.failed", now=now, subject=user, reason="disabled")
        raise LoginFailed(N_("This account is not active. Contact a coordinator if you think that is a mistake."))
    login_throttle.password_succeeded(email, address, rules=rules)
    if needs_rehash(user.password_hash):
        _note(user, password_hash=hash_password(password))
    if user.two_factor_enabled:
        record_event("login.password_accepted", now=now, actor=user, subject=user)
    else:
        finish_login(user, now=now)
    return user


def authenticate(email: str, password: str, *, now: datetime, address: str | None = None) -> User:
    """`begin_login` and `check_password` in one go (one transaction): the account for `email`
    and `password`, or LoginThrottled / LoginFailed."""
    begin_login(email, now=now, address=address)
    return check_password(email, password, now=now, address=address)


def finish_login(user: User, *, now: datetime) -> None:
    """Every step of the login is done: note it."""
    _note(user, last_login_at=now)
    record_event("login.succeeded", now=now, actor=user, subject=user)


def _note(user: User, **values) -> None:
    """Write what a login notes about the account (when, a stronger hash of the same password) as
    it is, without the row's version: a login never fails because the account changed meanwhile,
    nor makes a coordinator's change to it fail (two logins at once, an approval during a login)."""
    db.session.execute(update(User).where(User.id == user.id).values(**values)
                       .execution_options(synchronize_session=False))
    for name, value in values.items():
        set_committed_value(user, name, value)


def _parse_login_id(login_id: str) -> tuple[int, int] | None:
    user_id, _, version = login_id.partition(":")
    return (int(user_id), int(version)) if user_id.isdigit() and version.isdigit() else None


def _still_valid(user: User | None, version: int) -> bool:
    return user is not None and user.session_version == version and user.is_active


def load_session_user(login_id: str) -> User | None:
    """The user a session cookie names, if that session has not been revoked."""
    parsed = _parse_login_id(login_id)
    if parsed is None:
        return None
    user = db.session.get(User, parsed[0])
    return user if _still_valid(user, parsed[1]) else None


def load_signed_in_user(login_id: str, token: str | None) -> tuple[User | None, LoginSession | None]:
    """`load_session_user` and this browser's session row (by its cookie's `token`) in one query:
    the user, or None, and the row, or None once that session has ended."""
    parsed = _parse_login_id(login_id)
    if parsed is None:
        return None, None
    user, row = login_sessions.load_signed_in(parsed[0], token)
    return (user, row) if _still_valid(user, parsed[1]) else (None, None)


def end_all_sessions(user: User) -> None:
    """Make every existing session of `user` stop working (the cookie's version and the rows)."""
    user.session_version += 1
    login_sessions.end_user_sessions(user)


def log_out_everywhere(user: User, *, now: datetime) -> None:
    """The person's own "log out everywhere": every browser, this one included."""
    end_all_sessions(user)
    record_event("sessions.ended_everywhere", now=now, actor=user, subject=user)
    db.session.flush()


def change_password(user: User, current: str, new: str, *, now: datetime) -> None:
    """Replace the password after checking the current one; other sessions end."""
    if not password_matches(user.password_hash, current):
        raise WrongPassword()
    replace_password(user, new)
    record_event("password.changed", now=now, actor=user, subject=user)
    db.session.flush()


def replace_password(user: User, new: str) -> None:
    """Set a new password (or WeakPassword); every session of the account ends."""
    if len(new) < MIN_LENGTH:
        raise WeakPassword()
    user.password_hash = hash_password(new)
    end_all_sessions(user)


def staff_accounts() -> list[User]:
    """Coordinators and admins, for the admins' account list: active first, then by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.COORDINATOR, Role.ADMIN]))
            .order_by(User.status, User.name, User.id)
        )
    )


def count_users_by_role_and_status() -> dict[tuple[Role, UserStatus], int]:
    rows = db.session.execute(
        select(User.role, User.status, func.count()).group_by(User.role, User.status)
    )
    return {(role, status): count for role, status, count in rows}


def approve_volunteer(volunteer: User, *, by: User, now: datetime) -> None:
    """Let a pending volunteer see and claim shifts."""
    if volunteer.role != Role.VOLUNTEER or volunteer.status != UserStatus.PENDING:
        raise NotPending()
    volunteer.status = UserStatus.ACTIVE
    volunteer.approved_at = now
    volunteer.approved_by = by
    if audience.user_may_be_texted(volunteer):  # a confirmed number, with texts on
        planning.plan_message(f"user:{volunteer.id}:approved", kind=MessageKind.VOLUNTEER_APPROVED, now=now,
                              not_before=now, send_before=now + APPROVAL_TEXT_VALID_FOR, user=volunteer)
    record_event("volunteer.approved", now=now, actor=by, subject=volunteer)
    db.session.flush()


def decline_volunteer(volunteer: User, *, by: User, now: datetime) -> None:
    """Turn down a pending sign-up; the account can no longer log in."""
    if volunteer.role != Role.VOLUNTEER or volunteer.status != UserStatus.PENDING:
        raise NotPending()
    volunteer.status = UserStatus.DISABLED
    end_all_sessions(volunteer)
    record_event("volunteer.declined", now=now, actor=by, subject=volunteer)
    db.session.flush()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_user(
    email: str, role: Role, *, by: User, now: datetime, valid_for: timedelta = timedelta(days=7)
) -> tuple[Invitation, str]:
    """A one-time invitation for a coordinator or admin; returns it and the secret token."""
    if Role(role) not in (Role.COORDINATOR, Role.ADMIN):
        raise InvitationInvalid(N_("Invitations are for coordinators and admins; volunteers sign up."))
    if find_user_by_email(email) is not None:
        raise EmailTaken()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=_token_hash(token),
        email=normalize_email(email),
        role=Role(role),
        invited_by=by,
        created_at=now,
        expires_at=now + valid_for,
    )
    db.session.add(invitation)
    db.session.flush()
    record_event("invitation.created", now=now, actor=by, subject=invitation, role=invitation.role.value)
    return invitation, token


def find_invitation(token: str, *, now: datetime) -> Invitation:
    """The usable invitation for `token`, or InvitationInvalid."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise InvitationInvalid()
    return invitation


def accept_invitation(token: str, name: str, password: str, *, now: datetime) -> User:
    """Create the invited account (active) and use up the invitation.

    The invitation is used up first, by a compare-and-set on its `used_at`: of two acceptances at
    once (the form sent twice) only one makes an account; the other finds it used.
    """
    invitation = find_invitation(token, now=now)
    used = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        raise InvitationInvalid()
    user = create_user(invitation.email, name, invitation.role, password, now=now)
    invitation.used_at = now
    invitation.user_id = user.id
    record_event("invitation.accepted", now=now, actor=user, subject=invitation)
    db.session.flush()
    return user


def recent_invitations(limit: int = 20) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).order_by(Invitation.created_at.desc()).limit(limit)))
