"""A coordinator in Kreyòl records a family, an appointment for it, and answers the family's text in
the inbox, on a 360 px phone, every step in Kreyòl (issue 17, the coordinator's part)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accompany.clock import utcnow
from accompany.models import Family, OutboundMessage
from accompany.services.messaging import inbound
from tests.conftest import from_now
from tests.support.browser import fits_the_screen, open_menu, too_small_or_cut
from tests.test_browser_languages import CLIPPED_BUTTONS, pick
from tests.test_translations import CORE_NAMES, catalog, english_left
from tests.test_two_factor import code_at, enroll_for_pages

pytestmark = pytest.mark.browser

BOSTON = ZoneInfo("America/New_York")


def ht(msgid: str, num: int | None = None) -> str:
    """`msgid` as the Kreyòl catalog words it (with `num` for a plural), so the test follows the
    catalog's wording."""
    message = catalog("ht").get(msgid)
    if num is None:
        return message.string
    return message.string[0 if num == 1 else 1] % {"num": num}


def all_in_kreyol(page, step: str) -> None:
    """The page, as shown, fits the phone, cuts nothing, clips no button and has no English left."""
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "ht", step
    assert fits_the_screen(page), f"{step}: the page scrolls sideways"
    assert too_small_or_cut(page) == [], step
    assert page.evaluate(CLIPPED_BUTTONS) == [], step
    assert english_left(page.content(), "ht", [*CORE_NAMES, "Boston Court", "Anise P."]) == [], step


def test_a_coordinator_in_kreyol_does_a_family_an_appointment_and_the_inbox_on_a_phone(app, phone, make, db):
    app.config["TWO_FACTOR_REQUIRED"] = True  # as in production: staff log in with a code too
    coordinator = make.coordinator(name="Carmen Ortiz", email="carmen@example.org")
    make.location(name="Boston Court", town="Boston", address="15 New Sudbury St, Boston, MA 02203")
    db.session.commit()
    secret, _codes = enroll_for_pages(db, coordinator)

    phone.goto("/login")
    pick(phone, "Kreyòl")
    phone.get_by_label(ht("Email")).fill(coordinator.email)
    phone.get_by_label(ht("Password")).fill(make.PASSWORD)
    phone.get_by_role("button", name=ht("Log in"), exact=True).click()
    phone.get_by_role("heading", name=ht("One more step")).wait_for()
    phone.get_by_label(ht("Code"), exact=True).fill(code_at(secret, utcnow()))
    phone.get_by_role("button", name=ht("Log in"), exact=True).click()

    # A family
    open_menu(phone)
    phone.get_by_role("link", name=ht("Families"), exact=True).first.click()
    phone.get_by_role("heading", name=ht("Families")).wait_for()
    all_in_kreyol(phone, "the families")
    phone.get_by_role("button", name=ht("Add a family")).click()
    phone.get_by_label(ht("Name"), exact=True).fill("Anise P.")
    phone.get_by_label(ht("Contact phone")).fill("617-555-0142")
    phone.get_by_label(ht("Preferred language")).select_option(label=ht("Haitian Creole"))
    phone.get_by_label(ht("Town")).fill("Chelsea")
    phone.get_by_label(ht("The family agreed to get text reminders")).check()
    phone.get_by_label(ht("Consent given by")).fill("li menm")
    phone.get_by_label(ht("How consent was given")).fill("nan telefòn")
    all_in_kreyol(phone, "the family's form")
    phone.get_by_role("button", name=ht("Save the family")).click()
    phone.get_by_text(ht("The family is saved.")).wait_for()
    phone.get_by_role("heading", name="Anise P.").wait_for()
    all_in_kreyol(phone, "the family's page")

    # An appointment for it
    phone.get_by_role("button", name=ht("New appointment")).click()
    phone.get_by_label(ht("Location")).select_option(label="Boston Court (Boston)")
    phone.get_by_label(ht("Kind"), exact=True).select_option(label=ht("Court hearing: master calendar"))
    phone.get_by_label(ht("Date"), exact=True).fill(from_now(days=3).astimezone(BOSTON).strftime("%Y-%m-%d"))
    phone.get_by_label(ht("Time"), exact=True).fill("08:30")
    phone.get_by_label(ht("Ride there")).check()
    phone.get_by_label(ht("Court / check-in companion")).check()
    all_in_kreyol(phone, "the new appointment")
    phone.get_by_role("button", name=ht("Review the shifts")).click()
    phone.locator('input[name="shifts-1-meeting_point"]').wait_for()
    all_in_kreyol(phone, "the shifts to review")
    phone.get_by_role("button", name=ht("Save appointment")).click()
    phone.get_by_text(ht("Appointment saved with %(num)d shift.", 2)).wait_for()
    phone.get_by_role("heading", name=ht("Court hearing: master calendar")).wait_for()
    all_in_kreyol(phone, "the appointment's page")
    open_menu(phone)
    phone.get_by_role("link", name=ht("Appointments"), exact=True).first.click()
    phone.get_by_role("heading", name=ht("Appointments")).wait_for()
    all_in_kreyol(phone, "the appointments")

    # The family texts; the coordinator answers from the inbox
    inbound.receive_text("617-555-0142", "Bonjou, ki kote pou n rankontre?", provider_sid="SMkreyolinbox01",
                         now=utcnow())
    db.session.commit()
    open_menu(phone)
    phone.get_by_role("link", name=ht("Inbox"), exact=True).first.click()
    phone.get_by_role("heading", name=ht("Inbox")).wait_for()
    all_in_kreyol(phone, "the inbox")
    phone.get_by_role("button", name=ht("Read and reply")).click()
    phone.get_by_role("button", name=ht("Send reply")).wait_for()
    all_in_kreyol(phone, "the conversation")
    phone.get_by_label(ht("Your reply")).fill("N ap tann ou devan pòt prensipal la a 8:30.")
    phone.get_by_role("button", name=ht("Send reply")).click()
    phone.get_by_text(ht("Reply planned: it goes out within a minute (texts to a family wait for daytime).")).wait_for()
    all_in_kreyol(phone, "the conversation, answered")

    db.session.expire_all()
    [family] = db.session.scalars(select(Family))
    assert family.name == "Anise P." and family.language.value == "ht"
    assert [appointment.kind.value for appointment in family.appointments] == ["master_calendar"]
    [reply] = db.session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "staff_reply"))
    assert reply.body == "N ap tann ou devan pòt prensipal la a 8:30."
