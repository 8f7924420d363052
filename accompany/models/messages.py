"""The SMS outbox, inbound texts, opt-outs and the scheduler's heartbeat (DESIGN §6).

An outbound message is a row before it is a text: planned with a dedupe key, a window
(`not_before` .. `send_before`) and a state that only ever moves forward.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, db, enum_type
from accompany.models.enums import Language, MessageKind, MessageState, RecipientKind
from accompany.models.families import Family
from accompany.models.users import User


class MessageKindType(TypeDecorator):
    """A MessageKind, stored as its value. Not `enum_type`: a reminder at configured days
    ("family_reminder_14d") is a kind no member lists, so the CHECK (`message_kind_check`) takes
    the reminder pattern too, and the models refuse a kind nobody words as soon as it is set."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else str(value)  # a member, or a LIKE pattern from a filter

    def process_result_value(self, value: str | None, dialect) -> MessageKind | None:
        return None if value is None else MessageKind(value)


def message_kind_check(column: str) -> CheckConstraint:
    """The database's side of MessageKindType: `column` holds a member's value or a reminder's."""
    values = ", ".join(f"'{kind.value}'" for kind in MessageKind)
    return CheckConstraint(f"{column} IN ({values}) OR {column} LIKE '{MessageKind.FAMILY_REMINDER}_%d'",
                           name="message_kind")

class OutboundMessage(db.Model):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        CheckConstraint("(family_id IS NULL) <> (user_id IS NULL)", name="one_recipient"),
        CheckConstraint("send_before > not_before", name="window_order"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        message_kind_check("kind"),
        Index("ix_outbound_messages_due", "state", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One row per (subject, recipient, kind): planning twice never plans twice.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[MessageKind] = mapped_column(MessageKindType())
    recipient_kind: Mapped[RecipientKind] = mapped_column(enum_type(RecipientKind, "recipient_kind"))
    family_id: Mapped[int | None] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)

    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    send_before: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[MessageState] = mapped_column(
        enum_type(MessageState, "message_state"), default=MessageState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    # Set (and committed) just before the provider is called: after a crash, a row claimed but
    # never handed over can safely go again; one handed over may have gone and becomes UNKNOWN.
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(16))
    error_message: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[Language | None] = mapped_column(enum_type(Language, "message_language"))
    body: Mapped[str | None] = mapped_column(EncryptedText)  # as sent; purged with the family
    segments: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    family: Mapped[Family | None] = relationship()
    user: Mapped[User | None] = relationship()

    @validates("kind")
    def _known_kind(self, key: str, kind: str) -> MessageKind:
        return MessageKind(kind)  # a kind nobody words fails here, before it can be planned and lost

    def __repr__(self) -> str:
        return f"<OutboundMessage {self.id} {self.kind} {self.state.value}>"


class InboundMessage(db.Model):
    """A text someone sent us. The sender is found by the phone's blind index."""

    __tablename__ = "inbound_messages"
    __table_args__ = (message_kind_check("answered_with"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    from_hash: Mapped[str] = mapped_column(String(64), index=True)
    from_phone: Mapped[str] = mapped_column(EncryptedText)
    body: Mapped[str] = mapped_column(EncryptedText)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    family_id: Mapped[int | None] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # What it was read as (accompany.services.messaging.keywords): stop, start, help, confirm, ride, yes, no,
    # stop_request (sounds like "stop texting me": a coordinator decides) or other.
    kind: Mapped[str] = mapped_column(String(20), default="other")
    # What it was about (a confirmed appointment, a ride request) and what we answered with
    # (None: nothing), so the conversation reads as it happened.
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))
    answered_with: Mapped[MessageKind | None] = mapped_column(MessageKindType())
    # Set when no person needs to look at it any more: at once for a keyword, else by a coordinator.
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @validates("answered_with")
    def _known_answer(self, key: str, kind: str | None) -> MessageKind | None:
        return None if kind is None else MessageKind(kind)

    def __repr__(self) -> str:
        return f"<InboundMessage {self.id} {self.kind}>"


class OptOut(db.Model):
    """A number that said STOP. Nothing is sent to it while `active`."""

    __tablename__ = "opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    keyword: Mapped[str] = mapped_column(String(20), default="")
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opted_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchedulerHeartbeat(db.Model):
    """Written by the scheduler on every tick so the web side can tell it is alive."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
