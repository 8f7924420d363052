"""The fund's figures always equal the sum of its lines: random histories of gifts, pledges, bonds
paid, refunded and breached, fees and reversals, each checked against sums this test keeps itself
(on SQLite and on PostgreSQL, like every test)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accompany.models import BondPaidHow, BondSetBy, BondStatus, FundEntryKind
from accompany.services.casework import bonds, fund
from accompany.services.errors import DomainError
from tests.conftest import NOW

TODAY = NOW.date()
# What each kind of line does to the balance, written out here apart from the app's own table.
IN, OUT, NOTHING = 1, -1, 0
EFFECT = {"gift": IN, "pledge": NOTHING, "pledge_received": IN, "bond_paid": OUT, "refund_received": IN, "fee": OUT}
OPEN = {"paid", "released", "ongoing", "cancelled", "refund_requested"}
NEXT = {"paid": "released", "released": "ongoing", "ongoing": "cancelled", "cancelled": "refund_requested"}

cents = st.integers(min_value=1, max_value=2_000_000)
steps = st.lists(st.one_of(
    st.tuples(st.sampled_from(["gift", "pledge", "pledge_received", "fee"]), cents,
              st.integers(min_value=0, max_value=20), st.booleans()),
    st.tuples(st.just("bond"), cents),
    st.tuples(st.sampled_from(["pay", "advance", "breach"]), st.integers(min_value=0, max_value=5)),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=5), st.integers(min_value=1, max_value=100)),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=40)),
), max_size=30)


class Books:
    """The test's own account of what happened: every line, and each bond's stage."""

    def __init__(self):
        self.lines: list[dict] = []  # kind, amount, bond (index), reversed
        self.bonds: list[dict] = []  # amount, status, row

    def line(self, entry, kind: str, amount: int, bond: int | None = None) -> None:
        self.lines.append({"id": entry.id, "kind": kind, "amount": amount, "bond": bond, "reversed": False})

    def standing(self, kind: str):
        return [line for line in self.lines if line["kind"] == kind and not line["reversed"]]

    def balance(self) -> int:
        return sum(EFFECT[line["kind"]] * line["amount"] for line in self.lines if not line["reversed"])

    def out_in_bonds(self) -> int:
        return sum(line["amount"] for line in self.standing("bond_paid") if self.bonds[line["bond"]]["status"] in OPEN)

    def pledges(self) -> int:
        promised = sum(line["amount"] for line in self.standing("pledge"))
        return max(0, promised - sum(line["amount"] for line in self.standing("pledge_received")))


def _play(step, books: Books, coordinator, family) -> None:
    name = step[0]
    if name in ("gift", "pledge", "pledge_received", "fee"):
        _, amount, days_ago, anonymous = step
        entry = fund.record_entry(FundEntryKind(name), amount, day=TODAY - timedelta(days=days_ago), today=TODAY,
                                  donor=None if anonymous else "Dora Donor", by=coordinator, now=NOW)
        books.line(entry, name, amount)
    elif name == "bond":
        bond = bonds.create_bond(bonds.BondDetails(family=family, amount_cents=step[1], set_by=BondSetBy.ICE,
                                                   set_on=TODAY, facility_other="Plymouth"),
                                 today=TODAY, by=coordinator, now=NOW)
        bonds.move_bond(bond, BondStatus.RAISING, day=TODAY, today=TODAY, by=coordinator, now=NOW)
        books.bonds.append({"amount": step[1], "status": "raising", "row": bond})
    elif not books.bonds and name in ("pay", "advance", "breach", "refund"):
        return
    elif name == "pay":
        kept = books.bonds[step[1] % len(books.bonds)]
        if kept["status"] != "raising" or books.balance() < kept["amount"]:
            return
        entry = bonds.pay_bond(kept["row"], day=TODAY, today=TODAY, paid_how=BondPaidHow.ONLINE, by=coordinator, now=NOW)
        books.line(entry, "bond_paid", kept["amount"], books.bonds.index(kept))
        kept["status"] = "paid"
    elif name == "advance":
        kept = books.bonds[step[1] % len(books.bonds)]
        if kept["status"] in NEXT:
            bonds.move_bond(kept["row"], BondStatus(NEXT[kept["status"]]), day=TODAY, today=TODAY, by=coordinator,
                            now=NOW)
            kept["status"] = NEXT[kept["status"]]
    elif name == "breach":
        kept = books.bonds[step[1] % len(books.bonds)]
        if kept["status"] in ("paid", "released", "ongoing"):
            bonds.move_bond(kept["row"], BondStatus.BREACHED, day=TODAY, today=TODAY, by=coordinator, now=NOW)
            kept["status"] = "breached"
    elif name == "refund":
        kept = books.bonds[step[1] % len(books.bonds)]
        if kept["status"] == "refund_requested":
            amount = max(1, kept["amount"] * step[2] // 100)
            entry = bonds.record_refund(kept["row"], day=TODAY, today=TODAY, amount_cents=amount, by=coordinator,
                                        now=NOW)
            books.line(entry, "refund_received", amount, books.bonds.index(kept))
            kept["status"] = "refunded"
    elif name == "reverse" and books.lines:
        line = books.lines[step[1] % len(books.lines)]
        entry = fund.db.session.get(fund.FundEntry, line["id"])
        kept = books.bonds[line["bond"]] if line["bond"] is not None else None
        undoes = {"bond_paid": ("paid", "raising"), "refund_received": ("refunded", "refund_requested")}.get(line["kind"])
        try:
            bonds.reverse_line(entry, day=TODAY, today=TODAY, by=coordinator, now=NOW)
        except DomainError:
            # Refused only for a line reversed already, or a bond's line once the bond has moved on.
            assert line["reversed"] or (undoes and kept["status"] != undoes[0])
            return
        line["reversed"] = True
        if undoes:  # the bond goes back the step its line made
            assert kept["status"] == undoes[0]
            kept["status"] = undoes[1]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(history=steps)
def test_every_figure_equals_the_sum_of_the_lines(make, db, history):
    coordinator, family = make.coordinator(), make.family()
    books = Books()
    try:
        for step in history:
            _play(step, books, coordinator, family)
        figures = fund.fund_figures(today=TODAY)
        assert figures.balance == books.balance()
        assert figures.out_in_bonds == books.out_in_bonds()
        assert figures.pledges_outstanding == books.pledges()
        assert figures.refunds_overdue == []  # every cancellation here is today's
        points = fund.history()
        if books.lines:
            assert (points[-1].balance, points[-1].out_in_bonds) == (books.balance(), books.out_in_bonds())
        ledger = db.session.scalars(fund.ledger_query()).all()
        assert sum(entry.cash_cents for entry in ledger) == books.balance()
        assert len(ledger) == len(books.lines) + sum(line["reversed"] for line in books.lines)
    finally:
        db.session.rollback()
