"""The demo's bond fund: a few months of gifts, a pledge, a fee, and two bonds at different stages
(one paid and the person out with a case ongoing, one still raising money), made through the
services as coordinators would have made them, each on its own day."""

from __future__ import annotations

from datetime import datetime, timedelta

from accompany.models import (
    BondPaidHow,
    BondSetBy,
    BondStatus,
    Family,
    FundEntryKind,
    Location,
    LocationKind,
    User,
)
from accompany.services.casework import bonds, fund

# (days ago, kind, dollars, donor or None for anonymous)
FUND_LINES = (
    (80, FundEntryKind.GIFT, 2_500, "First Parish Congregation"),
    (74, FundEntryKind.GIFT, 150, None),
    (70, FundEntryKind.PLEDGE, 2_000, "Temple Sinai Social Action"),
    (66, FundEntryKind.GIFT, 3_000, "Marisol and Dan K."),
    (61, FundEntryKind.PLEDGE_RECEIVED, 1_000, "Temple Sinai Social Action"),
    (58, FundEntryKind.GIFT, 1_200, "Jamaica Plain Neighbors"),
    (40, FundEntryKind.FEE, 35, None),
    (21, FundEntryKind.GIFT, 500, None),
    (9, FundEntryKind.GIFT, 1_750, "St. Mary's Parish"),
)


def seed_bond_fund(families: list[Family], volunteers: list[User], coordinator: User,
                   locations: dict[str, Location], *, now: datetime) -> dict[str, int]:
    """Two bonds and the fund's history; returns counts for the summary."""
    jail = next((place for place in locations.values() if place.kind == LocationKind.DETENTION_CENTER), None)
    obligor = next((user for user in volunteers if bonds.may_be_obligor(user)), None)

    def moment(days_ago: int) -> tuple[datetime, object]:
        at = now - timedelta(days=days_ago)
        return at, at.date()

    lines = 0
    for days_ago, kind, dollars, donor in FUND_LINES[:6]:
        at, day = moment(days_ago)
        fund.record_entry(kind, dollars * 100, day=day, today=day, donor=donor, by=coordinator, now=at)
        lines += 1

    # Paid 50 days ago; released; the case goes on, and the obligor is texted before each hearing.
    at, day = moment(55)
    paid = bonds.create_bond(bonds.BondDetails(
        family=families[2], amount_cents=7_500_00, set_by=BondSetBy.IMMIGRATION_JUDGE, set_on=day, person="Mateus S.",
        facility=jail, facility_other="" if jail else "Plymouth County Correctional Facility", obligor=obligor,
    ), today=day, by=coordinator, now=at)
    for days_ago, step in ((54, BondStatus.RAISING), (50, BondStatus.PAID), (49, BondStatus.RELEASED),
                           (30, BondStatus.ONGOING)):
        at, day = moment(days_ago)
        if step == BondStatus.PAID:
            bonds.pay_bond(paid, day=day, today=day, paid_how=BondPaidHow.ICE_OFFICE, receipt_ref="I-305 BOS 55120",
                           by=coordinator, now=at)
            lines += 1
        else:
            bonds.move_bond(paid, step, day=day, today=day, by=coordinator, now=at)

    for days_ago, kind, dollars, donor in FUND_LINES[6:]:
        at, day = moment(days_ago)
        fund.record_entry(kind, dollars * 100, day=day, today=day, donor=donor, by=coordinator, now=at)
        lines += 1

    # Set three days ago by ICE; the fund is raising money for it; a cousin outside the network signs.
    at, day = moment(3)
    raising = bonds.create_bond(bonds.BondDetails(
        family=families[10], amount_cents=5_000_00, set_by=BondSetBy.ICE, set_on=day, person="Wilmer P.",
        facility_other="Strafford County House of Corrections", obligor_name="Rosa Elena P.",
    ), today=day, by=coordinator, now=at)
    at, day = moment(2)
    bonds.move_bond(raising, BondStatus.RAISING, day=day, today=day, by=coordinator, now=at)
    return {"bonds": 2, "fund lines": lines}
