"""The casework and detention pages run the same number of statements however many records they
show (no query per row): each page is read with a little, then with six times as much."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accompany.models import AppointmentKind, BondStatus, FundEntryKind
from accompany.services.casework import fund, letters, referrals
from accompany.services.detention.cases import open_case
from tests.conftest import NOW, from_now
from tests.support.browsing import logged_in
from tests.support.queries import count_queries

TODAY = NOW.date()


def _casework(make, coordinator, volunteer, n: int) -> None:
    """`n` families' worth of casework: a need with a task the volunteer holds and one open, a bond
    with fund lines, a letter drive with asks and a letter, a referral, an open detention case."""
    provider = referrals.create_provider(referrals.ProviderDetails(name=f"Legal aid {n}"), by=coordinator, now=NOW)
    for _ in range(n):
        family = make.family()
        need = make.need(family, owner_id=coordinator.id, notes="A bed for a child",
                         due_on=TODAY + timedelta(days=2))
        make.task_taker(make.task(need, title="Drive a mattress Saturday"), volunteer)
        make.task(need, title="Call shelters in Chelsea", wanted=2)
        make.bond(family, status=BondStatus.RAISING, person="Luis M.")
        fund.record_entry(FundEntryKind.GIFT, 10_000, day=TODAY, today=TODAY, donor="Dora Donor", by=coordinator,
                          now=NOW)
        hearing = make.appointment(family=family, kind=AppointmentKind.BOND_HEARING, starts_at=from_now(days=20))
        drive = letters.start_drive(hearing, letters.DriveDetails(target=3, deadline=letters.default_deadline(hearing),
                                                                  owner_id=coordinator.id), by=coordinator, now=NOW)
        letters.ask_volunteer(drive, volunteer.id, by=coordinator, now=NOW)
        letters.ask_contact(drive, "Pastor Ruth", "Pastor", by=coordinator, now=NOW)
        referrals.refer_family(family, referrals.ReferralDetails(provider_id=provider.id, sent_on=TODAY,
                                                                 follow_up_on=TODAY), by=coordinator, now=NOW)
        open_case(family, now=NOW, by=coordinator)


STAFF_PAGES = ["/", "/coordinator/needs", "/coordinator/bonds", "/coordinator/fund", "/coordinator/legal-providers",
               "/coordinator/detentions"]
VOLUNTEER_PAGES = ["/shifts", "/my/tasks", "/"]


@pytest.mark.parametrize("who, path", [("staff", p) for p in STAFF_PAGES] + [("volunteer", p) for p in VOLUNTEER_PAGES])
def test_each_casework_page_runs_the_same_statements_at_any_size(app, make, db, who, path):
    coordinator = make.coordinator()
    volunteer = make.volunteer()
    _casework(make, coordinator, volunteer, 1)
    client = logged_in(app, coordinator if who == "staff" else volunteer)
    client.get(path)  # warm: the first request of a session may touch its login row
    with count_queries(db.engine) as small:
        assert client.get(path).status_code == 200
    _casework(make, coordinator, volunteer, 5)
    db.session.commit()
    with count_queries(db.engine) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), "\n".join(large.statements)


def _one_familys_casework(make, coordinator, family, drive, bond, n: int) -> None:
    """`n` more of what one family's pages list: needs with tasks taken, referrals, letters asked
    for and received, the bond's fund lines and hearings."""
    provider = referrals.create_provider(referrals.ProviderDetails(name=f"Clinic {n}"), by=coordinator, now=NOW)
    for index in range(n):
        need = make.need(family, owner_id=coordinator.id, notes="Bus passes")
        task = make.task(need, title="Buy bus passes", wanted=3)
        make.task_taker(task, make.volunteer())
        referrals.refer_family(family, referrals.ReferralDetails(provider_id=provider.id, sent_on=TODAY),
                               by=coordinator, now=NOW)
        asked = make.volunteer()
        letters.ask_volunteer(drive, asked.id, by=coordinator, now=NOW)
        letters.ask_contact(drive, f"Neighbour {n}-{index}", "Neighbour", by=coordinator, now=NOW)
        fund.record_entry(FundEntryKind.GIFT, 1_000, day=TODAY, today=TODAY, donor=None, by=coordinator, now=NOW)
        make.appointment(family=family, kind=AppointmentKind.MASTER_CALENDAR,
                         starts_at=from_now(days=30 + 10 * n + index))


def test_one_familys_casework_pages_run_the_same_statements_however_much_it_has(app, make, db):
    coordinator = make.coordinator()
    family = make.family()
    hearing = make.appointment(family=family, kind=AppointmentKind.BOND_HEARING, starts_at=from_now(days=20))
    drive = letters.start_drive(hearing, letters.DriveDetails(target=9, deadline=letters.default_deadline(hearing),
                                                              owner_id=coordinator.id), by=coordinator, now=NOW)
    bond = make.bond(family, status=BondStatus.RAISING)
    case, _ = open_case(family, now=NOW, by=coordinator)
    _one_familys_casework(make, coordinator, family, drive, bond, 1)
    need = make.need(family, owner_id=coordinator.id)
    make.task_taker(make.task(need, wanted=2), make.volunteer())
    paths = [f"/coordinator/families/{family.id}", f"/coordinator/letter-drives/{drive.id}",
             f"/coordinator/bonds/{bond.id}", f"/coordinator/detentions/{case.id}", f"/coordinator/needs/{need.id}"]
    client = logged_in(app, coordinator)
    for path in paths:
        client.get(path)
    small = {}
    for path in paths:
        with count_queries(db.engine) as counted:
            assert client.get(path).status_code == 200
        small[path] = counted.statements
    _one_familys_casework(make, coordinator, family, drive, bond, 5)
    for _ in range(5):
        make.task_taker(make.task(need, wanted=2), make.volunteer())
    db.session.commit()
    for path in paths:
        with count_queries(db.engine) as counted:
            assert client.get(path).status_code == 200
        more = [statement for statement in counted.statements if statement not in small[path]]
        assert len(counted) == len(small[path]), (path, more[:3])
