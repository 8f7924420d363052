"""A volunteer deleting their own account (DESIGN §4): their shifts to come are let go, their
texts' words and number cleared, and the account anonymized and disabled. The carrier's copies of
their texts go on the next `flask purge` (accompany/services/privacy/retention.py), not in their request.

Flushes and never commits; the audit event holds ids and counts, never values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from accompany.crypto import keyring
from accompany.database import db
from accompany.models import Claim, InboundMessage, OutboundMessage, PhoneCode, Role, Shift, User, UserStatus
from accompany.services.casework.tasks import give_back_all
from accompany.services.errors import DomainError
from accompany.services.messaging import planning
from accompany.services.people.accounts import end_all_sessions
from accompany.services.people.passwords import password_matches
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.claims import release_all

DELETED_VOLUNTEER_NAME = "Deleted volunteer"
# Not an argon2 hash, so no password ever matches it (password_matches answers False).
UNUSABLE_PASSWORD_HASH = "!account-deleted"  # nosec B105


class AccountNotDeletable(DomainError):
    message = (
        "Only volunteers can delete their own account here. Coordinators and admins: ask an "
        "admin to deactivate your account."
    )


class DeletePasswordWrong(DomainError):
    field = "delete_password"
    message = "That password is not right, so your account was not deleted."


def deleted_email(user_id: int | str) -> str:
    """A unique login that is not an address (`.invalid` is reserved: RFC 2606)."""
    return f"deleted-{user_id}@invalid"


def _deleted_sender_key(user_id: int) -> str:
    return keyring().blind_index("deleted-user", str(user_id))


@dataclass
class AccountDeletion:
    user_id: int
    claims_released: int
    late_releases: int  # of those: close enough to the shift that coordinators were alerted
    messages_cancelled: int
    texts_cleared: int  # texts to and from them whose words (and number) were cleared


def may_delete_own_account(user: User | None) -> bool:
    """Volunteers (approved or waiting) may delete their own account; staff may not, here."""
    return bool(user is not None and user.role == Role.VOLUNTEER
                and user.status in (UserStatus.PENDING, UserStatus.ACTIVE))


def delete_volunteer_account(user: User, password: str, *, now: datetime) -> AccountDeletion:
    """A volunteer deletes their own account, confirming with their password.

    Their shifts still to come are released (coordinators get the usual late-release alerts),
    their pending texts cancelled, the words and number of their texts cleared, and the account
    anonymized and disabled: every session ends and nothing can log in to it. Claims on shifts
    that have begun stay, under the anonymized account, so the network's numbers survive.
    Raises AccountNotDeletable or DeletePasswordWrong (changing nothing).
    """
    if not may_delete_own_account(user):
        raise AccountNotDeletable()
    if not password_matches(user.password_hash, password or ""):
        raise DeletePasswordWrong()
    released, late = release_all(list(db.session.scalars(
        select(Claim).join(Claim.shift)
        .where(Claim.volunteer_id == user.id, Shift.starts_at > now)
        .order_by(Shift.starts_at, Claim.id)
    )), now=now, by=user)
    give_back_all(user, now=now, by=user)  # casework tasks they hold open again
    cancelled = planning.cancel_user_messages(user)

    texts = 0
    for row in db.session.scalars(select(OutboundMessage).where(OutboundMessage.user_id == user.id)):
        row.body = None
        texts += 1
    key = _deleted_sender_key(user.id)
    for row in db.session.scalars(select(InboundMessage).where(InboundMessage.user_id == user.id)):
        row.body, row.from_phone, row.from_hash = "", "", key
        row.handled_at = row.handled_at or now
        texts += 1

    # A number they typed that waits for its code, and their codes, go too.
    db.session.execute(delete(PhoneCode).where(PhoneCode.user_id == user.id))

    user.name = DELETED_VOLUNTEER_NAME
    user.email = deleted_email(user.id)
    user.phone = user.phone_hash = user.calendar_token = None
    user.home_area = ""
    user.languages = []
    user.has_car = user.obligor_eligible = user.sms_opt_in = False
    user.court_training_on = user.obligor_attested_at = None
    user.status = UserStatus.DISABLED
    user.password_hash = UNUSABLE_PASSWORD_HASH
    end_all_sessions(user)  # every browser, this one included
    record_event(
        "account.deleted", now=now, actor=user, subject=user, claims_released=released,
        late_releases=late, messages_cancelled=cancelled, texts_cleared=texts,
    )
    db.session.flush()
    return AccountDeletion(user_id=user.id, claims_released=released, late_releases=late,
                           messages_cancelled=cancelled, texts_cleared=texts)
