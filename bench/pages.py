"""In-process measurements of the three pages: queries per page, time, page weight and profile.

Each page is requested through the app's test client after logging in through the real login
form, like a browser would (a coordinator in two steps: the password, then the current TOTP code). For every database given (the network at several sizes) it counts
the SQL statements one request runs and times requests one at a time (with the SQL time inside
them); on the last (largest) it does the same on a copy after ANALYZE (SQLite plans without
statistics until someone runs it), weighs the HTML and the CSS (raw and gzip-compressed), and
profiles requests with cProfile to say where the time goes.

    python -m bench.pages --database-url URL [--database-url URL ...] --json
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import itertools
import json
import pstats
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing, contextmanager
from pathlib import Path

import pyotp
from sqlalchemy import event

from bench.settings import (
    COORDINATOR_EMAIL,
    PASSWORD,
    SEEDED_COORDINATORS,
    TOTP_SECRET,
    VOLUNTEER_EMAIL,
    bench_config,
    coordinator_emails,
)

ROOT = Path(__file__).resolve().parent.parent
CSS_FILES = ("static/vendor/pico/pico.min.css", "static/css/app.css")
# (label, path, account, a marker the page must contain so we never weigh a login page)
PAGES = (
    ("board", "/shifts", VOLUNTEER_EMAIL, "Open shifts"),
    ("my shifts", "/my/shifts", VOLUNTEER_EMAIL, "My shifts"),
    ("my tasks", "/my/tasks", VOLUNTEER_EMAIL, "My tasks"),
    ("dashboard", "/", COORDINATOR_EMAIL, "Next two weeks"),
)
# Named spots whose cumulative time is worth knowing: (label, file names, function names, only
# functions of the accompany package).
SPOTS = (
    ("the page's service call", ("board.py", "my_shifts.py", "tasks.py", "dashboard.py"),
     ("open_shifts", "my_shifts", "my_tasks", "coordinator_dashboard"), True),
    ("rendering the template", ("templating.py",), ("render_template",), False),
    ("CSRF hidden fields (hidden_tag)", ("form.py",), ("hidden_tag",), False),
    ("local-time filters", ("presentation.py",), ("local_datetime", "local_time"), True),
    ("decrypting sealed columns", ("crypto.py",), ("process_result_value",), True),
    ("loading the signed-in user", ("accounts.py",), ("load_session_user",), True),
    ("saving the session cookie", ("sessions.py",), ("save_session",), False),
)
# Each page's view function: (file name, function name).
VIEWS = {"board": ("board.py", "board_page"), "my shifts": ("my_shifts.py", "my_shifts_page"),
         "my tasks": ("tasks.py", "my_tasks_page"),
         "dashboard": ("views.py", "index")}
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
GZIP_LEVEL = 6  # what nginx and most proxies are set to; level 9 saves only a little more
# A TOTP code is accepted once per account and 30-second step, and the full network is logged into
# more than once (its ANALYZE copy too): each coordinator login takes the next seeded coordinator.
COORDINATOR_LOGINS = itertools.cycle(coordinator_emails(SEEDED_COORDINATORS))


def _cards(body: bytes) -> int:
    """What a page lists: its cards, and the dashboard's lines for the next two weeks."""
    upcoming = body.partition(b'<section id="upcoming">')[2].partition(b"</section>")[0]
    return body.count(b'<article class="card') + upcoming.count(b"<li")


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL))


