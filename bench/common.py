"""What the three benchmarks (bench/benchmark.py, bench/dispatch.py, bench/inbound.py) share.

Starting a run the way bench/run* expect (its own process group, this run's keys, a work dir),
the facts about the machine the results quote, CPU time read from /proc, the throwaway
PostgreSQL, the child runs that answer JSON, and writing the results to bench/results/.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.report import percent

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BATCH = 5_000  # rows per bulk INSERT
# The PostgreSQL server's pid, for the CPU time it uses (ThrowawayPostgres sets it for the child runs).
POSTMASTER_PID_VARIABLE = "BENCH_POSTMASTER_PID"


def logger(name: str) -> Callable[[str], None]:
    """A `log(message)` that prints `[name HH:MM:SS] message` on stderr."""

    def log(message: str) -> None:
        print(f"[{name} {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    return log


# -- starting a run ----------------------------------------------------------------------------------


def prepare_process() -> None:
    """Under bench/run*, lead our own process group (its trap ends the group, us and our children, in
    one kill); exit 143 on TERM; and make this run's secrets unless the environment has them."""
    from bench.settings import new_keys

    if os.environ.get("BENCH_OWN_GROUP"):
        os.setpgrp()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for name, value in new_keys().items():
        os.environ.setdefault(name, value)


@contextmanager
def work_dir(prefix: str) -> Iterator[Path]:
    """BENCH_WORKDIR (bench/run* make one and remove it), else a temp dir removed at the end."""
    given = os.environ.get("BENCH_WORKDIR")
    path = Path(given or tempfile.mkdtemp(prefix=prefix))
    path.mkdir(parents=True, exist_ok=True)
    try:
        yield path
    finally:
        if not given:
            shutil.rmtree(path, ignore_errors=True)


