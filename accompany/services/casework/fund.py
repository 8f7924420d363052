"""The bond fund's ledger: record a line, reverse one, and read the figures (issue 14, point 3).

Lines are never changed or deleted. A correction is a new line that reverses one (the database
keeps one reversal per line), so the books read the same however often they are summed. Every
figure here is a sum over the lines as they stand: the balance is the sum of their cash, and a
reversed line and its reversal cancel out. Bonds' own lines (paid, refund received) are made by
services/casework/bonds.py, in the same transaction as the bond's move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from accompany.database import db
from accompany.marks import N_
from accompany.models import Bond, BondStatus, FundEntry, FundEntryKind, User
from accompany.services.casework.money import dollars
from accompany.services.errors import DomainError
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.csv_files import write_csv

# What each kind of line does to the balance: in (+1), out (-1), or nothing yet (a pledge).
CASH_SIGN = {
    FundEntryKind.GIFT: 1,
    FundEntryKind.PLEDGE: 0,
    FundEntryKind.PLEDGE_RECEIVED: 1,
    FundEntryKind.BOND_PAID: -1,
    FundEntryKind.REFUND_RECEIVED: 1,
    FundEntryKind.FEE: -1,
}
# What the ledger's own form records; a bond's payment and refund are recorded on the bond.
RECORDED_BY_HAND = (FundEntryKind.GIFT, FundEntryKind.PLEDGE, FundEntryKind.PLEDGE_RECEIVED, FundEntryKind.FEE)
WITH_DONOR = (FundEntryKind.GIFT, FundEntryKind.PLEDGE, FundEntryKind.PLEDGE_RECEIVED)
# A bond whose money is out: paid, and neither refunded nor lost to a breach.
MONEY_OUT = (BondStatus.PAID, BondStatus.RELEASED, BondStatus.ONGOING, BondStatus.CANCELLED,
             BondStatus.REFUND_REQUESTED)
# A cancelled bond whose refund has not come back yet.
AWAITING_REFUND = (BondStatus.CANCELLED, BondStatus.REFUND_REQUESTED)


class NotByHand(DomainError):
    field = "kind"
    message = N_("A bond's payment and refund are recorded on the bond's page.")


class AlreadyReversed(DomainError):
    message = N_("This line has already been reversed.")


class ReversalNotReversible(DomainError):
    message = N_("A reversal cannot itself be reversed: record the line again instead.")


class DayAhead(DomainError):
    field = "day"
    message = N_("That day has not come yet: record money on the day it moved.")


def _not_ahead(day: date, today: date) -> None:
    if day > today:
        raise DayAhead()


def record_entry(kind: FundEntryKind, amount_cents: int, *, day: date, today: date, donor: str | None = None,
                 by: User, now: datetime) -> FundEntry:
    """A gift, pledge, pledge received or fee, dated `day`. The donor's name is sealed; None is anonymous."""
    if kind not in RECORDED_BY_HAND:
        raise NotByHand()
    return add_line(kind, amount_cents, day=day, today=today, donor=donor if kind in WITH_DONOR else None,
                    by=by, now=now)


def add_line(kind: FundEntryKind, amount_cents: int, *, day: date, today: date, by: User, now: datetime,
             donor: str | None = None, bond: Bond | None = None) -> FundEntry:
    """One new line of any kind but a reversal (bonds.py adds a bond's lines through here)."""
    _not_ahead(day, today)
    entry = FundEntry(kind=kind, amount_cents=amount_cents, cash_cents=CASH_SIGN[kind] * amount_cents, day=day,
                      donor=(donor or "").strip() or None, bond=bond, recorded_by=by, recorded_at=now)
    db.session.add(entry)
    db.session.flush()
    record_event("fund.entry_recorded", now=now, actor=by, subject=entry, kind=kind.value, cents=amount_cents)
    return entry


def reverse_entry(entry: FundEntry, *, day: date, today: date, by: User, now: datetime) -> FundEntry:
    """Cancel `entry` out with a new line of the opposite cash, linked to it. Of two reversals of
    one line at once, the database's unique key lets one through (the other rolls back)."""
    if entry.kind == FundEntryKind.REVERSAL:
        raise ReversalNotReversible()
    if reversal_of(entry) is not None:
        raise AlreadyReversed()
    _not_ahead(day, today)
    reversal = FundEntry(kind=FundEntryKind.REVERSAL, amount_cents=entry.amount_cents, cash_cents=-entry.cash_cents,
                         day=max(day, entry.day), bond_id=entry.bond_id, reverses_id=entry.id, recorded_by=by,
                         recorded_at=now)
    db.session.add(reversal)
    db.session.flush()
    record_event("fund.entry_reversed", now=now, actor=by, subject=entry, reversal_id=reversal.id)
    return reversal


def reversal_of(entry: FundEntry) -> FundEntry | None:
    return db.session.scalar(select(FundEntry).where(FundEntry.reverses_id == entry.id))


def _standing():
    """Lines that still count: not reversals, and not reversed."""
    reversal = aliased(FundEntry)
    return (FundEntry.kind != FundEntryKind.REVERSAL) & ~exists().where(reversal.reverses_id == FundEntry.id)


# -- the figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundFigures:
    balance: int
    out_in_bonds: int  # paid for bonds still open
    pledges_outstanding: int  # promised and not received
    refunds_overdue: list[Bond]  # cancelled more than the set days ago, not refunded

    @property
    def refunds_overdue_cents(self) -> int:
        return sum(bond.amount_cents for bond in self.refunds_overdue)


