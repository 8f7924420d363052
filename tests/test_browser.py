"""The main journey in a real browser on a phone-sized screen."""

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accompany.models import Shift, ShiftRole, User, UserStatus
from tests.conftest import from_now
from tests.support.browser import fits_the_screen
from tests.support.texting import code_texted_to

BOSTON = ZoneInfo("America/New_York")

pytestmark = pytest.mark.browser


def log_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login$"))


def test_volunteer_signs_up_is_approved_and_logs_in(phone, make, db):
    coordinator = make.coordinator(name="Carmen Coordinator")
    db.session.commit()

    phone.goto("/")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Volunteer with us").click()
    phone.get_by_label("Your name").fill("Lucía Gómez")
    phone.get_by_label("Email").fill("lucia@example.org")
    phone.get_by_label("Mobile phone").fill("617-555-0123")
    phone.get_by_label("Password", exact=True).fill("a long password")
    phone.get_by_label("Type it again").fill("a long password")
    phone.get_by_label("Spanish").check()
    phone.get_by_label("I have a car").check()
    phone.get_by_label("Town or neighborhood").fill("Chelsea")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Sign up").click()
    phone.get_by_text("waiting for a coordinator's approval").wait_for()
    assert fits_the_screen(phone)
    log_out(phone)

    log_in(phone, coordinator.email, make.PASSWORD)
    phone.get_by_role("link", name="volunteers to review").click()
    phone.get_by_role("button", name="Approve Lucía").click()
    phone.get_by_text("Lucía Gómez is approved").wait_for()
    assert fits_the_screen(phone)
    log_out(phone)

    db.session.expire_all()
    volunteer = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert volunteer.status == UserStatus.ACTIVE

    log_in(phone, "lucia@example.org", "a long password")
    phone.get_by_role("heading", name="Hello, Lucía").wait_for()
    phone.get_by_text("My upcoming shifts").wait_for()
    assert fits_the_screen(phone)


def test_tap_targets_are_big_enough_on_the_login_page(phone):
    phone.goto("/login")
    for name in ("Log in",):
        box = phone.get_by_role("button", name=name).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    for label in ("Email", "Password"):
        assert phone.get_by_label(label).bounding_box()["height"] >= 40


def test_coordinator_records_a_family_and_an_appointment_and_sees_it_unfilled(phone, make, db):
    coordinator = make.coordinator()
    make.location(name="Boston Immigration Court", town="Boston")
    db.session.commit()
    log_in(phone, coordinator.email, make.PASSWORD)

    phone.get_by_role("button", name="New family").click()
    phone.get_by_label("Name", exact=True).fill("Rosa M.")
    phone.get_by_label("Contact phone").fill("617-555-0142")
    phone.get_by_label("Preferred language").select_option(label="Spanish")
    phone.get_by_label("Town").fill("Chelsea")
    phone.get_by_label("The family agreed to get text reminders").check()
    phone.get_by_label("Consent given by").fill("the contact herself")
    phone.get_by_label("How consent was given").fill("in person at intake")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Save the family").click()
    phone.get_by_role("heading", name="Rosa M.").wait_for()

    phone.get_by_role("button", name="New appointment").click()
    phone.get_by_label("Location").select_option(label="Boston Immigration Court (Boston)")
    phone.get_by_label("Kind").select_option(label="Court hearing: master calendar")
    when = from_now(days=3).astimezone(BOSTON)
    phone.get_by_label("Date", exact=True).fill(when.strftime("%Y-%m-%d"))
    phone.get_by_label("Time", exact=True).fill("08:30")
    phone.get_by_label("Ride there").check()
    phone.get_by_label("Court / check-in companion").check()
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Review the shifts").click()
    phone.locator('input[name="shifts-1-meeting_point"]').wait_for()
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Save appointment").click()
    phone.get_by_text("Appointment saved with 2 shifts").wait_for()

    phone.get_by_role("link", name="Home").click()
    card = phone.locator("article.card.has-unfilled", has_text="Rosa M.")
    card.wait_for()
    assert "Ride there: 0/1" in card.inner_text() and "Court / check-in companion: 0/1" in card.inner_text()
    assert "2 open" in card.inner_text()
    assert fits_the_screen(phone)


