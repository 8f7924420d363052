"""Fixtures: a fresh app and database per test, on SQLite or (with --db=postgresql) PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # nosec B404: the project's own script
import sys
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from werkzeug.routing import Rule

from accompany import create_app
from accompany.clock import parse_instant, set_clock, utcnow
from accompany.database import db as _db
from config import BASE_DIR as ROOT
from config import TestingConfig
from tests.support.clock_use import reads_the_clock
from tests.support.factories import Factory
from tests.support.postgres import start_postgres

NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)  # a Saturday, 10:00 in Boston

# Instants where time-sensitive code goes wrong, in Boston time: the edges of quiet hours (08:00 to
# 20:00), the night, the Saturday night before the spring DST change (2027-03-14 02:00 jumps to
# 03:00, so that Sunday has 23 hours), the first 01:30 of the fall change (2027-11-07: 02:00 falls
# back to 01:00, so 01:30 comes again) and the turn of the year. `--clock=matrix` runs every test
# marked `clock_matrix` that reads the clock (tests.support.clock_use) at each of them too.
CLOCK_MATRIX = {
    "0300": "2026-11-24T03:00-05:00",
    "0759": "2026-11-24T07:59-05:00",
    "0800": "2026-11-24T08:00-05:00",
    "1959": "2026-11-24T19:59-05:00",
    "2000": "2026-11-24T20:00-05:00",
    "2330": "2026-11-24T23:30-05:00",
    "dst-spring": "2027-03-13T23:30-05:00",
    "dst-fall": "2027-11-07T01:30-04:00",
    "new-years-eve": "2026-12-31T23:30-05:00",
}


BOSTON = ZoneInfo("America/New_York")


def from_now(**delta) -> datetime:
    """A time relative to the app's clock, for data that pages (which read the clock) must see."""
    return utcnow() + timedelta(**delta)


def boston(day, hh: int, mm: int = 0) -> datetime:
    """`day` at hh:mm in Boston (the test network's time zone), as an aware UTC datetime."""
    return datetime.combine(day, time(hh, mm), tzinfo=BOSTON).astimezone(UTC)


# "José Pérez" as coordinators type it into a meeting point, however the accents and case come out:
# none of these may reach a volunteer's text or calendar with the name in it.
JOSE_PEREZ_MEETING_POINTS = [
    "José's home, 12 Elm St",  # precomposed é
    "Jose\u0301's home, 12 Elm St",  # decomposed: e and a separate accent mark
    "Jose's home, 12 Elm St",  # no accents
    "JOSÉ PÉREZ'S HOME, 12 ELM ST",  # upper case
    "the Perez home, 12 Elm St",
    "Pe\u0301rez\u2019s house, 12 Elm St",  # decomposed, curly possessive
]


def fresh_database_url(db_kind: str, postgres, tmp_path, name: str) -> str:
    """An empty database of this run's kind, for tests that migrate one themselves."""
    if db_kind == "postgresql":
        return postgres.create_database(name)
    return f"sqlite:///{tmp_path / (name + '.sqlite')}"


def clock_env() -> dict[str, str]:
    """Environment that starts another process's app clock where this test's clock is now."""
    return {"ACCOMPANY_CLOCK_START": utcnow().isoformat()}


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("ACCOMPANY_TEST_DB", "sqlite"),
        help="database the suite runs on (default: sqlite)",
    )
    parser.addoption(
        "--clock",
        default=os.environ.get("ACCOMPANY_TEST_CLOCK", NOW.isoformat()),
        help="where the app's clock starts in every test: an ISO instant with its offset (default: NOW, "
        "a Saturday 10:00 in Boston), 'real' for the wall clock, or 'matrix': every test at NOW, and the "
        "tests marked clock_matrix that read the clock at each instant of CLOCK_MATRIX as well",
    )


def pytest_configure(config):
    clock = config.getoption("--clock")
    if clock not in ("real", "matrix"):
        try:
            parse_instant(clock)
        except ValueError as error:
            raise pytest.UsageError(f"--clock: {error}") from None
    if not hasattr(config, "workerinput"):  # once, before any xdist worker starts
        compile_translations()


def compile_translations() -> None:
    """The pages' catalogs as the app reads them (.mo files are built, not committed): the same
    `scripts/translations compile` that scripts/install runs, so a catalog just edited is used."""
    done = subprocess.run(["bash", str(ROOT / "scripts" / "translations"), "compile"], capture_output=True, text=True,
                          env={**os.environ, "PYTHON": sys.executable}, check=False)
    if done.returncode:
        raise pytest.UsageError(f"scripts/translations compile failed:\n{done.stderr}")


def pytest_report_header(config):
    return f"accompany database: {config.getoption('--db')}, clock: {config.getoption('--clock')}"


def pytest_generate_tests(metafunc):
    if (metafunc.config.getoption("--clock") == "matrix" and metafunc.definition.get_closest_marker("clock_matrix")
            and reads_the_clock(metafunc.function, metafunc.fixturenames)):
        instants = {"now": NOW.isoformat(), **CLOCK_MATRIX}
        metafunc.parametrize("app_clock", list(instants.values()), ids=list(instants), indirect=True)


