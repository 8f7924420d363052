"""Bonds for detained people: record one, move it along its stages, pay it from the fund and
take its refund back in (issue 14, point 3).

A bond moves only along MOVES, each move dated and recorded (who, when), each a compare-and-set
on the bond's row version: of two moves at once, one is saved and the other rolls back. Paying
and the refund are fund lines made in the same transaction as the move to paid or refunded. An
obligor who is a volunteer is texted before each hearing of the family while the bond stands
(messaging/volunteer_texts.py); the texts stop when the bond ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    HEARING_KINDS,
    Appointment,
    Bond,
    BondPaidHow,
    BondSetBy,
    BondStatus,
    BondStatusChange,
    Family,
    FundEntry,
    FundEntryKind,
    Location,
    Role,
    User,
    UserStatus,
)
from accompany.services.casework import fund
from accompany.services.casework.money import Amount
from accompany.services.errors import DomainError
from accompany.services.messaging import volunteer_texts
from accompany.services.privacy.audit import record_event

# The moves a bond may make. Paid and refunded are reached only by paying and by recording the
# refund (fund lines), never by a bare move.
MOVES: dict[BondStatus, tuple[BondStatus, ...]] = {
    BondStatus.REQUESTED: (BondStatus.RAISING,),
    BondStatus.RAISING: (BondStatus.PAID,),
    BondStatus.PAID: (BondStatus.RELEASED, BondStatus.BREACHED),
    BondStatus.RELEASED: (BondStatus.ONGOING, BondStatus.CANCELLED, BondStatus.BREACHED),
    BondStatus.ONGOING: (BondStatus.CANCELLED, BondStatus.BREACHED),
    BondStatus.CANCELLED: (BondStatus.REFUND_REQUESTED,),
    BondStatus.REFUND_REQUESTED: (BondStatus.REFUNDED,),
    BondStatus.REFUNDED: (),
    BondStatus.BREACHED: (),
}
BY_THE_FUND = (BondStatus.PAID, BondStatus.REFUNDED)
# The obligor's duty (the person goes to every hearing) ends with these.
ENDED = (BondStatus.CANCELLED, BondStatus.REFUND_REQUESTED, BondStatus.REFUNDED, BondStatus.BREACHED)


class BondError(DomainError):
    pass


class MoveNotAllowed(BondError):
    field = "to"


class NotObligorEligible(BondError):
    field = "obligor_id"
    message = N_("That volunteer has not attested that they can be a bond obligor.")


class ObligorTwice(BondError):
    field = "obligor_name"
    message = N_("Choose a volunteer or type the name of someone outside the network, not both.")


class NoFacility(BondError):
    field = "facility_id"
    message = N_("Choose the detention center, or type its name if it is not listed.")


class FundShort(BondError):
    message = N_("The fund cannot pay this bond yet.")


class DayOutOfOrder(BondError):
    field = "day"


@dataclass(frozen=True)
class BondDetails:
    family: Family
    amount_cents: int
    set_by: BondSetBy
    set_on: date
    person: str = ""
    facility: Location | None = None
    facility_other: str = ""
    obligor: User | None = None
    obligor_name: str = ""


def may_be_obligor(user: User) -> bool:
    """An approved volunteer who attested obligor eligibility."""
    return (user.role == Role.VOLUNTEER and user.status == UserStatus.ACTIVE and user.obligor_eligible
            and user.obligor_attested_at is not None)


def obligor_choices() -> list[User]:
    return [user for user in db.session.scalars(
        select(User).where(User.role == Role.VOLUNTEER, User.status == UserStatus.ACTIVE,
                           User.obligor_eligible.is_(True), User.obligor_attested_at.is_not(None))
        .order_by(User.name)
    )]


def create_bond(details: BondDetails, *, today: date, by: User, now: datetime) -> Bond:
    """Record a bond set for a detained person of `details.family`, as requested."""
    if details.set_on > today:
        raise DayOutOfOrder(N_("The day the bond was set cannot be ahead of today."))
    if details.facility is None and not details.facility_other.strip():
        raise NoFacility()
    if details.obligor is not None and details.obligor_name.strip():
        raise ObligorTwice()
    if details.obligor is not None and not may_be_obligor(details.obligor):
        raise NotObligorEligible()
    bond = Bond(
        family=details.family, person=details.person.strip() or None, amount_cents=details.amount_cents,
        set_by=details.set_by, set_on=details.set_on, facility=details.facility,
        facility_other="" if details.facility is not None else details.facility_other.strip(),
        status=BondStatus.REQUESTED, status_on=today, obligor=details.obligor,
        obligor_name=details.obligor_name.strip() or None, created_by_id=by.id, created_at=now, updated_at=now,
    )
    db.session.add(bond)
    db.session.flush()
    db.session.add(BondStatusChange(bond=bond, from_status=None, to_status=BondStatus.REQUESTED, day=today, by=by,
                                    recorded_at=now))
    db.session.flush()
    volunteer_texts.plan_obligor_reminders(bond, now=now)
    record_event("bond.created", now=now, actor=by, subject=bond, family_id=details.family.id)
    return bond


def allowed_moves(bond: Bond) -> tuple[BondStatus, ...]:
    """Where a coordinator can move the bond by hand (paid and refunded go through the fund)."""
    return tuple(to for to in MOVES[bond.status] if to not in BY_THE_FUND)


def _move(bond: Bond, to: BondStatus, *, day: date, today: date, by: User, now: datetime) -> None:
    if to not in MOVES[bond.status]:
        raise MoveNotAllowed(N_("A bond that is “%(status)s” cannot move to “%(to)s”."), status=bond.status, to=to)
    if day > today:
        raise DayOutOfOrder(N_("That day has not come yet."))
    if day < bond.status_on:
        raise DayOutOfOrder(N_("The bond's last move was on %(day)s: date this one that day or later."),
                            day=bond.status_on.isoformat())
    db.session.add(BondStatusChange(bond=bond, from_status=bond.status, to_status=to, day=day, by=by, recorded_at=now))
    bond.status, bond.status_on, bond.updated_at = to, day, now
    if to == BondStatus.CANCELLED:
        bond.cancelled_on = day
    db.session.flush()  # the row's version is compared here: a move made meanwhile makes this one fail
    if to in ENDED:
        volunteer_texts.cancel_bond_messages(bond)
    record_event("bond.moved", now=now, actor=by, subject=bond, to=to.value)


def move_bond(bond: Bond, to: BondStatus, *, day: date, today: date, by: User, now: datetime,
              cancellation_ref: str = "") -> None:
    """Move the bond one allowed step (not to paid or refunded: see pay_bond, record_refund)."""
    if to in BY_THE_FUND:
        raise MoveNotAllowed(N_("A bond is paid from the fund, and its refund recorded, with their own forms."))
    if to == BondStatus.CANCELLED and cancellation_ref.strip():
        bond.cancellation_ref = cancellation_ref.strip()
    _move(bond, to, day=day, today=today, by=by, now=now)


def pay_bond(bond: Bond, *, day: date, today: date, paid_how: BondPaidHow, receipt_ref: str = "", by: User,
             now: datetime) -> FundEntry:
    """Pay the bond from the fund: a "bond paid" line and the move to paid, together."""
    if bond.status not in (BondStatus.RAISING,):
        raise MoveNotAllowed(N_("A bond that is “%(status)s” cannot be paid: only one the fund is raising money for."),
                             status=bond.status)
    held = fund.balance()
    if held < bond.amount_cents:
        raise FundShort(N_("The fund holds %(held)s; this bond needs %(needed)s. Record the gifts first."),
                        held=Amount(held), needed=Amount(bond.amount_cents))
    bond.paid_how = paid_how
    bond.receipt_ref = receipt_ref.strip() or None
    _move(bond, BondStatus.PAID, day=day, today=today, by=by, now=now)
    # The obligor's duty starts now: a hearing text whose time came while the bond was unpaid was
    # cancelled then (facts.py), and is planned again for the hearings still ahead.
    volunteer_texts.plan_obligor_reminders(bond, now=now)
    return fund.add_line(FundEntryKind.BOND_PAID, bond.amount_cents, day=day, today=today, bond=bond, by=by, now=now)


def record_refund(bond: Bond, *, day: date, today: date, amount_cents: int | None = None, by: User,
                  now: datetime) -> FundEntry:
    """The bond's money came back: a "refund received" line and the move to refunded, together."""
    if bond.status != BondStatus.REFUND_REQUESTED:
        raise MoveNotAllowed(N_("A bond that is “%(status)s” has no refund to record: request it first."),
                             status=bond.status)
    _move(bond, BondStatus.REFUNDED, day=day, today=today, by=by, now=now)
    return fund.add_line(FundEntryKind.REFUND_RECEIVED, amount_cents or bond.amount_cents, day=day, today=today,
                         bond=bond, by=by, now=now)


