"""One-time codes in texts (confirming a new number, setting a new password): made when the text is
sent, kept only as a keyed hash, sent only to the number they were asked for, never shown again.

Asking for a code (services/people/phone_codes.py) writes a `PhoneCode` row and plans a text for
it; no code exists yet. The text's facts (facts.py) call `make_code` at the moment the dispatcher
renders the text, so the digits exist only in that sender's memory and in the text itself, and
the database gets their HMAC (keyed with BLIND_INDEX_KEY and the row's id). A retried text gets
new digits and the earlier ones stop working.

The dispatcher stores every body it hands to the carrier, sealed (`OutboundMessage.body`), and a
code's text is no exception; `erase_spent_codes` erases those bodies as soon as their code can no
longer be used (used, replaced, given up on or expired), and nothing shows one to coordinators
before that (the inbox shows HIDDEN instead).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from accompany.crypto import keyring
from accompany.database import db
from accompany.models import CodePurpose, OutboundMessage, PhoneCode, UserStatus
from accompany.services.messaging import audience

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)  # from the moment the text goes
# What a coordinator reading a conversation sees in place of a code's text.
HIDDEN = "A one-time code the person asked for (not shown)."


def code_minutes() -> int:
    return int(CODE_LIFETIME.total_seconds() // 60)


def code_for(message: OutboundMessage) -> PhoneCode | None:
    """The code request a text carries."""
    return db.session.scalar(select(PhoneCode).where(PhoneCode.message_id == message.id))


def digest(code: PhoneCode, digits: str) -> str:
    """The keyed hash kept for `digits` as `code`'s code (the row id makes equal codes differ)."""
    return keyring().blind_index("phone-code", f"{code.id}:{digits}")


def make_code(code: PhoneCode, *, now: datetime) -> str:
    """New digits for `code`'s text, good for CODE_LIFETIME from `now`; only their hash is kept."""
    digits = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    code.code_hash = digest(code, digits)
    code.code_expires_at = now + CODE_LIFETIME
    return digits


def destination(message: OutboundMessage) -> str | None:
    """The number a code's text goes to now, or None: the number it was asked for, whatever the
    account's reminder settings (the person is waiting for it), while the code can still be used,
    the account can log in and the number has not opted out. A password code goes only to the
    account's confirmed number, as it still is."""
    code = code_for(message)
    if code is None or not code.live or code.user.status == UserStatus.DISABLED:
        return None
    if code.purpose == CodePurpose.PASSWORD and code.phone_hash != code.user.phone_hash:
        return None
    return None if audience.is_opted_out(code.phone_hash) else code.phone


def erase_spent_codes(*, now: datetime) -> int:
    """Erase the stored bodies of the texts whose code can no longer be used; returns how many."""
    spent = select(PhoneCode.message_id).where(
        PhoneCode.message_id.is_not(None),
        or_(PhoneCode.used_at.is_not(None), PhoneCode.dropped_at.is_not(None), PhoneCode.code_expires_at <= now),
    )
    return db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(spent), OutboundMessage.body.is_not(None))
        .values(body=None)
        .execution_options(synchronize_session="fetch")
    ).rowcount
