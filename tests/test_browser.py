"""The main journey in a real browser on a phone-sized screen."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accompany.models import Shift, ShiftRole, User, UserStatus
from tests.conftest import from_now
from tests.support.browser import fits_the_screen, open_menu, phone_page, too_small_or_cut, wcag_violations
from tests.support.texting import code_texted_to

BOSTON = ZoneInfo("America/New_York")

pytestmark = pytest.mark.browser


def log_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    open_menu(page)
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
    phone.get_by_role("heading", name="Thank you for signing up!").wait_for()
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Log in").click()  # the page's link, drawn as a button
    phone.get_by_label("Email").fill("lucia@example.org")
    phone.get_by_label("Password").fill("a long password")
    phone.get_by_role("button", name="Log in").click()
    phone.get_by_text("waiting for a coordinator's approval").wait_for()
    assert fits_the_screen(phone)
    log_out(phone)

    log_in(phone, coordinator.email, make.PASSWORD)
    phone.get_by_role("link", name=re.compile(r"volunteers? to review")).click()  # "1 volunteer to review"
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

    open_menu(phone)
    phone.get_by_role("link", name="Home").click()
    line = phone.locator("#upcoming li.has-unfilled", has_text="Rosa M.")  # the appointment's line
    line.wait_for()
    assert "Ride there: 0/1" in line.inner_text() and "Court / check-in companion: 0/1" in line.inner_text()
    assert "2 open" in line.inner_text()
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
    open_menu(phone)
    phone.get_by_role("link", name="Open shifts").first.click()
    phone.get_by_text("Filter").click()
    phone.get_by_role("checkbox", name="Ride there").check()  # the label; "Take this shift" names it too
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

    open_menu(phone)
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


# -- every page at 360 px: targets a finger can hit, nothing cut off -------------------------------

NOT_PAGES = {"static", "health.healthz", "volunteer.calendar_feed", "coordinator.import_template",
             "auth.second_step", "coordinator.fund_csv"}  # files, JSON, a feed, and a page only between password and code
PEOPLE = {"anon": None, "pending": "Pat Pending", "holder": "Hal Holder", "coordinator": "Carmen Coordinator",
          "admin": "Ada Admin"}


def _a_full_world(app, make, db):
    """tests.support.routes' one of everything, plus what makes pages long: planned texts, a past
    shift with its report, a next date a volunteer reported (a draft), another family's open shift
    on the board, and an urgent call."""
    from datetime import date
    from decimal import Decimal

    from accompany.models import AppointmentKind, Language, Outcome
    from accompany.services.messaging import family_texts, volunteer_texts
    from accompany.services.messaging.urgent_calls import start_call
    from accompany.services.scheduling.appointments import AppointmentDetails
    from accompany.services.scheduling.my_shifts import Report, report_back
    from accompany.services.scheduling.series import create_series
    from tests.support.routes import build_world

    _, values, extra = build_world(app, make, db)
    people = {role: db.session.scalar(select(User).where(User.name == name)) for role, name in PEOPLE.items() if name}
    shift = db.session.get(Shift, values["shift_id"])
    appointment = shift.appointment
    family_texts.plan_family_reminders(appointment, now=from_now())
    volunteer_texts.plan_volunteer_reminders(shift.claims[0], now=from_now())
    past = make.appointment(family=appointment.family, kind=AppointmentKind.INDIVIDUAL_HEARING,
                            starts_at=from_now(days=-2))
    done = make.claim(make.shift(past, role=ShiftRole.RIDE_THERE, requires_car=True), people["holder"])
    report_back(done, Report(Outcome.RESCHEDULED, Decimal("3.5"), "Judge set a new date; the family needs a letter.",
                             date(2027, 3, 2)), now=from_now())
    other = make.appointment(family=make.family(name="Ana P.", phone="617-555-0143", language=Language.PORTUGUESE),
                             kind=AppointmentKind.ICE_CHECK_IN, starts_at=from_now(days=5))
    make.shift(other, role=ShiftRole.INTERPRETER, language=Language.PORTUGUESE, requires_training=True)
    # A check-in entered as a series: changing one asks which (the page step is measured below).
    series_start = from_now(days=6)
    repeating = create_series(
        AppointmentDetails(family=other.family, location=other.location, kind=AppointmentKind.ICE_CHECK_IN,
                           starts_at=series_start),
        [], every_weeks=4, until=(series_start + timedelta(weeks=8)).date(), by=people["coordinator"], now=from_now())
    extra["series_check_in"] = repeating[0].id
    volunteer = people.get("coordinator")
    start_call(db.session.get(Shift, extra["open_shift"]), by=volunteer, now=from_now())
    db.session.commit()
    more = {
        "holder": ["/shifts?all=y", "/"],
        "coordinator": ["/coordinator/messages?view=all", f"/coordinator/messages?family={values['family_id']}",
                        f"/coordinator/messages?appointment={values['appointment_id']}&view=all",
                        "/coordinator/appointments?show=past", "/coordinator/appointments?show=drafts",
                        f"/coordinator/appointments/{past.id}", f"/coordinator/volunteers/{people['holder'].id}",
                        "/coordinator/volunteers?status=pending"],
    }
    return people, values, extra, more


def _pages(role, values, extra, more):
    from tests.support.routes import OK, PUBLIC, RULES, expected_access, url_for_rule

    for endpoint, rule, method in RULES:
        access = expected_access(endpoint)
        if method != "GET" or endpoint in NOT_PAGES or access[role] != OK:
            continue
        if role != "anon" and access is PUBLIC and endpoint != "home.index":
            continue  # the sign-in pages, seen as a visitor
        if role == "admin" and endpoint.startswith("coordinator."):
            continue  # the coordinator's own pages, seen as a coordinator
        yield url_for_rule(endpoint, rule, values, extra)
    yield from more.get(role, [])


def test_every_page_has_targets_a_finger_can_hit_and_cuts_nothing_off(phone, app, make, db):
    """Every visible link, button, field, select, summary and checkbox label is at least 44 px
    tall (links sharing a line with text excepted: tests/support/browser.py MEASURE), no select or
    date field cuts what it shows, and nothing sticks out sideways: on every page each kind of
    person can open, details opened, and on the new-appointment form with its shifts proposed."""
    people, values, extra, more = _a_full_world(app, make, db)
    problems = []

    def measure(role):
        problems.extend(f"{role} {phone.url.split('/', 3)[-1] or '/'}: {found}" for found in too_small_or_cut(phone))

    for role in PEOPLE:
        if role != "anon":
            log_in(phone, people[role].email, make.PASSWORD)
            phone.wait_for_url(re.compile(r"/$"))
        for url in _pages(role, values, extra, more):
            phone.goto(url)
            measure(role)
        if role == "coordinator":
            phone.goto(f"/coordinator/appointments/new?family_id={values['family_id']}")
            phone.get_by_label("Location").select_option(index=1)
            phone.get_by_label("Date", exact=True).fill(from_now(days=9).astimezone(BOSTON).strftime("%Y-%m-%d"))
            phone.get_by_label("Time", exact=True).fill("08:30")
            for role_name in ("Ride there", "Court / check-in companion", "Interpreter"):
                phone.get_by_role("checkbox", name=role_name).check()
            phone.get_by_role("button", name="Review the shifts").click()
            phone.locator('input[name="shifts-2-meeting_point"]').wait_for()
            measure(role)
            phone.goto(f"/coordinator/appointments/{extra['series_check_in']}")
            phone.get_by_text("Cancel the appointment").click()
            phone.get_by_role("button", name="Cancel appointment").click()
            phone.get_by_role("button", name="Cancel this one only").wait_for()
            measure(role)
        if role != "anon":
            log_out(phone)
    assert problems == [], "\n".join(problems)


def test_a_volunteer_signs_up_and_confirms_their_number_with_the_texted_code(phone, db):
    phone.goto("/signup")
    phone.get_by_label("Your name").fill("Lucía Gómez")
    phone.get_by_label("Email").fill("lucia@example.org")
    phone.get_by_label("Mobile phone").fill("617-555-0123")
    phone.get_by_label("Password", exact=True).fill("a long password")
    phone.get_by_label("Type it again").fill("a long password")
    phone.get_by_role("button", name="Sign up").click()
    phone.get_by_role("heading", name="Thank you for signing up!").wait_for()
    phone.get_by_text("If you gave a mobile number, we text it a code").wait_for()
    phone.get_by_role("button", name="Log in").click()  # the page's link, drawn as a button
    phone.get_by_label("Email").fill("lucia@example.org")
    phone.get_by_label("Password").fill("a long password")
    phone.get_by_role("button", name="Log in").click()
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


# -- keyboard and screen readers (issue 17) --------------------------------------------------------

PAGE_LANGUAGES = ("en", "es", "pt", "ht", "fr")


def _log_in_any_language(page, email, password):
    """Log in by the form's fields, not their words: the page may be in any language."""
    page.goto("/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('main form[method="post"] button[type="submit"]').click()


def _log_out_any_language(page):
    open_menu(page)
    page.locator('details.site-menu form[action$="/logout"] button').click()
    page.wait_for_url(re.compile(r"/login$"))


@pytest.mark.parametrize("language", PAGE_LANGUAGES)
def test_no_page_has_a_wcag_a_or_aa_violation_at_360px(app, chromium_browser, make, db, language):
    """axe-core finds nothing against WCAG 2.1 A and AA, in each of the five languages: on every
    page each kind of person can open, and on the login form sent back with its problems. Each
    person's account is set to the language and the visitor picks it with the picker, so every
    person logs in once; whether a page's words are translated yet is not this test's business,
    only that the page says which language it is in."""
    from accompany.models import PageLanguage

    people, values, extra, more = _a_full_world(app, make, db)
    for person in people.values():
        person.preferred_language = PageLanguage(language)
    db.session.commit()
    expected_lang = "pt-BR" if language == "pt" else language
    problems = []
    with phone_page(app, chromium_browser, bypass_csp=True) as phone:

        def check(what):
            where = phone.url.split("/", 3)[-1] or "/"
            lang = phone.locator("html").get_attribute("lang")
            if lang != expected_lang:
                problems.append(f"{what} {where}: the page is in {lang!r}, not {expected_lang!r}")
            problems.extend(f"{what} {where}: {found}" for found in wcag_violations(phone))

        phone.goto("/login")  # the visitor's choice, kept in this browser's session
        phone.locator("#page-language").select_option(language)
        phone.locator(".language-picker button").click()
        phone.wait_for_load_state("load")
        for role in PEOPLE:
            if role != "anon":
                _log_in_any_language(phone, people[role].email, make.PASSWORD)
                phone.wait_for_url(re.compile(r"/$"))
            for url in _pages(role, values, extra, more):
                phone.goto(url)
                check(role)
            if role != "anon":
                _log_out_any_language(phone)
        _log_in_any_language(phone, people["holder"].email, "not the password")  # sent back with the error summary
        phone.locator(".error-summary").wait_for()
        check("failed login")
    assert problems == [], "\n".join(problems)


def test_after_a_failed_submit_the_focus_is_on_a_summary_that_links_to_each_field(phone):
    phone.goto("/signup")
    phone.get_by_label("Email").fill("not an email")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Sign up").click()
    summary = phone.locator(".error-summary")
    summary.wait_for()
    assert summary.get_attribute("role") == "alert"
    assert phone.evaluate("document.activeElement.classList.contains('error-summary')")
    summary.get_by_role("link").first.click()
    assert phone.evaluate("document.activeElement.tagName") in ("INPUT", "SELECT", "TEXTAREA")


def test_the_keyboard_meets_a_skip_link_first_and_a_visible_focus_ring(phone, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    log_in(phone, volunteer.email, make.PASSWORD)
    phone.wait_for_url(re.compile(r"/$"))
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="Skip to content")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    assert skip.bounding_box()["y"] >= 0  # shown once focused
    phone.keyboard.press("Tab")
    ring = phone.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                          " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert ring[0] == "solid" and ring[1] >= 2


def test_the_header_takes_less_than_a_quarter_of_a_phone_screen(phone, make, db):
    coordinator = make.coordinator()  # the longest menu
    db.session.commit()
    phone.set_viewport_size({"width": 360, "height": 640})
    for who in (None, coordinator):
        if who:
            log_in(phone, who.email, make.PASSWORD)
            phone.wait_for_url(re.compile(r"/$"))
        else:
            phone.goto("/login")
        assert phone.locator("header.site-header").bounding_box()["height"] < 640 / 4


def test_repeated_buttons_name_their_card(phone, make, db):
    volunteer = make.volunteer()
    for role in (ShiftRole.RIDE_THERE, ShiftRole.COMPANION):
        make.shift(role=role)
    db.session.commit()
    log_in(phone, volunteer.email, make.PASSWORD)
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto("/shifts")
    phone.get_by_role("button", name=re.compile(r"^Take this shift Ride there")).wait_for()
    phone.get_by_role("button", name=re.compile(r"^Take this shift Court")).wait_for()
