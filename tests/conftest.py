"""Fixtures: a fresh app and database per test, on SQLite or (with --db=postgresql) PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from accompany import create_app
from accompany.database import db as _db
from accompany.database import utcnow
from config import TestingConfig
from tests.support.factories import Factory
from tests.support.postgres import start_postgres

NOW = datetime(2026, 11, 21, 15, 0, tzinfo=timezone.utc)  # a Saturday, 10:00 in Boston


def from_now(**delta) -> datetime:
    """A time relative to the real clock, for data that pages (which read the clock) must see."""
    return utcnow() + timedelta(**delta)


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("ACCOMPANY_TEST_DB", "sqlite"),
        help="database the suite runs on (default: sqlite)",
    )


def pytest_report_header(config):
    return f"accompany database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def db_kind(pytestconfig) -> str:
    return pytestconfig.getoption("--db")


@pytest.fixture(scope="session")
def postgres(db_kind):
    """A PostgreSQL server for the whole run (only when the run is on PostgreSQL)."""
    if db_kind != "postgresql":
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="accompany-pg-"))
    server = start_postgres(base)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_test_url(postgres):
    """One database whose tables are made once and emptied before every test."""
    if postgres is None:
        return None
    url = postgres.create_database("accompany_test")
    app = create_app(config_for(url))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return url


def config_for(url: str, **overrides) -> type[TestingConfig]:
    return type("TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


@pytest.fixture
def database_url(db_kind, postgres_test_url, tmp_path) -> str:
    if db_kind == "postgresql":
        return postgres_test_url
    # A file, not :memory:, so a live server thread in browser tests sees the same data.
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, db_kind):
    app = create_app(config_for(database_url))
    app.test_client_class = FreshContextClient
    with app.app_context():
        if db_kind == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            _db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            _db.session.commit()
        else:
            _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def phone(app):
    """Debian's Chromium at 360 px on a live server of this test's app."""
    from tests.support.browser import phone_page

    with phone_page(app) as page:
        yield page


@pytest.fixture
def make(app):
    return Factory(now=NOW)


CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token a real browser would find in the form on `path`."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    found = CSRF_INPUT.search(page)
    assert found, f"no CSRF token in the form at {path}"
    return found.group(1)


def log_in(client, user, password: str = Factory.PASSWORD):
    """Log `user` in through the real login form."""
    response = client.post(
        "/login",
        data={"email": user.email, "password": password, "csrf_token": csrf_token(client, "/login")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response
