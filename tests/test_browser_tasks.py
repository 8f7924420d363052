"""A volunteer takes, does and reports a casework task on a 360 px phone, and the coordinator sees
it done (issue 14, point 2)."""

import re

import pytest
from sqlalchemy import select

from accompany.models import NeedKind, TaskTaker
from tests.conftest import from_now
from tests.support.browser import fits_the_screen, open_menu, too_small_or_cut

pytestmark = pytest.mark.browser


def log_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def log_out(page):
    open_menu(page)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login$"))


def test_a_volunteer_takes_does_and_reports_a_task_and_the_coordinator_sees_it(phone, make, db):
    coordinator = make.coordinator(name="Carmen Coordinator")
    volunteer = make.volunteer(name="Dana Driver", has_car=True, languages=["es"])
    family = make.family(name="Rosa Martinez", town="Chelsea")
    need = make.need(family, kind=NeedKind.HOUSING, owner_id=coordinator.id, notes="Only for coordinators",
                     due_on=from_now(days=6).date())
    make.task(need, title="Drive a mattress on Saturday", details="Third floor, no elevator", wanted=2,
              requires_car=True, due_on=from_now(days=5).date())
    db.session.commit()

    log_in(phone, volunteer.email, make.PASSWORD)
    phone.get_by_text("1 open task you can take").wait_for()
    open_menu(phone)
    phone.get_by_role("link", name="Open shifts").first.click()
    card = phone.locator("article.shift-card", has_text="Drive a mattress on Saturday")
    card.wait_for()
    assert "Chelsea" in card.inner_text() and "2 places left" in card.inner_text()
    assert "Rosa" not in phone.content() and "Housing" not in phone.content()
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []
    card.get_by_role("button", name="Take this task").click()
    phone.get_by_text("It's yours").wait_for()
    assert phone.locator("#task-family").inner_text() == "Rosa"
    assert phone.locator("#task-need").inner_text() == "Housing"
    assert "Third floor, no elevator" in phone.content() and "Only for coordinators" not in phone.content()
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []

    phone.get_by_role("button", name="Mark it done").click()  # a link drawn as a button
    phone.get_by_label("What you did").fill("Delivered the mattress; the family has a bed now.")
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Mark it done").click()
    phone.get_by_text("Your report is with the coordinator").wait_for()
    done = phone.locator("article.card", has_text="Drive a mattress on Saturday")
    assert "Done" in done.inner_text()
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []
    log_out(phone)

    log_in(phone, coordinator.email, make.PASSWORD)
    phone.get_by_role("link", name="Needs").first.click()
    phone.get_by_role("link", name="Housing").click()
    taker = phone.locator("li", has_text="Dana Driver")
    assert "done" in taker.inner_text() and "Delivered the mattress" in taker.inner_text()
    assert fits_the_screen(phone) and too_small_or_cut(phone) == []
    db.session.expire_all()
    assert db.session.scalar(select(TaskTaker)).done_at is not None
