"""Keyboard and screen readers (issue 17, point 5), through the pages' HTML: the skip link, the
error summary a failed submit focuses, and repeated buttons that name their card. The browser
tests (tests/test_browser.py) check the same in Chromium, with axe."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.conftest import csrf_token, log_in


class Elements(HTMLParser):
    """Every element's tag and attributes, in order, and the ids on the page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    @property
    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.found if attrs.get("id")}

    def with_class(self, name: str) -> list[dict]:
        return [attrs for _, attrs in self.found if name in (attrs.get("class") or "").split()]


def test_the_first_thing_a_keyboard_reaches_is_a_link_to_the_content(client):
    page = Elements(client.get("/login").get_data(as_text=True))
    focusable = [(tag, attrs) for tag, attrs in page.found if tag in ("a", "button", "input", "select", "textarea")
                 and attrs.get("type") != "hidden"]
    tag, attrs = focusable[0]
    assert tag == "a" and attrs["href"] == "#content" and "content" in page.ids


def test_every_page_describes_itself_for_search_results_and_link_previews(client, make, db):
    """Lighthouse's SEO audit (bench/run-lighthouse) wants a meta description: the page's title."""

    def descriptions(path):
        page = Elements(client.get(path).get_data(as_text=True))
        return [attrs["content"] for tag, attrs in page.found if tag == "meta" and attrs.get("name") == "description"]

    volunteer = make.volunteer()
    db.session.commit()
    assert descriptions("/login") == ["Log in · Accompany"]
    log_in(client, volunteer)
    assert descriptions("/my/profile") == ["My profile · Accompany"]


def test_a_failed_sign_up_opens_with_a_summary_that_links_to_each_field_with_a_problem(client):
    response = client.post("/signup", data={"csrf_token": csrf_token(client, "/signup"), "email": "not an email"})
    html = response.get_data(as_text=True)
    page = Elements(html)
    [summary] = page.with_class("error-summary")
    assert summary["role"] == "alert" and summary["tabindex"] == "-1" and "autofocus" in summary
    links = re.findall(r'<li><a href="#([^"]+)">', html.split('class="error-summary"')[1].split("</div>")[0])
    assert {"name", "email", "password"} <= set(links)
    assert set(links) <= page.ids  # each link lands on its field
    assert "Please fix these" in html


def test_the_summary_speaks_the_page_language(client):
    html = client.post("/signup", data={"csrf_token": csrf_token(client, "/signup")},
                       headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Por favor, corrija estos" in html


def test_a_page_without_a_failed_submit_has_no_summary(client):
    assert "error-summary" not in client.get("/signup").get_data(as_text=True)


def test_a_wrong_password_gets_the_summary_too(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    html = client.post("/login", data={"email": volunteer.email, "password": "wrong",
                                       "csrf_token": csrf_token(client, "/login")}).get_data(as_text=True)
    assert Elements(html).with_class("error-summary")


def test_each_take_this_shift_button_is_named_after_its_card(client, make, db):
    volunteer = make.volunteer()
    shifts = [make.shift(), make.shift()]
    db.session.commit()
    log_in(client, volunteer)
    page = Elements(client.get("/shifts").get_data(as_text=True))
    buttons = [attrs for tag, attrs in page.found if tag == "button" and (attrs.get("id") or "").startswith("take-")]
    assert len(buttons) == len(shifts)
    for button in buttons:
        own, card = button["aria-labelledby"].split()
        assert own == button["id"] and card in page.ids and card.endswith("-title")