def test_volunteer_finds_claims_sees_and_reports_on_a_phone(phone, make, db):
    volunteer = make.volunteer(name="Dana Driver", has_car=True, languages=["es"])
    court = make.location(name="Boston Immigration Court")
    office = make.location(name="ICE ERO Burlington", town="Burlington")
    family = make.family(name="Rosa Martinez", phone="617-555-0142", town="Chelsea")
    ride = make.shift(make.appointment(family=family, location=court, starts_at=from_now(days=2)),
                      role=ShiftRole.RIDE_THERE, requires_car=True, meeting_point="Outside the Chelsea library")
    make.shift(make.appointment(location=office, starts_at=from_now(days=2, hours=2)), role=ShiftRole.COMPANION)
    earlier = make.appointment(family=make.family(name="Ana Pereira", phone="617-555-0143"), location=court,
                               starts_at=from_now(hours=-4))
    make.claim(make.shift(earlier, starts_at=from_now(hours=-5), ends_at=from_now(hours=-1)), volunteer)
    db.session.commit()

    log_in(phone, volunteer.email, make.PASSWORD)
    phone.get_by_role("link", name="Open shifts").first.click()
    phone.get_by_text("Filter").click()
    phone.get_by_label("Ride there").check()
    phone.get_by_role("button", name="Show shifts").click()
    cards = phone.locator("article.shift-card")
    cards.first.wait_for()
    assert cards.count() == 1 and "From Chelsea to Boston Immigration Court" in cards.first.inner_text()
    assert "Rosa" not in phone.content()
    assert fits_the_screen(phone)
    cards.first.get_by_role("button", name="Take this shift").click()
    phone.get_by_text("It's yours").wait_for()
    assert "Outside the Chelsea library" in phone.content()
    assert fits_the_screen(phone)

    phone.get_by_role("link", name="My shifts").first.click()
    upcoming = phone.locator("article.card", has_text="Ride there")
    assert "With Rosa" in upcoming.inner_text()
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Report back").click()
    phone.get_by_label("What happened").select_option(label="Held")
    phone.get_by_label("Hours you gave").fill("4")
    phone.get_by_label("Notes for the coordinator").fill("All went well.")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Send report").click()
    phone.get_by_text("Thank you for reporting back").wait_for()
    assert "Reported: Held, 4 h" in phone.content()
    db.session.expire_all()
    assert db.session.get(Shift, ride.id).filled == 1


def test_a_volunteer_signs_up_and_confirms_their_number_with_the_texted_code(phone, db):
    phone.goto("/signup")
    phone.get_by_label("Your name").fill("Lucía Gómez")
    phone.get_by_label("Email").fill("lucia@example.org")
    phone.get_by_label("Mobile phone").fill("617-555-0123")
    phone.get_by_label("Password", exact=True).fill("a long password")
    phone.get_by_label("Type it again").fill("a long password")
    phone.get_by_role("button", name="Sign up").click()
    phone.get_by_text("We texted a code to (617) 555-0123").wait_for()
    assert fits_the_screen(phone)

    phone.get_by_label("Code from the text").fill(code_texted_to("+16175550123"))
    phone.get_by_role("button", name="Confirm my number").click()
    phone.get_by_text("Your number is now (617) 555-0123").wait_for()
    assert phone.get_by_text("Confirm your mobile number").count() == 0
    assert fits_the_screen(phone)
    db.session.expire_all()
    volunteer = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert (volunteer.phone, volunteer.status) == ("+16175550123", UserStatus.PENDING)

    phone.goto("/shifts")  # the board, before approval: told to wait, not "Page not found"
    phone.get_by_text("still waiting for a coordinator's approval").first.wait_for()


def test_a_volunteer_who_forgot_their_password_sets_a_new_one_with_a_texted_code(phone, make, db):
    make.volunteer(name="Dana Rivera", email="dana@example.org", phone="617-555-0123")
    db.session.commit()
    phone.goto("/login")
    phone.get_by_role("link", name="Forgot your password?").click()
    phone.get_by_label("Your email or mobile number").fill("dana@example.org")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Text me a code").click()
    phone.get_by_text("we just texted that number a code").wait_for()

    phone.get_by_label("Code from the text").fill(code_texted_to("+16175550123"))
    phone.get_by_label("New password").fill("a brand new password")
    phone.get_by_label("Type it again").fill("a brand new password")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Set my new password").click()
    phone.get_by_text("Your password is changed").wait_for()

    log_in(phone, "dana@example.org", make.PASSWORD)  # the old password no longer works
    phone.locator(".field-error, .flash-warning").first.wait_for()
    assert phone.url.endswith("/login") and phone.get_by_role("heading", name="Hello, Dana").count() == 0
    log_in(phone, "dana@example.org", "a brand new password")
    phone.get_by_role("heading", name="Hello, Dana").wait_for()
