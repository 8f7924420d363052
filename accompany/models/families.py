"""Families being accompanied. Name, phone and notes are sealed at rest (DESIGN §4).

There are deliberately no fields for immigration status, nationality, A-number or case number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, Versioned, db, enum_type
from accompany.models.enums import Language, Wording
from accompany.words import first_name


class Family(Versioned, db.Model):
    __tablename__ = "families"
    # The dashboard's count of open families without SMS consent, read from the index alone.
    __table_args__ = (Index("ix_families_closed_at_sms_consent", "closed_at", "sms_consent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    language: Mapped[Language] = mapped_column(enum_type(Language, "family_language"), index=True)
    town: Mapped[str] = mapped_column(String(80), default="", index=True)
    # Time zone for quiet hours; empty means the organization's.
    timezone: Mapped[str] = mapped_column(String(64), default="")
    wording: Mapped[Wording] = mapped_column(enum_type(Wording, "wording"), default=Wording.DISCREET)

    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_given_by: Mapped[str | None] = mapped_column(EncryptedText)  # may hold a name
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_method: Mapped[str] = mapped_column(String(120), default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    appointments: Mapped[list[Appointment]] = relationship(  # noqa: F821
        back_populates="family", order_by="Appointment.starts_at"
    )

    @property
    def first_name(self) -> str:
        return first_name(self.name)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def __repr__(self) -> str:  # never the name or phone
        return f"<Family {self.id}>"