class LineMovedOn(BondError):
    """A bond's payment or refund line, reversed after the bond moved past what the line did."""


# A bond's own lines, and the step each one made: reversing the line takes that step back, and
# only while the bond is still where the line put it (a payment made by mistake, a refund entered
# twice). After that the bond's later moves depend on it: correct those by hand first.
UNDONE_BY_REVERSAL = {
    FundEntryKind.BOND_PAID: (BondStatus.PAID, BondStatus.RAISING),
    FundEntryKind.REFUND_RECEIVED: (BondStatus.REFUNDED, BondStatus.REFUND_REQUESTED),
}


def reverse_line(entry: FundEntry, *, day: date, today: date, by: User, now: datetime) -> FundEntry:
    """Reverse a line of the fund (fund.reverse_entry). A bond's payment or refund line takes the
    bond back to raising or to refund requested in the same transaction (a compare-and-set on the
    bond's version), so a payment made by mistake can be made again; the bond's history records it."""
    undo = UNDONE_BY_REVERSAL.get(entry.kind) if entry.bond is not None else None
    if undo is not None and entry.bond.status != undo[0]:
        raise LineMovedOn(N_("This line is the bond's “%(kind)s”, and the bond has moved on to “%(status)s”: it "
                             "can be reversed only while the bond is “%(was)s”."),
                          kind=entry.kind, status=entry.bond.status, was=undo[0])
    reversal = fund.reverse_entry(entry, day=day, today=today, by=by, now=now)
    if undo is not None:
        bond, (was, back) = entry.bond, undo
        db.session.add(BondStatusChange(bond=bond, from_status=was, to_status=back, day=reversal.day, by=by,
                                        recorded_at=now))
        bond.status, bond.status_on, bond.updated_at = back, max(reversal.day, bond.status_on), now
        db.session.flush()  # the bond's version is compared here
        if back == BondStatus.RAISING:
            volunteer_texts.cancel_bond_messages(bond)  # not paid: the obligor's duty has not started
        record_event("bond.moved", now=now, actor=by, subject=bond, to=back.value, reversal_id=reversal.id)
    return reversal


