"""Letters of support for a family's hearing: the drive, who was asked, and the letters that came.

The app tracks letters; it stores no files. A community contact is someone outside the network:
only their name (sealed) and how they know the family are kept, never a phone (least data). A
letter writer's name is sealed too; the purge anonymizes both with the family.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, Versioned, db
from accompany.models.appointments import Appointment
from accompany.models.users import User


class LetterDrive(Versioned, db.Model):
    """Collecting letters of support for one hearing: how many are wanted, by when, and who owns it."""

    __tablename__ = "letter_drives"
    __table_args__ = (CheckConstraint("target >= 1", name="target_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One drive per hearing: a form sent twice starts one drive.
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), unique=True)
    target: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    appointment: Mapped[Appointment] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    asks: Mapped[list[LetterAsk]] = relationship(
        back_populates="drive", cascade="all, delete-orphan", order_by="LetterAsk.asked_at, LetterAsk.id"
    )
    letters: Mapped[list[SupportLetter]] = relationship(
        back_populates="drive", cascade="all, delete-orphan", order_by="SupportLetter.received_on, SupportLetter.id"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def received(self) -> int:
        return len(self.letters)

    def __repr__(self) -> str:
        return f"<LetterDrive {self.id} appointment={self.appointment_id}>"


class LetterAsk(db.Model):
    """Someone asked for a letter: a volunteer (an account) or a community contact (a sealed name)."""

    __tablename__ = "letter_asks"
    __table_args__ = (
        UniqueConstraint("drive_id", "volunteer_id"),
        CheckConstraint("(volunteer_id IS NULL) <> (contact_name IS NULL)", name="one_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drive_id: Mapped[int] = mapped_column(ForeignKey("letter_drives.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contact_name: Mapped[str | None] = mapped_column(EncryptedText)
    relationship_to_family: Mapped[str] = mapped_column(String(80), default="")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    drive: Mapped[LetterDrive] = relationship(back_populates="asks")
    volunteer: Mapped[User | None] = relationship(foreign_keys=[volunteer_id])
    letter: Mapped[SupportLetter | None] = relationship(back_populates="ask", uselist=False)

    @property
    def who(self) -> str:
        return self.volunteer.name if self.volunteer is not None else (self.contact_name or "")

    def __repr__(self) -> str:  # never the name
        return f"<LetterAsk {self.id} drive={self.drive_id}>"


class SupportLetter(db.Model):
    """A letter received (the paper or file stays with the coordinator; only the fact is kept)."""

    __tablename__ = "support_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    drive_id: Mapped[int] = mapped_column(ForeignKey("letter_drives.id", ondelete="CASCADE"), index=True)
    # The ask it answers, when it came from someone asked: one letter per ask.
    ask_id: Mapped[int | None] = mapped_column(ForeignKey("letter_asks.id", ondelete="SET NULL"), unique=True)
    # Only for a letter from someone not asked: an asked person's name is on their ask (least data).
    writer_name: Mapped[str | None] = mapped_column(EncryptedText)
    relationship_to_family: Mapped[str] = mapped_column(String(80), default="")
    received_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    drive: Mapped[LetterDrive] = relationship(back_populates="letters")
    ask: Mapped[LetterAsk | None] = relationship(back_populates="letter")

    @property
    def writer(self) -> str:
        return self.writer_name or (self.ask.who if self.ask is not None else "")

    def __repr__(self) -> str:  # never the name
        return f"<SupportLetter {self.id} drive={self.drive_id}>"
