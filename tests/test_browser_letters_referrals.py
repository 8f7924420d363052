"""Letters of support and legal referrals in a real browser on a phone-sized screen."""

import re
from datetime import timedelta

import pytest

from accompany.models import AppointmentKind
from tests.conftest import from_now
from tests.support.browser import fits_the_screen, open_menu, too_small_or_cut

pytestmark = pytest.mark.browser


def log_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def looks_right(page) -> None:
    assert fits_the_screen(page)
    assert too_small_or_cut(page) == []


def test_a_coordinator_runs_a_letter_drive_on_a_phone(phone, make, db):
    coordinator = make.coordinator(name="Carmen Coordinator")
    make.volunteer(name="Val Volunteer", phone="617-555-0161", sms_opt_in=True)
    family = make.family(name="Rosa M.")
    hearing = make.appointment(family=family, kind=AppointmentKind.INDIVIDUAL_HEARING,
                               starts_at=from_now(days=20))
    db.session.commit()
    log_in(phone, coordinator.email, make.PASSWORD)

    phone.goto(f"/coordinator/appointments/{hearing.id}")
    phone.get_by_role("button", name="Start a letter drive").click()
    phone.get_by_label("Letters wanted").fill("4")
    looks_right(phone)
    phone.get_by_role("button", name="Start the drive").click()
    phone.get_by_text("The letter drive is started").wait_for()

    phone.get_by_text("Note someone you asked").click()
    phone.get_by_label("A volunteer").select_option(label="Val Volunteer")
    looks_right(phone)
    phone.get_by_role("button", name="Note it").click()
    phone.get_by_text("Noted.").wait_for()
    phone.get_by_text("Note someone you asked").click()
    phone.get_by_label("Or a community contact's name").fill("Pastora Lidia")
    phone.get_by_label("How they know the family").fill("Pastor")
    phone.get_by_role("button", name="Note it").click()
    phone.get_by_text("Noted.").wait_for()

    phone.get_by_text("Record a letter").click()
    phone.get_by_label("From").select_option(label="Pastora Lidia")
    looks_right(phone)
    phone.get_by_role("button", name="Record the letter").click()
    phone.get_by_text("The letter is recorded").wait_for()
    assert phone.locator("#received").inner_text() == "1 of 4"
    looks_right(phone)

    phone.goto(f"/coordinator/families/{family.id}")
    phone.get_by_role("link", name="Letters of support: 1 of 4").wait_for()
    looks_right(phone)


def test_a_coordinator_adds_a_provider_and_refers_a_family_on_a_phone(phone, make, db):
    coordinator = make.coordinator(name="Carmen Coordinator")
    family = make.family(name="Rosa M.")
    db.session.commit()
    log_in(phone, coordinator.email, make.PASSWORD)

    open_menu(phone)
    phone.get_by_role("link", name="Legal").click()
    phone.get_by_role("button", name="Add a provider").click()
    phone.get_by_label("Name").fill("Harbor Immigrant Legal Aid")
    phone.get_by_label("Removal defense").check()
    phone.get_by_label("Bond hearings").check()
    phone.get_by_label("Spanish").check()
    phone.get_by_label("Phone").fill("617-555-0195")
    looks_right(phone)
    phone.get_by_role("button", name="Save the provider").click()
    phone.get_by_text("The provider is saved.").wait_for()
    looks_right(phone)

    phone.goto(f"/coordinator/families/{family.id}")
    phone.get_by_role("button", name="New referral").click()
    phone.get_by_label("Provider (only those taking cases)").select_option(label="Harbor Immigrant Legal Aid")
    phone.get_by_label("Sent on").fill((from_now() - timedelta(days=7)).date().isoformat())
    phone.get_by_label("Follow up on").fill((from_now() - timedelta(days=7)).date().isoformat())
    phone.get_by_label("Notes").fill("Intake form sent by email.")
    looks_right(phone)
    phone.get_by_role("button", name="Record the referral").click()
    phone.get_by_text("The referral is recorded.").wait_for()

    phone.goto("/")
    phone.get_by_role("heading", name="Legal referrals to follow up").wait_for()
    looks_right(phone)
