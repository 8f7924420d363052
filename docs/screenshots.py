"""Make the README's screenshots from the demo network: `.venv/bin/python docs/screenshots.py`.

Builds a throwaway SQLite database with `seed-demo`, serves it on 127.0.0.1 and photographs pages
at phone size with Debian's Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from accompany import create_app  # noqa: E402
from accompany.clock import utcnow
from accompany.database import db  # noqa: E402
from accompany.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from config import DevelopmentConfig  # noqa: E402
from tests.support.browser import PHONE_VIEWPORT, chromium, serve  # noqa: E402

OUT = ROOT / "docs" / "images"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = type("Shots", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/demo.sqlite"})
        app = create_app(config)
        with app.app_context():
            db.create_all()
            result = seed_demo(now=utcnow())
            db.session.commit()
            logins = dict((role, email) for role, email in result.logins)
        with serve(app) as base_url, chromium() as browser:
            page = browser.new_context(viewport=PHONE_VIEWPORT, base_url=base_url, device_scale_factor=2).new_page()
            for role, path, name in (("coordinator", "/", "coordinator-dashboard.png"),
                                     ("coordinator", "/coordinator/inbox", "coordinator-inbox-thread.png"),
                                     ("coordinator", "/coordinator/fund", "coordinator-fund.png"),
                                     ("volunteer", "/", "volunteer-home.png")):
                email = next(email for label, email in logins.items() if label.lower().startswith(role))
                page.goto("/login")
                page.get_by_label("Email").fill(email)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.goto(path)
                if path == "/coordinator/inbox":  # the conversation waiting at the top
                    page.locator('a[href^="/coordinator/inbox/"]').first.click()
                if path == "/coordinator/fund":  # the figures and the chart, from the page's heading down
                    top = page.locator("h1").bounding_box()["y"]
                    page.screenshot(path=str(OUT / name), full_page=True,
                                    clip={"x": 0, "y": top - 12, **PHONE_VIEWPORT})
                else:
                    page.screenshot(path=str(OUT / name), full_page=path == "/coordinator/inbox")
                page.get_by_role("button", name="Log out").click()
                print(f"wrote docs/images/{name}")
            _volunteer_task(page, logins)  # casework (issue 14)


def _volunteer_task(page, logins: dict) -> None:
    """A volunteer's held task on a phone: they take the first open task on their board."""
    email = next(email for label, email in logins.items() if label.lower().startswith("volunteer"))
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/shifts#tasks")
    page.get_by_role("button", name="Take this task").first.click()
    page.locator("#task-family").wait_for()
    page.screenshot(path=str(OUT / "volunteer-task.png"), full_page=True)
    page.get_by_role("button", name="Log out").click()
    print("wrote docs/images/volunteer-task.png")


if __name__ == "__main__":
    main()