def balance() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(FundEntry.cash_cents), 0)))


def out_in_open_bonds() -> int:
    """What the fund paid for bonds whose money has not come back (or been lost to a breach)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(FundEntry.amount_cents), 0))
        .join(Bond, Bond.id == FundEntry.bond_id)
        .where(FundEntry.kind == FundEntryKind.BOND_PAID, Bond.status.in_(MONEY_OUT), _standing())
    )


def pledges_outstanding() -> int:
    """Pledged, less pledges received (each net of reversals), never below nothing."""
    totals = dict(db.session.execute(
        select(FundEntry.kind, func.sum(FundEntry.amount_cents))
        .where(FundEntry.kind.in_([FundEntryKind.PLEDGE, FundEntryKind.PLEDGE_RECEIVED]), _standing())
        .group_by(FundEntry.kind)
    ).all())
    return max(0, (totals.get(FundEntryKind.PLEDGE) or 0) - (totals.get(FundEntryKind.PLEDGE_RECEIVED) or 0))


def refund_overdue_days() -> int:
    return int(current_app.config["BOND_REFUND_OVERDUE_DAYS"])


def refund_overdue_before(today: date) -> date:
    """A refund is overdue when its bond was cancelled before this day (BOND_REFUND_OVERDUE_DAYS ago)."""
    return today - timedelta(days=refund_overdue_days())


def refund_overdue(cancelled_before) -> tuple:
    """The condition on Bond: cancelled before `cancelled_before` (a day, or a bound parameter for
    one: see refund_overdue_before), and the refund not back."""
    return (Bond.status.in_(AWAITING_REFUND), Bond.cancelled_on < cancelled_before)


def refunds_overdue(*, today: date) -> list[Bond]:
    """Bonds cancelled more than BOND_REFUND_OVERDUE_DAYS ago whose refund has not come back."""
    return list(db.session.scalars(
        select(Bond).where(*refund_overdue(refund_overdue_before(today))).order_by(Bond.cancelled_on)))


def fund_figures(*, today: date) -> FundFigures:
    return FundFigures(balance=balance(), out_in_bonds=out_in_open_bonds(),
                       pledges_outstanding=pledges_outstanding(), refunds_overdue=refunds_overdue(today=today))


def ledger_query():
    """Every line, newest first."""
    return select(FundEntry).order_by(FundEntry.day.desc(), FundEntry.id.desc())


def reversed_ids(entries: list[FundEntry]) -> set[int]:
    """Which of `entries` have been reversed."""
    ids = [entry.id for entry in entries]
    if not ids:
        return set()
    return set(db.session.scalars(select(FundEntry.reverses_id).where(FundEntry.reverses_id.in_(ids))))


def bond_entries(bond: Bond) -> list[FundEntry]:
    return list(db.session.scalars(select(FundEntry).where(FundEntry.bond_id == bond.id).order_by(FundEntry.id)))


# -- over time: the chart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundDay:
    day: date
    balance: int
    out_in_bonds: int


def history() -> list[FundDay]:
    """The balance and the money out in open bonds at the end of each day any line was dated.

    A bond's payment counts as out from its day until the bond is refunded or breached (or the
    payment is reversed)."""
    entries = list(db.session.scalars(select(FundEntry).order_by(FundEntry.day, FundEntry.id)))
    if not entries:
        return []
    closed_on: dict[int, date] = {}
    for bond in db.session.scalars(select(Bond).where(Bond.status.in_([BondStatus.REFUNDED, BondStatus.BREACHED]))):
        closed_on[bond.id] = bond.status_on
    reversed_on = {entry.reverses_id: entry.day for entry in entries if entry.reverses_id is not None}
    payments = [entry for entry in entries if entry.kind == FundEntryKind.BOND_PAID]
    days = sorted({entry.day for entry in entries} | {day for day in closed_on.values()})
    points, running, index = [], 0, 0
    for day in days:
        while index < len(entries) and entries[index].day <= day:
            running += entries[index].cash_cents
            index += 1
        out = sum(
            payment.amount_cents for payment in payments
            if payment.day <= day
            and not (payment.id in reversed_on and reversed_on[payment.id] <= day)
            and not (payment.bond_id in closed_on and closed_on[payment.bond_id] <= day)
        )
        points.append(FundDay(day, running, out))
    return points


# -- the treasurer's CSV -------------------------------------------------------------------------------


CSV_HEADING = ["id", "date", "kind", "amount", "cash", "donor", "bond", "reverses", "recorded by", "recorded at (UTC)"]


def ledger_csv() -> str:
    """Every line, oldest first, formula-safe (csv_files.write_csv). Donors' names are in it: the
    treasurer's copy is the fund's books; an anonymous gift says so."""
    rows = []
    for entry in db.session.scalars(select(FundEntry).order_by(FundEntry.day, FundEntry.id)):
        donor = entry.donor or ("anonymous" if entry.kind in WITH_DONOR else "")
        rows.append([entry.id, entry.day.isoformat(), entry.kind.label, dollars(entry.amount_cents),
                     dollars(entry.cash_cents), donor, entry.bond_id or "", entry.reverses_id or "",
                     entry.recorded_by.name if entry.recorded_by is not None else "",
                     entry.recorded_at.strftime("%Y-%m-%d %H:%M")])
    return write_csv(CSV_HEADING, rows)
