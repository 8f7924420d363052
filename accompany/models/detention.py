"""Detention response: a case per detained person, its timeline, and the on-call rota (issue 15).

No A-number or any other identifier is stored, even here (DESIGN §4): finding where the person
is held happens outside the app; the case keeps only the place once known (a Location, or a
sealed line of free text).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, Versioned, db, enum_type
from accompany.models.appointments import Appointment, Shift
from accompany.models.enums import DetentionOutcome, NeedKind, RotaSpan
from accompany.models.families import Family
from accompany.models.locations import Location
from accompany.models.needs import Need
from accompany.models.users import User


class DetentionCase(Versioned, db.Model):
    """Someone in a family was detained. While it is open it drives the alert chain (rows in the
    outbox, see services/detention/alert_chain.py) and can pause the family's texts.

    `open_family_id` and `open_code` are the family and code while the case is open, NULL once
    closed: their unique constraints make "one open case per family" and "a code unique among
    open cases" hold even when two reports arrive at once. A page's change (where held, the
    family's texts) is a compare-and-set on the version the page's request read (Versioned)."""

    __tablename__ = "detention_cases"
    __table_args__ = (
        CheckConstraint("(closed_at IS NULL) = (open_family_id IS NOT NULL)", name="open_marks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    open_family_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    code: Mapped[str] = mapped_column(String(8))
    open_code: Mapped[str | None] = mapped_column(String(8), unique=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    report_note: Mapped[str | None] = mapped_column(EncryptedText)  # sealed; purged with the family
    last_seen_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    held_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    held_note: Mapped[str | None] = mapped_column(EncryptedText)  # where held, when no Location fits
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    texts_paused: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[DetentionOutcome | None] = mapped_column(enum_type(DetentionOutcome, "detention_outcome"))
    outcome_note: Mapped[str | None] = mapped_column(EncryptedText)

    family: Mapped[Family] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    shift: Mapped[Shift | None] = relationship()
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    last_seen_location: Mapped[Location | None] = relationship(foreign_keys=[last_seen_location_id])
    held_location: Mapped[Location | None] = relationship(foreign_keys=[held_location_id])
    events: Mapped[list[DetentionEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="DetentionEvent.at, DetentionEvent.id"
    )
    steps: Mapped[list[CaseStep]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseStep.position, CaseStep.id"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def __repr__(self) -> str:
        return f"<DetentionCase {self.id} {'open' if self.is_open else 'closed'}>"


class DetentionEvent(db.Model):
    """One line of a case's timeline (report, acknowledgement, pause, resume, close...). It holds
    no names or numbers: who did it is `actor`, and the alert steps are read from the outbox."""

    __tablename__ = "detention_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("detention_cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(String(120), default="")  # fixed words, never free text

    case: Mapped[DetentionCase] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class OnCallTurn(db.Model):
    """One turn on the on-call rota: `user` is on call from `starts_on` for a day or a week
    (org-local dates); `position` orders the people on call on the same day (1 first)."""

    __tablename__ = "on_call_turns"
    __table_args__ = (
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("ends_on >= starts_on", name="dates_order"),
        UniqueConstraint("user_id", "starts_on"),  # the same turn added twice (a double tap) is one
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date, index=True)  # inclusive: the span's last day
    span: Mapped[RotaSpan] = mapped_column(enum_type(RotaSpan, "rota_span"))
    position: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ChecklistStep(Versioned, db.Model):
    """One step of the checklist the network follows after a detention (the template every new
    case copies). `title` is the network's own words, never a family's: the form says so.

    `need_kind`: the step becomes a casework Need of that kind on the family. `plans_visit`: the
    step offers to plan a detention visit at the facility. `due_days`: due that many org-local
    days after the case opens. `default_key` names a step written by `ensure_default_steps`; its
    unique constraint makes the defaults go in once even when two requests write them at once."""

    __tablename__ = "checklist_steps"
    __table_args__ = (
        CheckConstraint("due_days >= 0", name="due_days_not_negative"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    need_kind: Mapped[NeedKind | None] = mapped_column(enum_type(NeedKind, "checklist_need_kind"))
    plans_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    due_days: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    default_key: Mapped[str | None] = mapped_column(String(30), unique=True)

    def __repr__(self) -> str:
        return f"<ChecklistStep {self.id} #{self.position}>"


class CaseStep(db.Model):
    """A case's copy of one checklist step, made when the case opens. It holds no family data:
    the title is the template's words. A step with a need is done when the need is met or closed
    (read from the need, not stored twice); any step is done once ticked (`done_at`)."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("detention_cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    plans_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    case: Mapped[DetentionCase] = relationship(back_populates="steps")
    need: Mapped[Need | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    @property
    def need_done(self) -> bool:
        return self.need is not None and not self.need.status.is_live

    @property
    def is_done(self) -> bool:
        return self.done_at is not None or self.need_done

    def __repr__(self) -> str:
        return f"<CaseStep {self.id} case={self.case_id} #{self.position}>"
