"""The bond fund's services: bonds moving along their stages, the ledger, its figures, obligors'
hearing texts and the purge (issue 14, point 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from accompany.models import (
    AppointmentKind,
    AppointmentStatus,
    BondPaidHow,
    BondSetBy,
    BondStatus,
    FundEntry,
    FundEntryKind,
    MessageKind,
    MessageState,
    OutboundMessage,
)
from accompany.services.casework import bonds, fund
from accompany.services.casework.money import BadAmount, dollars, parse_cents
from accompany.services.dashboard import coordinator_dashboard
from accompany.services.messaging.facts import NothingToSay, gather_facts
from accompany.services.privacy.retention import purge_family
from accompany.services.scheduling.appointments import reschedule_appointment
from tests.conftest import NOW

TODAY = NOW.date()


def _gift(cents: int, *, by, donor: str | None = "Dora Donor", day=TODAY) -> FundEntry:
    return fund.record_entry(FundEntryKind.GIFT, cents, day=day, today=TODAY, donor=donor, by=by, now=NOW)


def _bond(make, coordinator, *, amount=750_000, obligor=None, family=None, **extra):
    details = bonds.BondDetails(
        family=family or make.family(name="Rosa M."), amount_cents=amount, set_by=BondSetBy.IMMIGRATION_JUDGE,
        set_on=TODAY - timedelta(days=1), person="Luis M.", facility_other="Plymouth County Correctional Facility",
        obligor=obligor, **extra,
    )
    return bonds.create_bond(details, today=TODAY, by=coordinator, now=NOW)


def _paid_bond(make, coordinator, **kwargs):
    bond = _bond(make, coordinator, **kwargs)
    bonds.move_bond(bond, BondStatus.RAISING, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    _gift(bond.amount_cents, by=coordinator)
    bonds.pay_bond(bond, day=TODAY, today=TODAY, paid_how=BondPaidHow.ONLINE, receipt_ref="CEB-4411", by=coordinator,
                   now=NOW)
    return bond


# -- money as typed ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, cents", [("$7,500.00", 750_000), ("7500", 750_000), ("7,500.5", 750_050),
                                          (" $ 12.05 ", 1205), ("0.01", 1)])
def test_amounts_are_read_as_whole_cents(typed, cents):
    assert parse_cents(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "7.500,00", "1,2345", "12.345", "-5", "0", "1e5", "9" * 40, "$"])
def test_a_bad_amount_gets_a_plain_message(typed):
    with pytest.raises(BadAmount) as error:
        parse_cents(typed)
    assert "$" in str(error.value) or "amount" in str(error.value)


def test_dollars_reads_cents_back():
    assert dollars(750_000) == "$7,500.00" and dollars(-1250) == "-$12.50" and dollars(0) == "$0.00"


# -- a bond's stages ----------------------------------------------------------------------------------------


def test_a_bond_goes_from_set_to_refunded_with_the_fund_right_at_each_step(make, db):
    coordinator = make.coordinator()
    bond = _bond(make, coordinator)
    assert bond.status == BondStatus.REQUESTED and fund.balance() == 0
    bonds.move_bond(bond, BondStatus.RAISING, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    _gift(500_000, by=coordinator)
    _gift(250_000, by=coordinator, donor=None)
    assert fund.balance() == 750_000
    bonds.pay_bond(bond, day=TODAY, today=TODAY, paid_how=BondPaidHow.ICE_OFFICE, receipt_ref="R-1", by=coordinator,
                   now=NOW)
    assert bond.status == BondStatus.PAID and fund.balance() == 0 and fund.out_in_open_bonds() == 750_000
    for to in (BondStatus.RELEASED, BondStatus.CANCELLED, BondStatus.REFUND_REQUESTED):
        bonds.move_bond(bond, to, day=TODAY, today=TODAY, by=coordinator, now=NOW, cancellation_ref="I-391 77")
        assert fund.balance() == 0 and fund.out_in_open_bonds() == 750_000
    assert bond.cancellation_ref == "I-391 77" and bond.cancelled_on == TODAY
    bonds.record_refund(bond, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    assert bond.status == BondStatus.REFUNDED and fund.balance() == 750_000 and fund.out_in_open_bonds() == 0
    assert [(c.from_status, c.to_status) for c in bond.changes] == [
        (None, BondStatus.REQUESTED), (BondStatus.REQUESTED, BondStatus.RAISING), (BondStatus.RAISING, BondStatus.PAID),
        (BondStatus.PAID, BondStatus.RELEASED), (BondStatus.RELEASED, BondStatus.CANCELLED),
        (BondStatus.CANCELLED, BondStatus.REFUND_REQUESTED), (BondStatus.REFUND_REQUESTED, BondStatus.REFUNDED),
    ]
    assert all(change.by == coordinator and change.recorded_at == NOW for change in bond.changes)
    assert [entry.kind for entry in fund.bond_entries(bond)] == [FundEntryKind.BOND_PAID, FundEntryKind.REFUND_RECEIVED]


@pytest.mark.parametrize("start, to", [
    (BondStatus.REQUESTED, BondStatus.RELEASED), (BondStatus.RAISING, BondStatus.CANCELLED),
    (BondStatus.REFUNDED, BondStatus.RAISING), (BondStatus.BREACHED, BondStatus.RELEASED),
    (BondStatus.REQUESTED, BondStatus.BREACHED), (BondStatus.CANCELLED, BondStatus.RELEASED),
])
def test_a_bond_moves_only_along_the_allowed_steps(make, db, start, to):
    coordinator = make.coordinator()
    bond = make.bond(status=start)
    with pytest.raises(bonds.MoveNotAllowed):
        bonds.move_bond(bond, to, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    assert bond.status == start


def test_paid_and_refunded_are_reached_only_through_the_fund(make, db):
    coordinator = make.coordinator()
    raising, asked = make.bond(status=BondStatus.RAISING), make.bond(status=BondStatus.REFUND_REQUESTED)
    with pytest.raises(bonds.MoveNotAllowed):
        bonds.move_bond(raising, BondStatus.PAID, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    with pytest.raises(bonds.MoveNotAllowed):
        bonds.move_bond(asked, BondStatus.REFUNDED, day=TODAY, today=TODAY, by=coordinator, now=NOW)


def test_breached_from_paid_released_or_ongoing_keeps_the_money_out_of_the_open_bonds(make, db):
    coordinator = make.coordinator()
    bond = _paid_bond(make, coordinator)
    bonds.move_bond(bond, BondStatus.BREACHED, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    assert fund.out_in_open_bonds() == 0 and fund.balance() == 0
    assert bonds.allowed_moves(bond) == ()


def test_the_fund_pays_a_bond_only_when_it_holds_enough(make, db):
    coordinator = make.coordinator()
    bond = _bond(make, coordinator)
    bonds.move_bond(bond, BondStatus.RAISING, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    _gift(749_999, by=coordinator)
    with pytest.raises(bonds.FundShort) as error:
        bonds.pay_bond(bond, day=TODAY, today=TODAY, paid_how=BondPaidHow.ONLINE, by=coordinator, now=NOW)
    assert "$7,499.99" in str(error.value) and "$7,500.00" in str(error.value)


def test_a_move_cannot_be_dated_ahead_or_before_the_last_one(make, db):
    coordinator = make.coordinator()
    bond = make.bond(status=BondStatus.REQUESTED, status_on=TODAY)
    with pytest.raises(bonds.DayOutOfOrder):
        bonds.move_bond(bond, BondStatus.RAISING, day=TODAY + timedelta(days=1), today=TODAY, by=coordinator, now=NOW)
    with pytest.raises(bonds.DayOutOfOrder):
        bonds.move_bond(bond, BondStatus.RAISING, day=TODAY - timedelta(days=1), today=TODAY, by=coordinator, now=NOW)


def test_an_obligor_from_the_network_must_have_attested(make, db):
    coordinator = make.coordinator()
    with pytest.raises(bonds.NotObligorEligible):
        _bond(make, coordinator, obligor=make.volunteer(obligor_eligible=True))  # never attested
    with pytest.raises(bonds.ObligorTwice):
        _bond(make, coordinator, obligor=make.obligor(), obligor_name="Tío Pedro")


# -- the ledger ---------------------------------------------------------------------------------------------


def test_a_reversal_cancels_a_line_once_and_cannot_be_reversed(make, db):
    coordinator = make.coordinator()
    gift = _gift(10_000, by=coordinator)
    reversal = fund.reverse_entry(gift, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    assert reversal.kind == FundEntryKind.REVERSAL and reversal.reverses_id == gift.id and reversal.cash_cents == -10_000
    assert fund.balance() == 0
    with pytest.raises(fund.AlreadyReversed):
        fund.reverse_entry(gift, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    with pytest.raises(fund.ReversalNotReversible):
        fund.reverse_entry(reversal, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    assert db.session.scalar(select(FundEntry).where(FundEntry.id == gift.id)).amount_cents == 10_000  # never edited


def test_reversing_a_bonds_payment_takes_it_back_to_raising_so_it_can_be_paid_again(make, db):
    coordinator = make.coordinator()
    bond = _paid_bond(make, coordinator)
    paid = fund.bond_entries(bond)[0]
    bonds.reverse_line(paid, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    assert bond.status == BondStatus.RAISING and fund.balance() == 750_000 and fund.out_in_open_bonds() == 0
    assert (bond.changes[-1].from_status, bond.changes[-1].to_status) == (BondStatus.PAID, BondStatus.RAISING)
    bonds.pay_bond(bond, day=TODAY, today=TODAY, paid_how=BondPaidHow.ONLINE, by=coordinator, now=NOW)
    assert bond.status == BondStatus.PAID and fund.balance() == 0 and fund.out_in_open_bonds() == 750_000


def test_a_bonds_line_is_reversed_only_while_the_bond_is_where_the_line_put_it(make, db):
    coordinator = make.coordinator()
    bond = _paid_bond(make, coordinator)
    paid = fund.bond_entries(bond)[0]
    bonds.move_bond(bond, BondStatus.RELEASED, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    with pytest.raises(bonds.LineMovedOn, match="moved on"):
        bonds.reverse_line(paid, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    assert fund.reversal_of(paid) is None and bond.status == BondStatus.RELEASED
    for to in (BondStatus.CANCELLED, BondStatus.REFUND_REQUESTED):
        bonds.move_bond(bond, to, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    refund = bonds.record_refund(bond, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    bonds.reverse_line(refund, day=TODAY, today=TODAY, by=coordinator, now=NOW)  # entered by mistake
    assert bond.status == BondStatus.REFUND_REQUESTED and fund.balance() == 0 and fund.out_in_open_bonds() == 750_000


def test_pledges_count_apart_until_received(make, db):
    coordinator = make.coordinator()
    fund.record_entry(FundEntryKind.PLEDGE, 100_000, day=TODAY, today=TODAY, donor="Temple B.", by=coordinator, now=NOW)
    assert fund.balance() == 0 and fund.pledges_outstanding() == 100_000
    fund.record_entry(FundEntryKind.PLEDGE_RECEIVED, 40_000, day=TODAY, today=TODAY, donor="Temple B.",
                      by=coordinator, now=NOW)
    assert fund.balance() == 40_000 and fund.pledges_outstanding() == 60_000


def test_a_bond_payment_is_not_recorded_by_hand_and_money_is_not_dated_ahead(make, db):
    coordinator = make.coordinator()
    with pytest.raises(fund.NotByHand):
        fund.record_entry(FundEntryKind.BOND_PAID, 100, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    with pytest.raises(fund.DayAhead):
        _gift(100, by=coordinator, day=TODAY + timedelta(days=1))


def test_refunds_are_overdue_after_the_set_days_from_the_cancellation(app, make, db):
    coordinator = make.coordinator()
    days = app.config["BOND_REFUND_OVERDUE_DAYS"]
    assert days == 90
    late = make.bond(status=BondStatus.CANCELLED, cancelled_on=TODAY - timedelta(days=days + 1))
    make.bond(status=BondStatus.REFUND_REQUESTED, cancelled_on=TODAY - timedelta(days=days))  # not yet
    make.bond(status=BondStatus.REFUNDED, cancelled_on=TODAY - timedelta(days=days + 30))
    assert fund.refunds_overdue(today=TODAY) == [late]
    assert coordinator_dashboard(now=NOW, tz_name=app.config["ORG_TIMEZONE"]).counts.refunds_overdue == 1
    assert coordinator


def test_the_history_follows_the_balance_and_the_bonds_day_by_day(make, db):
    coordinator = make.coordinator()
    first = TODAY - timedelta(days=5)
    _gift(800_000, by=coordinator, day=first)
    bond = _bond(make, coordinator)
    bonds.move_bond(bond, BondStatus.RAISING, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    bonds.pay_bond(bond, day=TODAY, today=TODAY, paid_how=BondPaidHow.ONLINE, by=coordinator, now=NOW)
    assert [(p.day, p.balance, p.out_in_bonds) for p in fund.history()] == [(first, 800_000, 0), (TODAY, 50_000, 750_000)]


def test_the_treasurers_csv_is_formula_safe_and_says_anonymous(make, db):
    coordinator = make.coordinator()
    _gift(5_000, by=coordinator, donor="=HYPERLINK(\"http://x\")")
    _gift(2_500, by=coordinator, donor=None)
    text = fund.ledger_csv()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "anonymous" in text and "$50.00" in text and "$25.00" in text


# -- the obligor's hearing texts ---------------------------------------------------------------------------


def test_a_volunteer_obligor_is_texted_before_each_hearing_ahead_and_never_with_a_name(make, db):
    coordinator = make.coordinator()
    family = make.family(name="Zelmira Q.")
    hearing = make.appointment(family=family, kind=AppointmentKind.MASTER_CALENDAR, starts_at=NOW + timedelta(days=10))
    make.appointment(family=family, kind=AppointmentKind.ICE_CHECK_IN, starts_at=NOW + timedelta(days=12))
    obligor = make.obligor(name="Olga Obligor", phone="617-555-0199", sms_opt_in=True)
    bond = _paid_bond(make, coordinator, family=family, obligor=obligor)
    rows = db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.kind == MessageKind.VOLUNTEER_OBLIGOR_HEARING)).all()
    assert [(row.user_id, row.appointment_id, row.state) for row in rows] == [(obligor.id, hearing.id, MessageState.PENDING)]
    assert rows[0].not_before < hearing.starts_at - timedelta(days=1)
    facts = gather_facts(rows[0], now=NOW)
    assert facts.starts_at == hearing.starts_at and facts.place == hearing.location.name
    assert bond.status == BondStatus.PAID


def test_a_hearing_saved_or_moved_later_plans_the_obligors_text_and_the_end_of_the_bond_cancels_it(make, db):
    coordinator = make.coordinator()
    family = make.family()
    obligor = make.obligor(phone="617-555-0199", sms_opt_in=True)
    bond = _paid_bond(make, coordinator, family=family, obligor=obligor)
    from accompany.services.scheduling.appointments import AppointmentDetails, create_appointment

    hearing = create_appointment(AppointmentDetails(family=family, location=make.location(),
                                                    kind=AppointmentKind.INDIVIDUAL_HEARING,
                                                    starts_at=NOW + timedelta(days=20)), [], by=coordinator, now=NOW)

    def obligor_rows(state=MessageState.PENDING):
        return db.session.scalars(select(OutboundMessage).where(
            OutboundMessage.kind == MessageKind.VOLUNTEER_OBLIGOR_HEARING, OutboundMessage.state == state)).all()

    assert [row.appointment_id for row in obligor_rows()] == [hearing.id]
    reschedule_appointment(hearing, NOW + timedelta(days=25), by=coordinator, now=NOW)
    assert len(obligor_rows()) == 1 and obligor_rows()[0].send_before == NOW + timedelta(days=25)
    bonds.move_bond(bond, BondStatus.RELEASED, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    bonds.move_bond(bond, BondStatus.CANCELLED, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    assert obligor_rows() == []


def test_the_obligors_text_has_nothing_to_say_once_the_bond_has_ended(make, db):
    coordinator = make.coordinator()
    family = make.family()
    make.appointment(family=family, starts_at=NOW + timedelta(days=10))
    obligor = make.obligor(phone="617-555-0199", sms_opt_in=True)
    bond = _paid_bond(make, coordinator, family=family, obligor=obligor)
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.VOLUNTEER_OBLIGOR_HEARING))
    bond.status = BondStatus.BREACHED
    with pytest.raises(NothingToSay):
        gather_facts(row, now=NOW)


def test_an_unpaid_bonds_obligor_is_not_texted_yet(make, db):
    coordinator = make.coordinator()
    family = make.family()
    make.appointment(family=family, starts_at=NOW + timedelta(days=10), status=AppointmentStatus.SCHEDULED)
    _bond(make, coordinator, family=family, obligor=make.obligor(phone="617-555-0199", sms_opt_in=True))
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.VOLUNTEER_OBLIGOR_HEARING))
    with pytest.raises(NothingToSay):
        gather_facts(row, now=NOW)


# -- the purge ----------------------------------------------------------------------------------------------


def test_the_purge_anonymizes_a_bond_and_leaves_the_funds_figures_alone(make, db):
    coordinator = make.coordinator()
    family = make.family(name="Rosa M.")
    bond = _paid_bond(make, coordinator, family=family, obligor_name="Tío Pedro")
    bonds.move_bond(bond, BondStatus.RELEASED, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    bonds.move_bond(bond, BondStatus.CANCELLED, day=TODAY, today=TODAY, by=coordinator, now=NOW,
                    cancellation_ref="I-391 #5521")
    before = (fund.fund_figures(today=TODAY), [(p.day, p.balance, p.out_in_bonds) for p in fund.history()])
    lines = [(e.kind, e.amount_cents, e.cash_cents, e.day) for e in db.session.scalars(select(FundEntry))]
    purge_family(family, now=NOW)
    assert (bond.person, bond.obligor_name, bond.receipt_ref, bond.cancellation_ref) == (None, None, None, None)
    assert (bond.amount_cents, bond.set_on, bond.status, bond.cancelled_on) == (750_000, TODAY - timedelta(days=1),
                                                                                BondStatus.CANCELLED, TODAY)
    assert len(bond.changes) == 5
    after = (fund.fund_figures(today=TODAY), [(p.day, p.balance, p.out_in_bonds) for p in fund.history()])
    assert after == before
    assert [(e.kind, e.amount_cents, e.cash_cents, e.day) for e in db.session.scalars(select(FundEntry))] == lines


def test_legal_hold_keeps_a_bond_as_it_is(make, db):
    from accompany.services.privacy.retention import FamilyOnLegalHold

    coordinator = make.coordinator()
    family = make.family(legal_hold=True)
    bond = _bond(make, coordinator, family=family, obligor_name="Tío Pedro")
    with pytest.raises(FamilyOnLegalHold):
        purge_family(family, now=NOW)
    assert bond.obligor_name == "Tío Pedro" and bond.person == "Luis M."


def test_a_new_volunteer_obligor_takes_over_the_hearing_texts(make, db):
    coordinator = make.coordinator()
    family = make.family()
    hearing = make.appointment(family=family, starts_at=NOW + timedelta(days=10))
    first = make.obligor(phone="617-555-0198", sms_opt_in=True)
    second = make.obligor(phone="617-555-0199", sms_opt_in=True)
    bond = _paid_bond(make, coordinator, family=family, obligor=first)
    changed = bonds.update_bond(bond, bonds.BondPeople(person="Luis M.", obligor=second, receipt_ref="CEB-4411"),
                                by=coordinator, now=NOW)
    assert changed == ["obligor_id"]
    rows = db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.kind == MessageKind.VOLUNTEER_OBLIGOR_HEARING)).all()
    assert sorted((row.user_id, row.state) for row in rows) == sorted(
        [(first.id, MessageState.CANCELLED), (second.id, MessageState.PENDING)])
    assert all(row.appointment_id == hearing.id for row in rows)
    assert bonds.update_bond(bond, bonds.BondPeople(person="Luis M.", obligor=second, receipt_ref="CEB-4411"),
                             by=coordinator, now=NOW) == []
    with pytest.raises(bonds.NotObligorEligible):
        bonds.update_bond(bond, bonds.BondPeople(obligor=make.volunteer()), by=coordinator, now=NOW)


def test_paying_the_bond_plans_again_a_hearing_text_cancelled_while_it_was_unpaid(make, db):
    coordinator = make.coordinator()
    family = make.family()
    make.appointment(family=family, starts_at=NOW + timedelta(days=10))
    bond = _bond(make, coordinator, family=family, obligor=make.obligor(phone="617-555-0199", sms_opt_in=True))
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.VOLUNTEER_OBLIGOR_HEARING))
    row.state = MessageState.CANCELLED  # as the dispatcher leaves it when its time comes before the bond is paid
    bonds.move_bond(bond, BondStatus.RAISING, day=TODAY, today=TODAY, by=coordinator, now=NOW)
    _gift(bond.amount_cents, by=coordinator)
    bonds.pay_bond(bond, day=TODAY, today=TODAY, paid_how=BondPaidHow.ONLINE, by=coordinator, now=NOW)
    assert row.state == MessageState.PENDING and gather_facts(row, now=NOW).starts_at == NOW + timedelta(days=10)
