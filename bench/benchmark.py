"""The whole benchmark, start to finish (bench/run calls this inside the project's venv).

1. Seed the network at three sizes (1/10, 1/3, full) into fresh SQLite files (or databases on
   a throwaway PostgreSQL).
2. In process (bench/pages.py), on each size: the SQL statements one request of each page runs
   and its time; on the full size also after ANALYZE, the page weight, and a cProfile of where
   the time goes.
3. Serve the full network with gunicorn (`wsgi:app`, production config) and the minimal Flask
   app the same way, on 127.0.0.1, and load each page at 2 and 16 concurrent clients.
4. Print the results as Markdown and write them to bench/results/latest.md (and .json).

Settings (environment): BENCH_DATABASE (sqlite, or postgresql: a throwaway server started the
way the test suite starts one), BENCH_WORKERS (3), BENCH_DURATION (8 s), BENCH_WARMUP (1 s),
BENCH_CLIENTS ("2,16"), BENCH_WORKDIR (a temp dir, removed afterwards unless given).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from bench import common, load
from bench.report import cpu_ms, cpu_ratio, render
from bench.server import Server
from bench.settings import (
    COORDINATOR_EMAIL,
    PASSWORD,
    TOTP_SECRET,
    VOLUNTEER_EMAIL,
    coordinator_emails,
    server_env,
    tapping_volunteer_emails,
)

TAPPERS = object()  # in SCENARIOS: the tapping volunteers, one per client

SCALES = ((0.1, "1/10"), (1 / 3, "1/3"), (1.0, "full"))
# Shifts a week or more ahead: giving one back is not a late release (that alerts the coordinators).
POST_BOARD = f"/shifts?first_day={(datetime.now(UTC) + timedelta(days=8)).date().isoformat()}"
# (label, server, path, account, marker the page must contain, mode: bench.load.Scenario.mode)
SCENARIOS = (
    ("minimal Flask route", "minimal", "/", None, "smallest Flask answer", "get"),
    ("volunteer board", "app", "/shifts", VOLUNTEER_EMAIL, "Open shifts", "get"),
    ("my shifts", "app", "/my/shifts", VOLUNTEER_EMAIL, "My shifts", "get"),
    ("my tasks", "app", "/my/tasks", VOLUNTEER_EMAIL, "My tasks", "get"),
    ("coordinator dashboard", "app", "/", COORDINATOR_EMAIL, "Next two weeks", "get"),
    ("claim and release (POST)", "app", POST_BOARD, TAPPERS, "Open shifts", "claim-release"),
)

log = common.logger("bench")


def run_json(args: list[str], *, what: str) -> dict:
    result = subprocess.run([sys.executable, "-m", *args], cwd=common.ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"bench: {what} failed")
    return json.loads(result.stdout)


def seed_networks(databases: common.Databases, database: str, *, login_coordinators: int) -> list[dict]:
    """The network at each of SCALES, in a fresh database each; their summaries (bench.seed --json)."""
    seeds = []
    for scale, label in SCALES:
        url = databases.url(database, f"network-{label.replace('/', 'of')}")
        # bench.seed --sqlite replaces the file; a PostgreSQL database is new and empty
        target = ["--sqlite", url.removeprefix("sqlite:///")] if database == "sqlite" else ["--database-url", url]
        summary = run_json(["bench.seed", *target, "--scale", repr(scale), "--json",
                            "--login-coordinators", str(login_coordinators)], what=f"seeding {label}")
        summary["label"], summary["url"] = label, url
        seeds.append(summary)
        c = summary["counts"]
        log(f"seeded {label}: {c['shifts']} shifts, {c['appointments']} appointments, {c['claims']} claims "
            f"in {summary['total_s']} s")
    return seeds


def load_each_page(by_name: dict[str, Server], concurrency: list[int], *, warmup: float,
                   duration: float) -> list[dict]:
    """Every scenario at every number of concurrent clients, one after the other."""
    results = []
    for clients in concurrency:
        for label, server_name, path, email, marker, mode in SCENARIOS:
            server = by_name[server_name]
            if email == COORDINATOR_EMAIL:  # a TOTP code works once per account: a coordinator each
                email = coordinator_emails(clients)
            elif email is TAPPERS:  # each client claims and releases as its own volunteer
                email = tapping_volunteer_emails(clients)
            result = load.run(load.Scenario(
                "127.0.0.1", server.port, path, email, PASSWORD if email else None, marker,
                clients, warmup, duration, TOTP_SECRET, mode,
            ), server_pids=list(server.workers()))
            result.update(label=label, server=server_name)
            results.append(result)
            log(f"{label} ({path}) x{clients}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms, errors {result['errors']}, "
                f"server CPU {cpu_ms(result['server_cpu_ms_per_request'])} ms/request "
                f"({cpu_ratio(result, results + [result])} the minimal route's)"
                + (f" {result['problems'][:2]}" if result["problems"] else ""))
    return results


def main() -> int:
    started = time.monotonic()
    common.prepare_process()
    workers = int(os.environ.get("BENCH_WORKERS", "3"))
    duration = float(os.environ.get("BENCH_DURATION", "8"))
    warmup = float(os.environ.get("BENCH_WARMUP", "1"))
    concurrency = [int(x) for x in os.environ.get("BENCH_CLIENTS", "2,16").split(",")]
    database = os.environ.get("BENCH_DATABASE", "sqlite")
    if database not in ("sqlite", "postgresql"):
        raise SystemExit("bench: BENCH_DATABASE is sqlite (the default) or postgresql")
    report = common.new_report(log)
    report["database"] = database
    servers: list[Server] = []
    with common.work_dir("accompany-bench-") as workdir, common.Databases(workdir, report["machine"], log) as databases:
        try:
            report["seeds"] = seed_networks(databases, database, login_coordinators=max(concurrency))
            log("in-process: queries per page at three sizes, page weight, timing and profile")
            report["pages"] = run_json(
                ["bench.pages", *[a for s in report["seeds"] for a in ("--database-url", s["url"])]],
                what="the in-process measurements")
            full_url = report["seeds"][-1]["url"]
            app_server = Server("app", "wsgi:app", env=server_env(full_url), workers=workers, workdir=workdir,
                                ready_path="/login")
            servers.append(app_server)
            minimal = Server("minimal", "bench.minimal_app:app", env=dict(os.environ), workers=workers,
                             workdir=workdir, ready_path="/")
            servers.append(minimal)
            by_name = {"app": app_server, "minimal": minimal}
            report["config"] = {"workers": workers, "duration_s": duration, "warmup_s": warmup,
                                "app_command": app_server.command, "minimal_command": minimal.command}
            report["load"] = load_each_page(by_name, concurrency, warmup=warmup, duration=duration)
            report["rss_mib"] = {name: server.worker_rss_mib() for name, server in by_name.items()}
        finally:
            for server in servers:
                server.stop()
    stem = "latest" if database == "sqlite" else f"latest-{database}"
    common.publish(report, started=started, stem=stem, render=render)
    errors = sum(r["errors"] for r in report["load"])
    return common.exit_status(log, report, stem,
                              f"{errors} errors: every request should have answered 200" if errors else None)


if __name__ == "__main__":
    sys.exit(main())
