"""A volunteer who picks Español signs up, takes a shift from the board, sees it in my shifts,
reports back and saves their profile, on a 360 px phone, and every page on the way is in Spanish
(issue 17, done when)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from accompany.clock import utcnow
from accompany.models import Claim, Language, Outcome, PageLanguage, Shift, ShiftRole, User
from accompany.services.people.accounts import approve_volunteer
from tests.conftest import from_now
from tests.support.browser import fits_the_screen, too_small_or_cut
from tests.test_browser_languages import CLIPPED_BUTTONS, pick
from tests.test_translations import english_left

pytestmark = pytest.mark.browser

# What the pages show that nobody translates: names, and what the coordinators typed.
DATA = ["Lucía Gómez", "Lucía", "Rosa", "Boston Immigration Court", "15 New Sudbury St, Boston, MA 02203",
        "Boston", "Chelsea", "Revere", "Meet at the side door", "Test Accompaniment Network"]


def in_spanish(phone, step: str) -> None:
    """The page is in Spanish (no English word left in what it shows), fits the phone and every
    control is big enough to tap."""
    phone.wait_for_load_state("load")
    assert phone.locator("html").get_attribute("lang") == "es", step
    assert english_left(phone.content(), "es", DATA) == [], step
    assert fits_the_screen(phone), f"{step}: the page scrolls sideways"
    assert too_small_or_cut(phone) == [], step


def test_a_volunteer_in_spanish_signs_up_takes_a_shift_reports_and_saves_their_profile(phone, make, db):
    coordinator = make.coordinator(name="Carmen Ortiz")
    court = make.location(name="Boston Immigration Court")
    hearing = make.appointment(make.family(name="Rosa M.", town="Chelsea"), court, starts_at=from_now(days=3))
    make.shift(hearing, role=ShiftRole.COMPANION, language=Language.SPANISH, meeting_point="Meet at the side door")
    done = make.appointment(make.family(name="Rosa M.", town="Chelsea"), court, starts_at=from_now(days=-2))
    past_shift_id = make.shift(done, role=ShiftRole.RIDE_THERE).id
    db.session.commit()

    phone.goto("/signup")
    pick(phone, "Español")
    in_spanish(phone, "sign-up")
    phone.locator("#name").fill("Lucía Gómez")
    phone.locator("#email").fill("lucia@example.org")
    phone.locator("#phone").fill("617-555-0123")
    phone.locator("#password").fill("a long password")
    phone.locator("#confirm").fill("a long password")
    phone.get_by_label("Español").check()
    phone.locator("#home_area").fill("Chelsea")
    phone.get_by_role("button", name="Inscribirme").click()
    phone.get_by_role("heading", name="¡Gracias por inscribirse!").wait_for()
    in_spanish(phone, "signed up")

    phone.goto("/login")
    phone.locator("#email").fill("lucia@example.org")
    phone.locator("#password").fill("a long password")
    phone.get_by_role("button", name="Entrar").click()
    phone.wait_for_url(re.compile(r"/$"))
    in_spanish(phone, "waiting for approval")

    volunteer = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    approve_volunteer(volunteer, by=coordinator, now=utcnow())
    make.claim(db.session.get(Shift, past_shift_id), volunteer)  # a shift they went on, to report back about
    db.session.commit()

    phone.goto("/")
    phone.get_by_role("heading", name="Hola, Lucía").wait_for()
    in_spanish(phone, "home")
    phone.get_by_role("button", name="Ver turnos disponibles").click()
    phone.get_by_role("heading", name="Turnos disponibles").wait_for()
    card = phone.locator("article.shift-card", has_text="Acompañante")
    assert "Queda 1 lugar" in card.inner_text() and "Audiencia en la corte" in card.inner_text()
    in_spanish(phone, "the board")

    card.get_by_role("button", name="Tomar este turno").click()
    phone.get_by_text("Es suyo. ¡Gracias! Los detalles están abajo.").wait_for()
    assert "Meet at the side door" in phone.locator("dl.profile").inner_text()
    in_spanish(phone, "the shift taken")

    phone.get_by_role("link", name="Mis turnos").first.click()
    phone.get_by_role("heading", name="Mis turnos").wait_for()
    in_spanish(phone, "my shifts")
    phone.locator("article.card", has_text="Transporte de ida").get_by_role("button", name="Enviar informe").click()
    phone.get_by_role("heading", name="Enviar informe").wait_for()
    in_spanish(phone, "the report form")
    phone.get_by_label("Qué pasó").select_option(label="Se realizó")
    phone.get_by_label("Horas que dedicó").fill("3")
    phone.get_by_role("button", name="Enviar informe").click()
    phone.get_by_text("Gracias por enviar su informe.").wait_for()
    assert "Informe: Se realizó" in phone.locator("article.card", has_text="Transporte de ida").inner_text()
    in_spanish(phone, "reported")

    phone.get_by_role("link", name="Perfil").first.click()
    phone.get_by_role("heading", name="Mi perfil").wait_for()
    in_spanish(phone, "the profile")
    phone.get_by_label("Pueblo o barrio donde vive").fill("Revere")
    phone.get_by_role("button", name="Guardar mi perfil").click()
    phone.get_by_text("Su perfil se guardó.").wait_for()
    in_spanish(phone, "the profile saved")

    db.session.expire_all()
    assert volunteer.home_area == "Revere"
    claims = {claim.shift.role: claim for claim in db.session.scalars(select(Claim).where(
        Claim.volunteer_id == volunteer.id))}
    assert claims[ShiftRole.COMPANION].claimed_at >= utcnow() - timedelta(minutes=5)
    assert claims[ShiftRole.RIDE_THERE].report_outcome == Outcome.HELD


@pytest.mark.parametrize("language", [PageLanguage.PORTUGUESE, PageLanguage.HAITIAN_CREOLE])
def test_the_volunteer_pages_fit_a_phone_in_the_longest_languages(phone, make, db, language):
    """Portuguese and Kreyòl have the longest words: no volunteer page scrolls sideways or cuts a
    button, a field or a select in them."""
    volunteer = make.volunteer(name="Lucía Gómez", languages=["es"], preferred_language=language)
    court = make.location(name="Boston Immigration Court")
    soon = make.appointment(make.family(name="Rosa M.", town="Chelsea"), court, starts_at=from_now(days=2))
    held = make.shift(soon, role=ShiftRole.COMPANION, meeting_point="Meet at the side door")
    make.claim(held, volunteer)
    make.shift(soon, role=ShiftRole.RIDE_THERE, requires_car=True, language=Language.HAITIAN_CREOLE)
    past = make.shift(make.appointment(make.family(name="Rosa M."), court, starts_at=from_now(days=-2)),
                      role=ShiftRole.BOND_HELP)
    make.claim(past, volunteer)
    task = make.task(make.need(make.family(name="Rosa M.")), title="Call shelters")
    make.task_taker(task, volunteer)
    db.session.commit()

    phone.goto("/login")
    phone.locator("#email").fill(volunteer.email)
    phone.locator("#password").fill(make.PASSWORD)
    phone.locator("form[action='/login'] button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/$"))
    for path in ("/", "/shifts?all=y", "/my/shifts", f"/my/shifts/{held.id}", f"/my/shifts/{past.id}/report",
                 "/my/tasks", f"/my/tasks/{task.id}", f"/my/tasks/{task.id}/done", "/my/calendar", "/my/profile"):
        phone.goto(path)
        phone.locator("details").evaluate_all("(all) => all.forEach((d) => { d.open = true; })")
        assert phone.locator("html").get_attribute("lang") == ("pt-BR" if language == PageLanguage.PORTUGUESE else "ht")
        assert fits_the_screen(phone), f"{path} scrolls sideways"
        assert too_small_or_cut(phone) == [], path
        assert phone.evaluate(CLIPPED_BUTTONS) == [], path
