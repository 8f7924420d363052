"""Casework (issue 14, points 1 and 2): what a family needs beyond a date, and the tasks volunteers
take for it. Notes, task details and reports are sealed at rest (DESIGN §4); a task's title is
what a volunteer sees on the board, and the form says it carries no names.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, Versioned, db, enum_type
from accompany.models.appointments import Appointment
from accompany.models.enums import Language, NeedKind, NeedStatus
from accompany.models.families import Family
from accompany.models.users import User


class Need(Versioned, db.Model):
    """Something a family needs (a bond, letters, housing...), with an owner and a due date.

    The due date is a day, or hangs on one of the family's appointments (`days_before` it, in the
    place's time zone): `due_on` then follows the appointment when it is rescheduled."""

    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("days_before IS NULL OR days_before >= 0", name="days_before_not_negative"),
        CheckConstraint("days_before IS NULL OR appointment_id IS NOT NULL", name="days_before_has_appointment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NeedKind] = mapped_column(enum_type(NeedKind, "need_kind"), index=True)
    status: Mapped[NeedStatus] = mapped_column(enum_type(NeedStatus, "need_status"), default=NeedStatus.OPEN,
                                               index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"),
                                                       index=True)
    days_before: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    family: Mapped[Family] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    appointment: Mapped[Appointment | None] = relationship()
    tasks: Mapped[list[Task]] = relationship(back_populates="need", cascade="all, delete-orphan",
                                             order_by="(Task.due_on, Task.id)")

    def __repr__(self) -> str:
        return f"<Need {self.id} {self.kind.value} {self.status.value}>"


class Task(Versioned, db.Model):
    """Volunteer work for a need that is not a shift: wanted by `wanted` volunteers, each holding
    one place (TaskTaker), with the same requirements a shift can have."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("wanted >= 1", name="wanted_positive"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
        CheckConstraint("taken <= wanted", name="taken_within_wanted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    details: Mapped[str | None] = mapped_column(EncryptedText)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    wanted: Mapped[int] = mapped_column(Integer, default=1)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    requires_car: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[Language | None] = mapped_column(enum_type(Language, "task_language"))
    requires_training: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    need: Mapped[Need] = relationship(back_populates="tasks")
    takers: Mapped[list[TaskTaker]] = relationship(back_populates="task", cascade="all, delete-orphan",
                                                   order_by="TaskTaker.taken_at")

    # A task never needs a bond obligor; the shared requirement rules read this like a shift's.
    requires_obligor = False

    @hybrid_property
    def places_left(self) -> int:
        return self.wanted - self.taken

    @hybrid_property
    def has_free_place(self) -> bool:
        return self.taken < self.wanted

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.taken}/{self.wanted}>"


class TaskTaker(Versioned, db.Model):
    """A volunteer holding one place of a task; once done it carries their report."""

    __tablename__ = "task_takers"
    __table_args__ = (UniqueConstraint("task_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report: Mapped[str | None] = mapped_column(EncryptedText)

    task: Mapped[Task] = relationship(back_populates="takers")
    volunteer: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<TaskTaker {self.id} task={self.task_id} volunteer={self.volunteer_id}>"
