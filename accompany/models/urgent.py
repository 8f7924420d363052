"""Filling an urgent shift by text: one call per shift, one ask per volunteer texted about it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.database import UTCDateTime, db, enum_type
from accompany.models.appointments import Shift
from accompany.models.enums import UrgentAnswer
from accompany.models.users import User


class UrgentCall(db.Model):
    """A coordinator's "text eligible volunteers" on one shift, asked in groups until it is filled.

    The `code` goes in every ask ("Reply YES 4821"), so a volunteer asked about two shifts can say
    which one they mean; it is unique among the calls still open.
    """

    __tablename__ = "urgent_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(8), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    next_round_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set when the call stops: the shift was filled or closed, or nobody is left to ask.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    end_reason: Mapped[str] = mapped_column(String(20), default="")
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # coordinators told it is still open

    shift: Mapped[Shift] = relationship()
    started_by: Mapped[User | None] = relationship()
    asks: Mapped[list[UrgentAsk]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="UrgentAsk.asked_at, UrgentAsk.id"
    )

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def __repr__(self) -> str:
        return f"<UrgentCall {self.id} shift={self.shift_id}>"


class UrgentAsk(db.Model):
    """One volunteer texted about one urgent shift, and what they answered."""

    __tablename__ = "urgent_asks"
    __table_args__ = (
        UniqueConstraint("call_id", "volunteer_id"),
        Index("ix_urgent_asks_volunteer_asked", "volunteer_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("urgent_calls.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[UrgentAnswer | None] = mapped_column(enum_type(UrgentAnswer, "urgent_answer"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[UrgentCall] = relationship(back_populates="asks")
    volunteer: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UrgentAsk {self.id} call={self.call_id} volunteer={self.volunteer_id}>"
