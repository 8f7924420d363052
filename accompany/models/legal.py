"""Legal providers the network refers families to, and each family's referrals.

A provider is an organisation (its name and contact are not about a family, so they are not
sealed); a referral's notes are about the family and are sealed, and purged with it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, Versioned, db, enum_type
from accompany.marks import N_
from accompany.models.enums import LabelledEnum, Language
from accompany.models.families import Family
from accompany.models.users import User


class LegalService(LabelledEnum):
    """What kind of case a provider takes."""

    REMOVAL_DEFENSE = "removal_defense", "Removal defense"
    ASYLUM = "asylum", "Asylum"
    BOND_HEARINGS = "bond_hearings", "Bond hearings"
    DETAINED_DOCKET = "detained_docket", "Detained docket"


class ReferralStatus(LabelledEnum):
    SENT = "sent", N_("Sent")
    ACCEPTED = "accepted", N_("Accepted")
    DECLINED = "declined", N_("Declined")
    NO_ANSWER = "no_answer", N_("No answer")


# A referral still waiting on the provider: its follow-up date puts it on the dashboard.
AWAITING = (ReferralStatus.SENT, ReferralStatus.NO_ANSWER)


def _listed(values: str, enum_cls) -> list:
    wanted = set(filter(None, (values or "").split(",")))
    return [member for member in enum_cls if member.value in wanted]


class LegalProvider(Versioned, db.Model):
    __tablename__ = "legal_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    languages: Mapped[str] = mapped_column(String(120), default="")  # Language values, comma-separated
    services: Mapped[str] = mapped_column(String(120), default="")  # LegalService values, comma-separated
    taking_cases: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def language_list(self) -> list[Language]:
        return _listed(self.languages, Language)

    @property
    def service_list(self) -> list[LegalService]:
        return _listed(self.services, LegalService)

    def __repr__(self) -> str:
        return f"<LegalProvider {self.id}>"


class LegalReferral(Versioned, db.Model):
    """A family referred to a provider: when, what came of it, when to follow up."""

    __tablename__ = "legal_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("legal_providers.id"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ReferralStatus] = mapped_column(enum_type(ReferralStatus, "referral_status"),
                                                   default=ReferralStatus.SENT)
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    family: Mapped[Family] = relationship()
    provider: Mapped[LegalProvider] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<LegalReferral {self.id} family={self.family_id}>"