@contextmanager
def counting(engine):
    """The statements run on `engine` inside the block (the test suite's rule: no PRAGMA/savepoints)."""
    try:
        from tests.support.queries import count_queries
    except ImportError:  # a checkout without tests/: the same listener, inline
        count_queries = None
    if count_queries is not None:
        with count_queries(engine) as counted:
            yield counted.statements
        return
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def logged_in_client(app, email: str):
    """A test client holding a session made by the real login form.

    Over https, because production cookies are Secure; Flask-WTF then also checks the Referer.
    """
    client = app.test_client()
    if email == COORDINATOR_EMAIL:
        email = next(COORDINATOR_LOGINS)

    def post_form(path: str, fields: dict):
        page = client.get(path, base_url="https://localhost").get_data(as_text=True)
        token = CSRF_INPUT.search(page)
        if not token:
            raise SystemExit(f"bench.pages: no CSRF token in the form at {path}")
        return client.post(path, base_url="https://localhost", headers={"Referer": f"https://localhost{path}"},
                           data={**fields, "csrf_token": token.group(1)})

    response = post_form("/login", {"email": email, "password": PASSWORD, "next": ""})
    if response.status_code != 302:
        raise SystemExit(f"bench.pages: logging in as {email} answered {response.status_code}")
    if response.headers.get("Location", "").endswith("/login/code"):  # two-step login: the code from the app
        for _ in range(4):  # a code's time step is accepted once per account: if used, the next step's
            response = post_form("/login/code", {"code": pyotp.TOTP(TOTP_SECRET).now()})
            if response.status_code == 302 or b"just used" not in response.get_data():
                break
            time.sleep(30.5 - time.time() % 30)
        if response.status_code != 302:
            raise SystemExit(f"bench.pages: the code for {email} answered {response.status_code}")
    return client


def get(client, path: str, marker: str):
    response = client.get(path, base_url="https://localhost")
    body = response.get_data()
    if response.status_code != 200 or marker.encode() not in body:
        raise SystemExit(f"bench.pages: GET {path} answered {response.status_code} without {marker!r}")
    return body