@pytest.fixture(autouse=True)
def app_clock(request):
    """Start the app's clock where the run asks, and tick on from there; back to real time after."""
    setting = getattr(request, "param", None) or request.config.getoption("--clock")
    if setting == "matrix":  # a test that does not read the clock runs once, at NOW
        setting = NOW.isoformat()
    set_clock(None if setting == "real" else parse_instant(setting))
    yield utcnow()
    set_clock(None)


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


@event.listens_for(Engine, "connect")
def _sqlite_skips_disk_syncs_in_tests(dbapi_connection, connection_record) -> None:
    """A test database is thrown away, so waiting for the disk after every commit buys nothing."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def sqlite_template(db_kind, tmp_path_factory) -> Path | None:
    """An empty SQLite database with every table, made once per worker and copied for each test."""
    if db_kind != "sqlite":
        return None
    path = tmp_path_factory.mktemp("template") / "schema.sqlite"
    app = create_app(config_for(f"sqlite:///{path}"))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_test_path(db_kind, tmp_path_factory) -> Path | None:
    """Where each test's SQLite database lives: one path per worker, so its engine can be reused."""
    return tmp_path_factory.mktemp("db") / "test.sqlite" if db_kind == "sqlite" else None


@pytest.fixture
def database_url(db_kind, postgres_test_url, sqlite_template, sqlite_test_path) -> str:
    if db_kind == "postgresql":
        return postgres_test_url
    # A file, not :memory:, so a live server thread in browser tests sees the same data. The last
    # test's connections are closed (the app fixture disposes its engine) before the copy.
    shutil.copyfile(sqlite_template, sqlite_test_path)
    return f"sqlite:///{sqlite_test_path}"


# -- warm caches across tests ------------------------------------------------------------------------
# Each test gets a new app, and a new app starts cold: its URL map compiles a builder per route, its
# Jinja environment compiles every template again, and its new engine compiles every SQL statement
# again. That was more than half of the suite's time. The three caches below carry that work from
# one test to the next without sharing any state a test can see: builders and template code are pure
# functions of their source, and the engine is only reused for the fixture's own app, whose database
# is emptied before each test (other apps a test makes still get their own engine).

_original_compile_builder = Rule._compile_builder
_BUILDERS: dict = {}


def _cached_compile_builder(self, append_unknown: bool = True):
    key = (self.rule, repr(sorted((self.defaults or {}).items())), tuple(self._trace), append_unknown)
    if key not in _BUILDERS:
        _BUILDERS[key] = _original_compile_builder(self, append_unknown)
    return _BUILDERS[key]


Rule._compile_builder = _cached_compile_builder
class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for the whole run (Jinja checks each source's checksum)."""

    def __init__(self):
        self.stored: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.stored:
            bucket.bytecode_from_string(self.stored[bucket.key])

    def dump_bytecode(self, bucket):
        self.stored[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = MemoryBytecodeCache()
_ENGINES: dict[str, Engine] = {}
_reuse_engine = False
_original_make_engine = _db._make_engine


def _make_engine(bind_key, options, app):
    if not _reuse_engine:
        return _original_make_engine(bind_key, options, app)
    key = repr(sorted(options.items(), key=lambda item: item[0]))
    if key not in _ENGINES:
        _ENGINES[key] = _original_make_engine(bind_key, options, app)
    return _ENGINES[key]


_db._make_engine = _make_engine


def make_test_app(database_url: str):
    """The app a test gets: new, with the caches above."""
    global _reuse_engine
    _reuse_engine = True
    try:
        app = create_app(config_for(database_url))
    finally:
        _reuse_engine = False
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    return app


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def empty_postgres_tables() -> None:
    """Every table emptied and every id sequence back at 1, as a new database would be.

    DELETE, not TRUNCATE: on the few rows a test leaves, deleting takes about 2 ms where TRUNCATE
    (which rewrites each table's files) takes about 65 ms, which was most of a PostgreSQL test.
    """
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    sequences = _db.session.scalars(text("SELECT schemaname || '.' || sequencename FROM pg_sequences")).all()
    if sequences:
        resets = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
        _db.session.execute(text(f"SELECT {resets}"))
    _db.session.commit()


@pytest.fixture
def app(database_url, db_kind):
    app = make_test_app(database_url)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if db_kind == "postgresql":
            empty_postgres_tables()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def gateway(app):
    """The app's fake SMS gateway (config SMS_BACKEND=fake), emptied: what a test sends is all it holds."""
    from accompany.services.messaging.sms.gateway import current_gateway

    fake = current_gateway()
    fake.clear()
    return fake


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium per worker; each test gets its own context in it (see `phone`)."""
    from tests.support.browser import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def phone(app, chromium_browser):
    """Debian's Chromium at 360 px on a live server of this test's app."""
    from tests.support.browser import phone_page

    with phone_page(app, chromium_browser) as page:
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
