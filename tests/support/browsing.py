"""Browsing the app as a person would, through Flask's test client: logged in as someone, or
checking what every page of an area gives an anonymous visitor or loads from elsewhere."""

from __future__ import annotations

import re

from accompany.database import db
from tests.conftest import csrf_token, log_in

ASSET_URL = re.compile(r'<(?:link|script|img|iframe|source)[^>]+(?:src|href)="([^"]+)"')
HIDDEN_INPUT = re.compile(r"<input(?=[^>]*type=\"hidden\")[^>]*>")
ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')


def hidden_inputs(page: str) -> dict[str, str]:
    """The hidden fields of the forms on `page` (CSRF token, a form's one-time key, `seen`...), as a
    browser would send them back."""
    found = {}
    for tag in HIDDEN_INPUT.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            found[attributes["name"]] = attributes.get("value", "").replace("&amp;", "&")
    return found


def hidden_fields(client, path: str) -> dict[str, str]:
    """The hidden fields of the form on the page at `path`, fetched with the test client."""
    return hidden_inputs(client.get(path).get_data(as_text=True))


def logged_in(app, user):
    """A new browser (test client) logged in as `user`, who is committed first; `.user` is them."""
    db.session.commit()
    client = app.test_client()
    log_in(client, user)
    client.user = user
    return client


def assert_sent_to_log_in(client, urls: list[tuple[str, str]]) -> None:
    """Each (method, url) sends an anonymous visitor to the login page; a POST carries a valid
    CSRF token, so it is the login check that turns it away."""
    token = csrf_token(client, "/login")
    for method, url in urls:
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), (method, url)


def assert_loads_nothing_from_outside(client, paths) -> None:
    """The pages at `paths` load scripts, styles and images only from /static/, with no inline
    script or style."""
    for path in paths:
        page = client.get(path).get_data(as_text=True)
        for url in ASSET_URL.findall(page):
            assert url.startswith("/static/"), url
        assert "<script" not in page and "style=" not in page
