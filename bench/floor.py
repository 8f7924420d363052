"""What a page costs before it does its own work, against the minimal Flask route, in process.

Issue 16 bounds each page's CPU per request by a multiple of the minimal route's (10× for the
board, my shifts and my tasks, 25× for the dashboard, 8× for the claim and release POST). This
measures the floor under those bounds: the same app, signed in through the real login form, with
three routes added that do nothing of their own:

- a signed-in volunteer's view that returns a string (the session cookie, Flask-Login's user
  load with the login-session check, the page's language, the security headers);
- the same view taking a POST with its CSRF token checked (what every form post pays first);
- an empty page in the site's layout (`base.html`: header, footer, the language picker).

Then the real pages. Each figure is this process's CPU time per request (`time.process_time`),
the fastest of `--rounds` rounds of `--requests` requests through the test client, one at a time;
the minimal route (`bench/minimal_app.py`) is measured the same way, in the same process and the
same rounds, so the ratios compare like with like. No HTTP server, no gunicorn: for those, see
`bench/run`.

    .venv/bin/python -m bench.floor    # seeds the full network into a temporary SQLite file first
    .venv/bin/python -m bench.floor --database-url URL   # a network bench.seed made (keys in the environment)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

from flask import render_template, request

from bench.pages import CSRF_INPUT, PAGES, get, logged_in_client
from bench.settings import VOLUNTEER_EMAIL, bench_config, new_keys

EMPTY_PAGE = '{% extends "base.html" %}{% block title %}Floor{% endblock %}{% block content %}{% endblock %}'
FLOOR = (  # (label, path, method): the three routes added below
    ("signed-in view, a string", "/floor/string", "GET"),
    ("signed-in POST, CSRF checked, a string", "/floor/string", "POST"),
    ("empty page in the layout", "/floor/layout", "GET"),
)


def app_with_floor_routes(database_url: str):
    from accompany import create_app
    from accompany.guards import volunteer_required

    app = create_app(bench_config(database_url))

    @app.route("/floor/string", methods=["GET", "POST"])
    @volunteer_required
    def floor_string():
        return "ok" if request.method == "GET" else "posted"

    empty_page = app.jinja_env.from_string(EMPTY_PAGE)  # compiled once, as a template file is

    @app.get("/floor/layout")
    @volunteer_required
    def floor_layout():
        return render_template(empty_page)

    return app


def cpu_ms(send, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        send()
    return (time.process_time() - started) * 1000 / requests


def measure(database_url: str, *, requests: int, rounds: int) -> dict:
    from bench.minimal_app import app as minimal

    app = app_with_floor_routes(database_url)
    volunteer = logged_in_client(app, VOLUNTEER_EMAIL)
    token = CSRF_INPUT.search(get(volunteer, "/my/tasks", "My tasks").decode()).group(1)
    bare = minimal.test_client()
    sends = {"minimal route": lambda: bare.get("/")}
    for label, path, method in FLOOR:
        if method == "GET":
            sends[label] = lambda path=path: volunteer.get(path, base_url="https://localhost")
        else:
            sends[label] = lambda path=path: volunteer.post(
                path, base_url="https://localhost", data={"csrf_token": token},
                headers={"Referer": "https://localhost/my/tasks"})
    for label, path, email, marker in PAGES:
        client = volunteer if email == VOLUNTEER_EMAIL else logged_in_client(app, email)
        sends[label] = lambda client=client, path=path, marker=marker: get(client, path, marker)
    for label, send in sends.items():  # warm, and check each answers as it should
        response = send()
        status = getattr(response, "status_code", 200)
        if status != 200:
            raise SystemExit(f"bench.floor: {label} answered {status}")
    best = {label: float("inf") for label in sends}
    for _ in range(rounds):  # round-robin, so a slow spell of the machine hits every route alike
        for label, send in sends.items():
            best[label] = min(best[label], cpu_ms(send, requests))
    minimal_ms = best["minimal route"]
    return {"requests": requests, "rounds": rounds,
            "routes": {label: {"cpu_ms": round(ms, 3), "times_minimal": round(ms / minimal_ms, 1)}
                       for label, ms in best.items()}}


def render(result: dict) -> str:
    lines = [f"In process, CPU ms per request (fastest of {result['rounds']} rounds of {result['requests']}):", "",
             "| route | CPU ms | × minimal route |", "|---|---:|---:|"]
    lines += [f"| {label} | {row['cpu_ms']:.3f} | {row['times_minimal']:.1f} |" for label, row in result["routes"].items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a network bench.seed made, SQLite or PostgreSQL (default: seed "
                                               "one into a temporary SQLite file, with fresh keys)")
    parser.add_argument("--scale", type=float, default=1.0, help="the seeded network's size (default: full)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="accompany-floor-") as workdir:
        url = args.database_url
        if url is None:
            from bench.seed import seed

            os.environ.update(new_keys())
            url = f"sqlite:///{workdir}/network.sqlite"
            seed(url, scale=args.scale)
        result = measure(url, requests=args.requests, rounds=args.rounds)
    print(json.dumps(result) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