def _timed_requests(engine, client, path: str, marker: str, repeats: int) -> dict:
    """Milliseconds per request one at a time, and the SQL time inside them, statement by statement."""
    per_statement: dict[str, list[float]] = {}
    timings = []

    def before(conn, cursor, statement, parameters, context, executemany):
        context._bench_started = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        per_statement.setdefault(statement, []).append(time.perf_counter() - context._bench_started)

    for _ in range(3):
        get(client, path, marker)
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            get(client, path, marker)
            timings.append((time.perf_counter() - start) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    slowest = max(per_statement.items(), key=lambda kv: sum(kv[1]))
    return {
        "median_ms": round(statistics.median(timings), 2),
        "min_ms": round(min(timings), 2),
        "sql_execute_ms": round(sum(map(sum, per_statement.values())) * 1000 / repeats, 2),
        "slowest_statement": {"ms": round(sum(slowest[1]) * 1000 / repeats, 2),
                              "sql": " ".join(slowest[0].split())[:200]},
    }


def measure_size(database_url: str, *, repeats: int) -> dict:
    """Per page on this database: the statements one request runs, and its time."""
    from accompany import create_app
    from accompany.database import db

    app = create_app(bench_config(database_url))
    with app.app_context():
        engine = db.engine
    result = {}
    for label, path, email, marker in PAGES:
        client = logged_in_client(app, email)
        get(client, path, marker)  # warm: first-request caches (templates, compiled SQL)
        with counting(engine) as statements:
            body = get(client, path, marker)
        result[label] = {"count": len(statements), "statements": [" ".join(s.split())[:160] for s in statements],
                         "cards": _cards(body), "html_bytes": len(body)}
        result[label].update(_timed_requests(engine, client, path, marker, repeats))
    engine.dispose()
    return result


def analyzed_copy(database_url: str, workdir: Path) -> str | None:
    """A copy of a SQLite database after ANALYZE (planner statistics), or None for other databases."""
    if not database_url.startswith("sqlite:///"):
        return None
    source = Path(database_url.removeprefix("sqlite:///"))
    target = workdir / (source.stem + "-analyzed.sqlite")
    shutil.copyfile(source, target)
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("ANALYZE")
        conn.commit()
    return f"sqlite:///{target}"


def _bucket(filename: str, function: str) -> str:
    if "sqlite3.Cursor" in function or "sqlite3.Connection" in function or "psycopg" in filename + function:
        return "database driver (executing, fetching)"
    if "/sqlalchemy/" in filename:
        return "SQLAlchemy (compiling, ORM, result rows)"
    if "/jinja2/" in filename or "/markupsafe/" in filename or filename.endswith(".html") or filename == "<template>":
        return "Jinja2 templates"
    if "/cryptography/" in filename or "Fernet" in function or "hmac" in filename:
        return "cryptography (Fernet, HMAC)"
    if "/accompany/" in filename:
        return "accompany code"
    if any(part in filename for part in ("/flask/", "/werkzeug/", "/flask_login/", "/flask_wtf/",
                                          "/wtforms/", "/itsdangerous/", "/flask_sqlalchemy/", "/babel/")):
        return "Flask, Werkzeug, WTForms, Flask-Login, sessions"
    return "Python standard library and the rest"


def _cumulative(stats: pstats.Stats, files, functions, *, ours: bool = False) -> float:
    """Cumulative seconds in the named functions (`ours`: only those in the accompany package)."""
    return sum(
        cumtime
        for (filename, _line, function), (_cc, _calls, _tottime, cumtime, _callers) in stats.stats.items()
        if function in functions and Path(filename).name in files and (not ours or "/accompany/" in filename)
    )


def weigh_and_profile(database_url: str, *, repeats: int) -> dict:
    from accompany import create_app
    from accompany.database import db

    app = create_app(bench_config(database_url))
    with app.app_context():
        engine = db.engine
    out: dict = {"pages": {}, "css": {}}
    for label, path, email, marker in PAGES:
        client = logged_in_client(app, email)
        body = get(client, path, marker)
        cards = _cards(body)
        for _ in range(3):
            get(client, path, marker)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeats):
            get(client, path, marker)
        profiler.disable()
        stats = pstats.Stats(profiler)
        buckets: dict[str, float] = {}
        total = 0.0
        rows = []
        for (filename, _line, function), (_cc, calls, tottime, _cumtime, _callers) in stats.stats.items():
            name = _bucket(filename, function)
            buckets[name] = buckets.get(name, 0.0) + tottime
            total += tottime
            rows.append((tottime, calls, f"{Path(filename).name}:{function}" if filename != "~" else function))
        rows.sort(reverse=True)
        # Phases from cumulative times: the whole app, the view (services, queries, ORM, forms,
        # loading the user) and the template in it; outside the view are Flask, Werkzeug and
        # the session cookie.
        whole = _cumulative(stats, ("app.py",), ("wsgi_app",)) or 1.0
        view = _cumulative(stats, (VIEWS[label][0],), (VIEWS[label][1],), ours=True)
        render = _cumulative(stats, ("templating.py",), ("render_template",))
        spots = {spot: round(_cumulative(stats, files, functions, ours=ours) / whole, 3)
                 for spot, files, functions, ours in SPOTS}
        out["pages"][label] = {
            "path": path,
            "html_bytes": len(body),
            "html_gzip_bytes": _gz(body),
            "cards": cards,
            "phases": {"template": round(render / whole, 3),
                       "view before the template": round((view - render) / whole, 3),
                       "outside the view": round((whole - view) / whole, 3)},
            "profile_spots": spots,
            "profile_share": {k: round(v / total, 3) for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])},
            "profile_top": [{"tottime_share": round(t / total, 3), "calls_per_request": round(c / repeats, 1),
                             "function": f} for t, c, f in rows[:12]],
        }
    for name in CSS_FILES:
        data = (ROOT / name).read_bytes()
        out["css"][name] = {"bytes": len(data), "gzip_bytes": _gz(data)}
    out["gzip_level"] = GZIP_LEVEL
    engine.dispose()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", action="append", required=True,
                        help="one per data size, smallest first; the last is weighed and profiled")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    result = {"repeats": args.repeats, "sizes": [measure_size(url, repeats=args.repeats) for url in args.database_url]}
    with tempfile.TemporaryDirectory(prefix="accompany-bench-analyze-") as workdir:
        analyzed = analyzed_copy(args.database_url[-1], Path(workdir))
        result["analyzed"] = measure_size(analyzed, repeats=args.repeats) if analyzed else None
    result.update(weigh_and_profile(args.database_url[-1], repeats=args.repeats))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
