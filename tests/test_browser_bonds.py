"""The bond fund in a real browser on a 360 px phone: a coordinator takes a family from "detained,
bond set at $7,500" to "released, bond cancelled, refund received", the fund's balance right at
each step (issue 14, "Done when")."""

import re

import pytest

from accompany.models import LocationKind
from tests.support.browser import fits_the_screen, open_menu, too_small_or_cut

# The fund dates money by the organization's day: --clock=matrix runs this at every instant (late
# evening in Boston is already tomorrow in UTC).
pytestmark = [pytest.mark.browser, pytest.mark.clock_matrix]


def log_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def balance_on_the_fund_page(phone) -> str:
    phone.goto("/coordinator/fund")
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []
    return phone.locator("#balance strong").inner_text()


def move(phone, bond_url: str, to: str) -> None:
    phone.goto(bond_url)
    phone.get_by_label("Move to").select_option(label=to)
    phone.get_by_role("button", name="Save the move").click()
    phone.locator("#status").filter(has_text=to).wait_for()


def test_a_coordinator_takes_a_bond_from_set_to_refunded_with_the_balance_right_at_each_step(phone, make, db):
    coordinator = make.coordinator()
    make.family(name="Rosa M.")
    make.location(name="Plymouth County Jail", kind=LocationKind.DETENTION_CENTER, town="Plymouth")
    db.session.commit()
    log_in(phone, coordinator.email, make.PASSWORD)

    open_menu(phone)
    phone.get_by_role("link", name="Bonds").click()
    phone.get_by_role("button", name="Record a bond").click()
    phone.get_by_label("Family").select_option(label="Rosa M.")
    phone.get_by_label("Who is detained").fill("Luis M.")
    phone.get_by_label("Bond amount").fill("$7,500.00")
    phone.get_by_label("Set by").select_option(label="Immigration judge")
    phone.get_by_label("Detention center").select_option(label="Plymouth County Jail")
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []
    phone.get_by_role("button", name="Save the bond").click()
    phone.get_by_text("The bond is recorded.").wait_for()
    bond_url = phone.url
    assert "Requested" in phone.locator("#status").inner_text()
    assert balance_on_the_fund_page(phone) == "$0.00"

    move(phone, bond_url, "Raising money")
    phone.goto("/coordinator/fund")
    for amount, donor in (("5000", "First Parish"), ("$2,500.00", "")):
        phone.get_by_label("What is it").select_option(label="Gift")
        phone.get_by_label("Amount").fill(amount)
        phone.get_by_label("Donor's name").fill(donor)
        phone.get_by_role("button", name="Record the line").click()
        phone.get_by_text("The line is recorded.").wait_for()
    assert balance_on_the_fund_page(phone) == "$7,500.00"

    phone.goto(bond_url)
    phone.get_by_label("How").select_option(label="Online (CeBONDS)")
    phone.get_by_label("Receipt reference").fill("CEB-2026-1121")
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []
    phone.get_by_role("button", name="Pay $7,500.00 from the fund").click()
    phone.get_by_text("The bond is paid from the fund").wait_for()
    assert balance_on_the_fund_page(phone) == "$0.00"
    assert phone.locator("#out-in-bonds strong").inner_text() == "$7,500.00"

    for to in ("Person released", "Bond cancelled", "Refund requested"):
        move(phone, bond_url, to)
        assert balance_on_the_fund_page(phone) == "$0.00"

    phone.goto(bond_url)
    phone.get_by_role("button", name="Record the refund").click()
    phone.get_by_text("The refund is recorded").wait_for()
    assert "Refunded" in phone.locator("#status").inner_text()
    history = phone.locator("#history + ol").inner_text()
    assert all(step in history for step in ("Requested", "Raising money", "Paid", "Person released", "Bond cancelled",
                                            "Refund requested", "Refunded"))
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []
    assert balance_on_the_fund_page(phone) == "$7,500.00"
    assert phone.locator("#out-in-bonds strong").inner_text() == "$0.00"
    assert phone.locator("svg[role=img] title").count() == 1
