"""Appointments, the shifts each one needs, and the volunteers' claims on those shifts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, Versioned, db, enum_type
from accompany.models.enums import (
    AppointmentKind,
    AppointmentStatus,
    AttendanceMode,
    Language,
    Outcome,
    ShiftRole,
    VerifyMethod,
)
from accompany.models.families import Family
from accompany.models.locations import Location
from accompany.models.users import User

LIVE_CONDITION = f"status IN ('{AppointmentStatus.SCHEDULED.value}', '{AppointmentStatus.DRAFT.value}')"


class AppointmentSeries(db.Model):
    """Check-ins entered once as a series: every N weeks, or monthly, until a day. Each occurrence
    is an ordinary appointment (its own shifts and reminders) that points here."""

    __tablename__ = "appointment_series"
    __table_args__ = (CheckConstraint("every_weeks IS NULL OR every_weeks >= 1", name="every_weeks_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    every_weeks: Mapped[int | None] = mapped_column(Integer)  # None: monthly, on the same day of the month
    until: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<AppointmentSeries {self.id}>"


class Appointment(Versioned, db.Model):
    __tablename__ = "appointments"
    __table_args__ = (
        # One live appointment per family at a moment: an import's repeated row, a form sent twice
        # or two coordinators entering the same hearing make one appointment, not two.
        Index("uq_appointments_family_id_starts_at_live", "family_id", "starts_at", unique=True,
              sqlite_where=text(LIVE_CONDITION), postgresql_where=text(LIVE_CONDITION)),
        # The dashboard's count of hearing dates nobody has checked (scheduled, verified_on NULL,
        # a hearing kind, ahead), read from the index alone rather than from every row ahead.
        Index("ix_appointments_status_verified_on_kind_starts_at", "status", "verified_on", "kind", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    kind: Mapped[AppointmentKind] = mapped_column(enum_type(AppointmentKind, "appointment_kind"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    mode: Mapped[AttendanceMode] = mapped_column(
        enum_type(AttendanceMode, "attendance_mode"), default=AttendanceMode.IN_PERSON
    )
    judge: Mapped[str] = mapped_column(String(120), default="")
    interpreter_language: Mapped[Language | None] = mapped_column(
        enum_type(Language, "interpreter_language")
    )
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified_by: Mapped[str] = mapped_column(String(120), default="")
    # How the date was checked (the court's line, the portal, or other with a note); None when it
    # was typed on the details form, or not checked.
    verified_how: Mapped[VerifyMethod | None] = mapped_column(enum_type(VerifyMethod, "verify_method"))
    verified_note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[AppointmentStatus] = mapped_column(
        enum_type(AppointmentStatus, "appointment_status"),
        default=AppointmentStatus.SCHEDULED,
        index=True,
    )
    outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome, "appointment_outcome"), index=True)
    outcome_notes: Mapped[str | None] = mapped_column(EncryptedText)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a coordinator has dealt with a "detained" outcome; until then the dashboard shows it.
    alert_cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    family_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ride_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment_series.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    family: Mapped[Family] = relationship(back_populates="appointments")
    location: Mapped[Location] = relationship()
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan", order_by="Shift.starts_at"
    )
    previous: Mapped[Appointment | None] = relationship(remote_side=[id])
    series: Mapped[AppointmentSeries | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<Appointment {self.id} {self.kind.value}>"


class Shift(Versioned, db.Model):
    """One volunteer role for an appointment, with a number of slots."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("slots >= 1", name="slots_positive"),
        CheckConstraint("filled >= 0", name="filled_not_negative"),
        CheckConstraint("filled <= slots", name="filled_within_slots"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ShiftRole] = mapped_column(enum_type(ShiftRole, "shift_role"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    meeting_point: Mapped[str] = mapped_column(String(255), default="")
    slots: Mapped[int] = mapped_column(Integer, default=1)
    filled: Mapped[int] = mapped_column(Integer, default=0)
    requires_car: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[Language | None] = mapped_column(enum_type(Language, "shift_language"))
    requires_training: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_obligor: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    appointment: Mapped[Appointment] = relationship(back_populates="shifts")
    claims: Mapped[list[Claim]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", order_by="Claim.claimed_at"
    )

    # The rules about a shift's time and slots, each written once. The hybrids read the same in
    # Python (`shift.is_claimable(now)`) and in a query (`select(Shift).where(Shift.is_claimable(now))`).

    @hybrid_property
    def slots_left(self) -> int:
        return self.slots - self.filled

    @hybrid_property
    def has_free_slot(self) -> bool:
        return self.filled < self.slots

    @hybrid_method
    def is_open(self, now: datetime) -> bool:
        """Not begun, and its appointment still scheduled: a slot may still be taken or given."""
        return self.appointment.status == AppointmentStatus.SCHEDULED and self.starts_at > now

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls, now: datetime) -> ColumnElement[bool]:
        return and_(cls.appointment.has(Appointment.status == AppointmentStatus.SCHEDULED), cls.starts_at > now)

    @hybrid_method
    def is_claimable(self, now: datetime) -> bool:
        """Open and with a slot free: still waiting for a volunteer (the board shows it)."""
        return self.is_open(now) & self.has_free_slot

    @hybrid_method
    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether this shift's time and [starts_at, ends_at) share a moment (touching ends do not)."""
        return (self.starts_at < ends_at) & (self.ends_at > starts_at)

    def __repr__(self) -> str:
        return f"<Shift {self.id} {self.role.value} {self.filled}/{self.slots}>"


class Claim(Versioned, db.Model):
    """A volunteer holding one slot of a shift; afterwards it carries their report."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("shift_id", "volunteer_id"),
        CheckConstraint("report_hours IS NULL OR report_hours >= 0", name="hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    report_outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome, "report_outcome"))
    report_hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    report_notes: Mapped[str | None] = mapped_column(EncryptedText)
    report_next_date: Mapped[date | None] = mapped_column(Date)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shift: Mapped[Shift] = relationship(back_populates="claims")
    volunteer: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Claim {self.id} shift={self.shift_id} volunteer={self.volunteer_id}>"