def new_report(log: Callable[[str], None], *, packages: tuple[str, ...] = (), **fields) -> dict:
    """A report's start: when, the machine (with the versions of `packages` too), then `fields`;
    logged, with a warning when other work keeps the CPUs busy."""
    report: dict = {"started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), **fields}
    m = report["machine"]
    m["versions"].update({name: version(name) for name in packages})
    log(f"{m['cpus_usable']} cores, Python {m['python']}, SQLite {m['sqlite']}, "
        f"CPUs {percent(m['cpu_busy_before_start'])} busy before the start, load average {m['load_average_at_start']}")
    if (m["cpu_busy_before_start"] or 0) > 0.25:
        log("warning: something else is using the CPUs; the figures will come out low and noisy")
    return report


# -- the machine ---------------------------------------------------------------------------------------


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


# -- CPU time from /proc -------------------------------------------------------------------------------


def process_dirs() -> Iterator[Path]:
    """/proc/<pid> of every process."""
    return (proc for proc in Path("/proc").iterdir() if proc.name.isdigit())


def machine_cpu() -> tuple[int, int] | None:
    """(all, idle) jiffies of the whole machine from /proc/stat."""
    try:
        values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    return sum(values), values[3] + (values[4] if len(values) > 4 else 0)


def busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of the machine's CPU time (0..1) not idle between two `machine_cpu()` readings."""
    if not before or not after:
        return None
    total, idle = after[0] - before[0], after[1] - before[1]
    return 1 - idle / total if total else None


def cpu_busy_share(seconds: float = 1.0) -> float | None:
    """How busy the whole machine's CPUs are right now (0..1), from /proc/stat over `seconds`."""
    before = machine_cpu()
    if before is None:
        return None
    time.sleep(seconds)
    after = machine_cpu()
    if after is None:
        return None
    return 1 - (after[1] - before[1]) / max(1, after[0] - before[0])


def server_cpu(postmaster: int) -> float | None:
    """CPU seconds used so far by the PostgreSQL server `postmaster` and its children (/proc)."""
    if not postmaster:
        return None
    ticks = 0
    for proc in process_dirs():
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(proc.name) == postmaster or int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class CpuUse:
    """CPU used from its creation to `since()`: this process's (all its threads), the PostgreSQL
    server's when the run has one, and the share of the whole machine's CPUs busy."""

    def __init__(self):
        self.postmaster = int(os.environ.get(POSTMASTER_PID_VARIABLE) or 0)
        self.machine, self.process, self.server = machine_cpu(), time.process_time(), server_cpu(self.postmaster)

    def since(self) -> dict:
        process_cpu, machine_after = time.process_time() - self.process, machine_cpu()
        busy = busy_share(self.machine, machine_after)
        server_after = server_cpu(self.postmaster)
        return {"process_cpu_s": process_cpu, "machine_busy": busy,
                "server_cpu_s": server_after - self.server if self.server is not None and server_after else None}


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * q
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# -- databases -----------------------------------------------------------------------------------------


def database_kinds(variable: str) -> list[str]:
    """The kinds of database a benchmark runs on, from the environment (default: both, SQLite first)."""
    kinds = [x.strip() for x in os.environ.get(variable, "sqlite,postgresql").split(",")]
    if not set(kinds) <= {"sqlite", "postgresql"}:
        raise SystemExit(f"bench: {variable} takes sqlite and/or postgresql")
    return kinds


class Databases:
    """Fresh databases for a run, by name: SQLite files in the work dir, or databases on one
    throwaway PostgreSQL server, started the way the test suite starts one (fsync off) when the
    first is asked for, and stopped when the `with` block ends. The server's pid goes to
    `<work dir>/postgres.pid` for bench/run*'s trap, and to POSTMASTER_PID_VARIABLE for the child
    runs' CPU figures; its version to the report's machine facts."""

    def __init__(self, workdir: Path, machine: dict, log: Callable[[str], None]):
        self.workdir, self.machine, self.log = workdir, machine, log
        self.postgres = None

    def __enter__(self) -> Databases:
        return self

    def __exit__(self, *exc) -> None:
        if self.postgres is not None:
            self.postgres.stop()
            (self.workdir / "postgres.pid").unlink(missing_ok=True)  # stopped: nothing left for the trap

    def url(self, kind: str, name: str) -> str:
        """The URL of a new database `name` of this kind ("sqlite" or "postgresql")."""
        if kind == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.sqlite')}"
        if self.postgres is None:
            self.postgres = self._start_postgres()
        return self.postgres.create_database(name.replace("-", "_"))

    def _start_postgres(self):
        import psycopg

        from tests.support.postgres import start_postgres

        self.workdir.chmod(0o711)  # the server runs as `postgres` when we are root: let it reach its dir
        server = start_postgres(self.workdir / "postgres")
        pid = (server.datadir / "postmaster.pid").read_text().split()[0]
        (self.workdir / "postgres.pid").write_text(pid + "\n")  # bench/run*'s trap stops it too
        os.environ[POSTMASTER_PID_VARIABLE] = pid
        with psycopg.connect(f"host=127.0.0.1 port={server.port} user=accompany dbname=postgres") as conn:
            self.machine["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        self.log(f"PostgreSQL {self.machine['postgresql']} started on 127.0.0.1:{server.port} "
                 "(fsync off, as the tests run it)")
        return server


def remove_sqlite_files(path: str | Path) -> None:
    """A SQLite database file and its journals, so that it starts empty."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def empty_database(database_url: str) -> None:
    """What a child run does first: a SQLite URL's file is replaced (any other database must be empty)."""
    if database_url.startswith("sqlite:///"):
        remove_sqlite_files(database_url.removeprefix("sqlite:///"))


def insert_in_batches(model, rows: list[dict]) -> None:
    """Core bulk INSERTs of `rows` into `model`'s table, BATCH rows at a time (through the model's
    column types, so sealed columns are sealed)."""
    from sqlalchemy import insert

    from accompany.database import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def insert_tables(models: dict, tables: dict[str, list[dict]]) -> None:
    """The rows of each table (name → its model, in this order), with their ids. Explicit ids leave
    PostgreSQL's sequences behind: they are moved past the rows. Not committed."""
    from sqlalchemy import text

    from accompany.database import db

    for name, model in models.items():
        insert_in_batches(model, tables[name])
    if db.engine.dialect.name == "postgresql":
        for name in models:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
            ))


# -- child runs and results ----------------------------------------------------------------------------


def run_child(module: str, args: list[str]) -> dict:
    """`python -m module args` in a fresh process (its log on our stderr); the JSON it prints."""
    child = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if child.returncode != 0:
        raise SystemExit(f"{module}: the run for {args} failed (exit {child.returncode})")
    return json.loads(child.stdout)


def run_children(module: str, jobs: list[tuple[str, str, list[str]]], databases: Databases) -> list[dict]:
    """Each job (kind of database, name for a fresh one, more arguments) as `python -m module
    --database-url URL ...`, one after the other; what each printed, with its database and time."""
    runs = []
    for kind, name, args in jobs:
        url = databases.url(kind, name)
        started = time.monotonic()
        result = run_child(module, ["--database-url", url, *args])
        result["database"], result["elapsed_s"] = kind, time.monotonic() - started
        runs.append(result)
    return runs


def publish(report: dict, *, started: float, stem: str, render: Callable[[dict], str]) -> None:
    """Close the report (load average, time in all), render it, write bench/results/<stem>.md and
    .json (every raw figure), and print the Markdown."""
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["elapsed_s"] = time.monotonic() - started
    text = render(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.md").write_text(text)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, default=str))
    print(text)


def exit_status(log: Callable[[str], None], report: dict, stem: str, failure: str | None) -> int:
    """1 after logging `failure`, else 0 after saying where the results are."""
    if failure:
        log(failure)
        return 1
    log(f"done in {report['elapsed_s']:.0f} s; written to bench/results/{stem}.md")
    return 0
