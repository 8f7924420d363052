"""People who log in: admins, coordinators and volunteers, with the volunteer profile."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, Versioned, db, enum_type
from accompany.models.enums import Language, PageLanguage, Role, UserStatus
from accompany.words import first_name


class User(Versioned, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"), index=True)
    status: Mapped[UserStatus] = mapped_column(enum_type(UserStatus, "user_status"), index=True)
    # Bumped on logout-everywhere, password change and deactivation: old sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Two-step login (services.two_factor): the TOTP secret, sealed; set while enrolling and kept
    # once confirmed. `totp_last_step` is the last time step a code was accepted for, so a code
    # cannot be used twice (and an older one not after a newer one).
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    # The volunteer profile (coordinators may fill in a phone for alerts too).
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    has_car: Mapped[bool] = mapped_column(Boolean, default=False)
    court_training_on: Mapped[date | None] = mapped_column(Date)
    obligor_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    obligor_attested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    home_area: Mapped[str] = mapped_column(String(120), default="")
    sms_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The one language chosen for this person's pages and texts (the picker or the profile sets
    # it); None until they choose, when pages follow the browser and texts their first language.
    preferred_language: Mapped[PageLanguage | None] = mapped_column(enum_type(PageLanguage, "page_language"))

    languages: Mapped[list[VolunteerLanguage]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        order_by="VolunteerLanguage.language",
    )
    approved_by: Mapped[User | None] = relationship(remote_side=[id])

    # Flask-Login protocol, written out so the login id can carry the session version.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status != UserStatus.DISABLED

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_staff(self) -> bool:
        """Coordinators and admins: the people who may see families."""
        return self.role in (Role.COORDINATOR, Role.ADMIN) and self.status == UserStatus.ACTIVE

    @property
    def two_factor_enabled(self) -> bool:
        """Logging in takes a code from an authenticator app (or a recovery code) after the password."""
        return self.two_factor_enabled_at is not None

    @property
    def first_name(self) -> str:
        return first_name(self.name)

    @property
    def language_codes(self) -> list[str]:
        return [entry.language.value for entry in self.languages]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}/{self.status.value}>"


class VolunteerLanguage(db.Model):
    """One language a volunteer speaks well enough to accompany or interpret in."""

    __tablename__ = "volunteer_languages"
    __table_args__ = (UniqueConstraint("user_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    language: Mapped[Language] = mapped_column(enum_type(Language, "language"), index=True)

    user: Mapped[User] = relationship(back_populates="languages")


class Invitation(db.Model):
    """An admin's one-time link for a new coordinator or admin. Only the token's hash is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(enum_type(Role, "invitation_role"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