def list_bonds() -> list[Bond]:
    """Every bond, those still moving first, newest first."""
    bonds = list(db.session.scalars(
        select(Bond).options(selectinload(Bond.family), selectinload(Bond.facility))
        .order_by(Bond.set_on.desc(), Bond.id.desc())
    ))
    return sorted(bonds, key=lambda bond: bond.status in (BondStatus.REFUNDED, BondStatus.BREACHED))


def family_hearings(bond: Bond) -> list[Appointment]:
    """Every hearing of the bonded person's family, past and ahead, in order."""
    return list(db.session.scalars(
        select(Appointment).where(Appointment.family_id == bond.family_id, Appointment.kind.in_(HEARING_KINDS))
        .options(selectinload(Appointment.location)).order_by(Appointment.starts_at)
    ))


def obligor_by_id(user_id: int | None) -> User | None:
    """The volunteer chosen as obligor (None for none); eligibility is checked by create_bond."""
    return db.session.get(User, user_id) if user_id else None


# Bonds the fund still has to raise money for.
RAISING = (BondStatus.REQUESTED, BondStatus.RAISING)


def glance_counts(*, refunds_cancelled_before) -> list:
    """What the coordinators' dashboard shows of the bond fund, as labelled scalar subqueries for
    its one statement of numbers: bonds to raise money for, and refunds overdue (of bonds cancelled
    before `refunds_cancelled_before`, a bound parameter for fund.refund_overdue_before)."""

    def count(*where):
        return select(func.count()).select_from(Bond).where(*where).scalar_subquery()

    return [count(Bond.status.in_(RAISING)).label("bonds_raising"),
            count(*fund.refund_overdue(refunds_cancelled_before)).label("refunds_overdue")]


@dataclass(frozen=True)
class BondPeople:
    """What a bond's edit form changes: who, and the references (never the amount or a stage)."""

    person: str = ""
    obligor: User | None = None
    obligor_name: str = ""
    receipt_ref: str = ""
    cancellation_ref: str = ""


def update_bond(bond: Bond, people: BondPeople, *, by: User, now: datetime) -> list[str]:
    """Change who the bond is for and who signed it, and its references; a new volunteer obligor
    is texted before the family's hearings from now on (the old one no longer). The names of the
    fields changed, none if nothing did."""
    if people.obligor is not None and people.obligor_name.strip():
        raise ObligorTwice()
    if people.obligor is not None and people.obligor.id != bond.obligor_id and not may_be_obligor(people.obligor):
        raise NotObligorEligible()
    wanted = {
        "person": people.person.strip() or None,
        "obligor_id": people.obligor.id if people.obligor is not None else None,
        "obligor_name": people.obligor_name.strip() or None,
        "receipt_ref": people.receipt_ref.strip() or None,
        "cancellation_ref": people.cancellation_ref.strip() or None,
    }
    changed = [name for name, value in wanted.items() if getattr(bond, name) != value]
    if not changed:
        return []
    if "obligor_id" in changed:
        volunteer_texts.cancel_bond_messages(bond)
    for name in changed:
        setattr(bond, name, wanted[name])
    bond.updated_at = now
    db.session.flush()
    db.session.refresh(bond, ["obligor"])
    if "obligor_id" in changed:
        volunteer_texts.plan_obligor_reminders(bond, now=now)
    record_event("bond.changed", now=now, actor=by, subject=bond, fields=sorted(changed))
    return changed


def family_bonds(family: Family) -> list[Bond]:
    return list(db.session.scalars(select(Bond).where(Bond.family_id == family.id).order_by(Bond.set_on.desc())))
