"""The main journey in a real browser on a phone-sized screen."""

import re

import pytest
from sqlalchemy import select

from accompany.models import User, UserStatus
from tests.support.browser import PHONE_VIEWPORT, chromium, serve

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(app):
    with serve(app) as base_url, chromium() as browser:
        context = browser.new_context(viewport=PHONE_VIEWPORT, base_url=base_url, is_mobile=True, has_touch=True)
        page = context.new_page()
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
        yield page
        context.close()
        assert outside == [], f"the page tried to load from outside: {outside}"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


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
