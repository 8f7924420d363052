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
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from bench import load
from bench.report import cpu_ms, percent, render
from bench.server import Server
from bench.settings import COORDINATOR_EMAIL, PASSWORD, TOTP_SECRET, VOLUNTEER_EMAIL, coordinator_emails, new_keys

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SCALES = ((0.1, "1/10"), (1 / 3, "1/3"), (1.0, "full"))
# (label, server, path, account, marker the page must contain)
SCENARIOS = (
    ("minimal Flask route", "minimal", "/", None, "smallest Flask answer"),
    ("volunteer board", "app", "/shifts", VOLUNTEER_EMAIL, "Open shifts"),
    ("my shifts", "app", "/my/shifts", VOLUNTEER_EMAIL, "My shifts"),
    ("coordinator dashboard", "app", "/", COORDINATOR_EMAIL, "Next two weeks"),
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu or platform.processor(),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "versions": {name: version(name) for name in ("Flask", "SQLAlchemy", "gunicorn", "Jinja2", "Werkzeug")},
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpu_busy_before_start": cpu_busy_share(),
        "code": code_version(),
    }


def cpu_busy_share(seconds: float = 1.0) -> float | None:
    """How busy the whole machine's CPUs are right now (0..1), from /proc/stat over `seconds`."""
    def sample():
        values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return sum(values), idle
    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def code_version() -> str:
    """The commit measured, and whether the working tree had changes outside bench/."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench"],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes" if status else "")


def run_json(args: list[str], *, what: str) -> dict:
    result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"bench: {what} failed")
    return json.loads(result.stdout)


def main() -> int:
    started = time.monotonic()
    if os.environ.get("BENCH_OWN_GROUP"):
        os.setpgrp()  # bench/run's trap ends this group (us and our load clients) in one kill
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for name, value in new_keys().items():
        os.environ.setdefault(name, value)
    given_workdir = os.environ.get("BENCH_WORKDIR")
    workdir = Path(given_workdir or tempfile.mkdtemp(prefix="accompany-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    workers = int(os.environ.get("BENCH_WORKERS", "3"))
    duration = float(os.environ.get("BENCH_DURATION", "8"))
    warmup = float(os.environ.get("BENCH_WARMUP", "1"))
    concurrency = [int(x) for x in os.environ.get("BENCH_CLIENTS", "2,16").split(",")]
    report: dict = {"started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine()}
    m = report["machine"]
    log(f"{m['cpus_usable']} cores, Python {m['python']}, SQLite {m['sqlite']}, "
        f"CPUs {percent(m['cpu_busy_before_start'])} busy before the start, load average {m['load_average_at_start']}")
    if (m["cpu_busy_before_start"] or 0) > 0.25:
        log("warning: something else is using the CPUs; the figures will come out low and noisy")
    servers: list[Server] = []
    postgres = None
    database = os.environ.get("BENCH_DATABASE", "sqlite")
    report["database"] = database
    try:
        if database == "postgresql":
            from tests.support.postgres import start_postgres

            workdir.chmod(0o711)  # the server runs as `postgres` when we are root: let it reach its dir
            postgres = start_postgres(workdir / "postgres")
            pid = (postgres.datadir / "postmaster.pid").read_text().split()[0]
            (workdir / "postgres.pid").write_text(pid + "\n")  # bench/run's trap stops it too
            import psycopg

            with psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=accompany dbname=postgres") as conn:
                m["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            log(f"PostgreSQL {m['postgresql']} started on 127.0.0.1:{postgres.port}")
        elif database != "sqlite":
            raise SystemExit("bench: BENCH_DATABASE is sqlite (the default) or postgresql")
        report["seeds"] = []
        for scale, label in SCALES:
            name = f"network-{label.replace('/', 'of')}"
            if postgres:
                url = postgres.create_database(name.replace("-", "_"))
                target = ["--database-url", url]
            else:
                url = f"sqlite:///{workdir / (name + '.sqlite')}"
                target = ["--sqlite", str(workdir / (name + ".sqlite"))]
            summary = run_json(["bench.seed", *target, "--scale", repr(scale), "--json",
                                "--login-coordinators", str(max(concurrency))], what=f"seeding {label}")
            summary["label"], summary["url"] = label, url
            report["seeds"].append(summary)
            c = summary["counts"]
            log(f"seeded {label}: {c['shifts']} shifts, {c['appointments']} appointments, {c['claims']} claims "
                f"in {summary['total_s']} s")
        log("in-process: queries per page at three sizes, page weight, timing and profile")
        report["pages"] = run_json(["bench.pages", *[a for s in report["seeds"] for a in ("--database-url", s["url"])]],
                                   what="the in-process measurements")
        full_url = report["seeds"][-1]["url"]
        from bench.settings import server_env

        app_server = Server("app", "wsgi:app", env=server_env(full_url), workers=workers, workdir=workdir,
                            ready_path="/login")
        servers.append(app_server)
        minimal = Server("minimal", "bench.minimal_app:app", env=dict(os.environ), workers=workers,
                         workdir=workdir, ready_path="/")
        servers.append(minimal)
        by_name = {"app": app_server, "minimal": minimal}
        report["config"] = {"workers": workers, "duration_s": duration, "warmup_s": warmup,
                            "app_command": app_server.command, "minimal_command": minimal.command}
        report["load"] = []
        for clients in concurrency:
            for label, server_name, path, email, marker in SCENARIOS:
                server = by_name[server_name]
                if email == COORDINATOR_EMAIL:  # a TOTP code works once per account: a coordinator each
                    email = coordinator_emails(clients)
                result = load.run(load.Scenario(
                    "127.0.0.1", server.port, path, email, PASSWORD if email else None, marker,
                    clients, warmup, duration, TOTP_SECRET,
                ), server_pids=list(server.workers()))
                result.update(label=label, server=server_name)
                report["load"].append(result)
                log(f"{label} ({path}) x{clients}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms, errors {result['errors']}, "
                    f"server CPU {cpu_ms(result['server_cpu_ms_per_request'])} ms/request"
                    + (f" {result['problems'][:2]}" if result["problems"] else ""))
        report["rss_mib"] = {name: server.worker_rss_mib() for name, server in by_name.items()}
    finally:
        for server in servers:
            server.stop()
        if postgres:
            postgres.stop()
        if not given_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["elapsed_s"] = time.monotonic() - started
    text = render(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "latest" if database == "sqlite" else f"latest-{database}"
    (RESULTS / f"{stem}.md").write_text(text)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, default=str))
    print(text)
    errors = sum(r["errors"] for r in report["load"])
    if errors:
        log(f"{errors} errors: every request should have answered 200")
        return 1
    log(f"done in {report['elapsed_s']:.0f} s; written to bench/results/{stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
