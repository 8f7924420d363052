"""What keeps accounts safe: login throttles, live sessions, two-step recovery codes and the
one-time codes texted to a phone.

None of these tables holds an email, an address or a secret in the clear: throttle keys,
recovery codes and texted codes are keyed hashes, session tokens are SHA-256 hashes of what the
cookie carries, a two-step secret being set up is encrypted, and the number a code goes to is sealed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, db, enum_type
from accompany.models.enums import CodePurpose
from accompany.models.messages import OutboundMessage
from accompany.models.users import User


class LoginThrottle(db.Model):
    """Failed tries for one key (an account, a client address, an account's second step).

    One row per key, changed only by single atomic statements, so several web processes
    share one count. A missing row means no recent failures.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The next try for this key is answered "wait" until then.
    wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.failures} failures>"


class LoginSession(db.Model):
    """One signed-in browser. The session cookie carries a token; only its hash is kept here.

    Deleting the row ends that session (log out); deleting all of a user's rows ends them all.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Two-step login being set up in this browser (services.people.two_factor): the new secret,
    # sealed, until a code made from it is typed here. Another browser of the account starting
    # setup takes the secret away but leaves the time, so each can tell the owner about the other.
    two_factor_setup_secret: Mapped[str | None] = mapped_column(EncryptedText)
    two_factor_setup_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user {self.user_id}>"


class RecoveryCode(db.Model):
    """One of a user's one-time recovery codes for two-step login, kept as a keyed hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user {self.user_id}>"


class PhoneCode(db.Model):
    """A one-time code someone asked us to text (services/people/phone_codes.py): to a number they
    want to use, which is saved on their account only once they type the code back, or to their
    confirmed number, to set a new password.

    The code itself is made when the text is sent and kept only as a keyed hash; `message_id` is
    the text that carries it, whose stored body is erased once the code is spent.
    """

    __tablename__ = "phone_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[CodePurpose] = mapped_column(enum_type(CodePurpose, "code_purpose"))
    phone: Mapped[str] = mapped_column(EncryptedText)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    # A password reset's browser holds a random token; only its SHA-256 is kept, to find this row.
    request_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id", ondelete="SET NULL"),
                                                    index=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Replaced by a newer code, given up on, or tried wrong too often: it can never be used.
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    message: Mapped[OutboundMessage | None] = relationship()

    @property
    def live(self) -> bool:
        """Neither used nor dropped (its code may still have to be sent, or have expired)."""
        return self.used_at is None and self.dropped_at is None

    def __repr__(self) -> str:
        return f"<PhoneCode {self.id} {self.purpose.value} user {self.user_id}>"
