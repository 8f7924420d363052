"""The bond fund (issue 14, point 3): bonds paid for detained people, their moves, and the fund's ledger.

Money is integer cents. Names and references are sealed (DESIGN §4): the bonded person's name,
an obligor from outside the network, a donor, the receipt and cancellation-form references.
Ledger entries are never changed or deleted: a correction is a new reversing entry that points
at the one it reverses (one reversal per entry, by a unique key).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accompany.crypto import EncryptedText
from accompany.database import UTCDateTime, Versioned, db, enum_type
from accompany.models.enums import BondPaidHow, BondSetBy, BondStatus, FundEntryKind
from accompany.models.families import Family
from accompany.models.locations import Location
from accompany.models.users import User


class Bond(Versioned, db.Model):
    """A bond set for a detained person of a family. Every status move is a compare-and-set on
    the row's version, recorded in `changes`."""

    __tablename__ = "bonds"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    person: Mapped[str | None] = mapped_column(EncryptedText)  # who is detained (first name), sealed
    amount_cents: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[BondSetBy] = mapped_column(enum_type(BondSetBy, "bond_set_by"))
    set_on: Mapped[date] = mapped_column(Date)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    facility_other: Mapped[str] = mapped_column(String(160), default="")  # a place not in the list
    status: Mapped[BondStatus] = mapped_column(enum_type(BondStatus, "bond_status"), index=True)
    status_on: Mapped[date] = mapped_column(Date)  # the day of the latest move
    cancelled_on: Mapped[date | None] = mapped_column(Date)  # when the bond was cancelled: refunds overdue count from it
    obligor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    obligor_name: Mapped[str | None] = mapped_column(EncryptedText)  # someone outside the network, sealed
    paid_how: Mapped[BondPaidHow | None] = mapped_column(enum_type(BondPaidHow, "bond_paid_how"))
    receipt_ref: Mapped[str | None] = mapped_column(EncryptedText)
    cancellation_ref: Mapped[str | None] = mapped_column(EncryptedText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    family: Mapped[Family] = relationship()
    facility: Mapped[Location | None] = relationship()
    obligor: Mapped[User | None] = relationship(foreign_keys=[obligor_id])
    changes: Mapped[list[BondStatusChange]] = relationship(
        back_populates="bond", order_by="BondStatusChange.id", cascade="all, delete-orphan"
    )

    @property
    def facility_name(self) -> str:
        return self.facility.name if self.facility is not None else self.facility_other

    def __repr__(self) -> str:  # never a name
        return f"<Bond {self.id} {self.status.value}>"


class BondStatusChange(db.Model):
    """One move of a bond's status: from what, to what, on which day, who recorded it and when."""

    __tablename__ = "bond_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    bond_id: Mapped[int] = mapped_column(ForeignKey("bonds.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[BondStatus | None] = mapped_column(enum_type(BondStatus, "bond_change_from"))
    to_status: Mapped[BondStatus] = mapped_column(enum_type(BondStatus, "bond_change_to"))
    day: Mapped[date] = mapped_column(Date)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    bond: Mapped[Bond] = relationship(back_populates="changes")
    by: Mapped[User | None] = relationship()


class FundEntry(db.Model):
    """One dated line of the fund's ledger. `amount_cents` is what the line is about (always more
    than zero); `cash_cents` is what it does to the balance (+ in, - out, 0 for a pledge), kept so
    the balance is one SUM. A reversal carries the reversed line's amount and the opposite cash."""

    __tablename__ = "fund_entries"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FundEntryKind] = mapped_column(enum_type(FundEntryKind, "fund_entry_kind"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    cash_cents: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date, index=True)  # the day the money moved (or was promised)
    donor: Mapped[str | None] = mapped_column(EncryptedText)  # None: anonymous (or no donor: a fee)
    bond_id: Mapped[int | None] = mapped_column(ForeignKey("bonds.id", ondelete="RESTRICT"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entries.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    bond: Mapped[Bond | None] = relationship()
    reverses: Mapped[FundEntry | None] = relationship(remote_side=[id], foreign_keys=[reverses_id])
    recorded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FundEntry {self.id} {self.kind.value} {self.cash_cents}>"
