"""The headers every answer carries (DESIGN §4): a strict Content-Security-Policy, no framing,
no sniffing, a careful referrer, HSTS in production and no caching of signed-in pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accompany import create_app
from tests.conftest import config_for, log_in

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login", "/signup", "/healthz", "/no-such-page"])
def test_every_answer_carries_the_strict_headers(client, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'" and csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http in development and tests


def test_signed_in_pages_are_never_cached_and_the_login_page_may_be(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    log_in(client, volunteer)
    for path in ("/", "/shifts", "/my/shifts", "/my/profile"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_production_adds_hsts_and_secure_cookies(database_url, db):
    app = create_app(config_for(database_url, ENV_NAME="production", SESSION_COOKIE_SECURE=True))
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_production_config_itself_sets_secure_cookies():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True and ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_code_or_loads_from_outside(template):
    """What the CSP would block anyway, caught before a browser has to."""
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text)
    assert not INLINE_HANDLER.search(text)
    assert not INLINE_STYLE.search(text)
    assert not OUTSIDE.search(text)
