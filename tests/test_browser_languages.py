"""The language picker in a real browser on a 360 px phone, with the longest words: Portuguese and
Kreyòl (issue 17)."""

from __future__ import annotations

import pytest

from tests.support.browser import fits_the_screen, too_small_or_cut
from tests.test_browser import log_in as sign_in

pytestmark = pytest.mark.browser

# A button whose words do not fit: its text runs past its own box, whether or not that shows.
CLIPPED_BUTTONS = """() => [...document.querySelectorAll('button, [role=button], input[type=submit]')]
  .filter((el) => el.getBoundingClientRect().width > 0)
  .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .map((el) => el.innerText.trim())"""


def pick(page, language: str) -> None:
    """Choose `language` in the picker at the foot of the page and send it, as a person does."""
    page.locator("#page-language").select_option(label=language)
    with page.expect_navigation():
        page.locator("form.language-picker button[type=submit]").click()


@pytest.mark.parametrize("path", ["/login", "/signup"])
def test_portuguese_then_kreyol_fit_a_phone_with_no_sideways_scroll_and_no_clipped_button(phone, path):
    phone.goto(path)
    for language, lang, log_in in (("Português", "pt-BR", "Entrar"), ("Kreyòl", "ht", "Konekte")):
        pick(phone, language)
        assert phone.url.endswith(path)  # back on the same page
        assert phone.locator("html").get_attribute("lang") == lang
        assert phone.locator("#page-language").input_value() == ("pt" if lang == "pt-BR" else "ht")
        if path == "/login":
            assert phone.get_by_role("button", name=log_in, exact=True).is_visible()
        assert fits_the_screen(phone), f"{language}: the page scrolls sideways"
        assert too_small_or_cut(phone) == [], language
        assert phone.evaluate(CLIPPED_BUTTONS) == [], language


def test_a_coordinators_appointment_pages_in_portuguese_and_kreyol_cut_no_choice_on_a_phone(app, phone, make, db):
    """Every appointment kind and every 'how you checked' choice fits the select it is shown in."""
    make.coordinator(email="carmen@example.org")
    appointment = make.appointment()
    make.shift(appointment=appointment)
    db.session.commit()
    sign_in(phone, "carmen@example.org", make.PASSWORD)
    phone.wait_for_load_state("load")
    for language in ("Português", "Kreyòl"):
        pick(phone, language)
        for path in (f"/coordinator/appointments/new?family_id={appointment.family_id}",
                     f"/coordinator/appointments/{appointment.id}"):
            phone.goto(path)
            phone.wait_for_load_state("load")
            assert too_small_or_cut(phone) == [], f"{language}: {path}"
            assert phone.evaluate(CLIPPED_BUTTONS) == [], f"{language}: {path}"
