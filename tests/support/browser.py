"""A live server for the app under test, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

PHONE_VIEWPORT = {"width": 360, "height": 740}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def serve(app):
    """Serve `app` on a free loopback port in a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium():
    """Debian's Chromium (never a downloaded browser), headless."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("Debian's chromium is not installed (the README's test command installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def fits_the_screen(page) -> bool:
    """No sideways scrolling at the phone's width (measured once the page and its CSS loaded)."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


@contextmanager
def phone_page(app, browser):
    """A phone-sized page, in a fresh browser context (its own cookies and storage), on a live
    server for `app`. On exit it fails the test if the page loaded anything from outside the site
    or the browser reported an error (CSP violations are reported that way)."""
    with serve(app) as base_url:
        context = browser.new_context(viewport=PHONE_VIEWPORT, base_url=base_url, is_mobile=True, has_touch=True)
        page = context.new_page()
        outside, errors = [], []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page
        context.close()
        assert outside == [], f"the page tried to load from outside: {outside}"
        assert errors == [], f"the browser reported errors: {errors}"
