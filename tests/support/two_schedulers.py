"""Two real scheduler processes against a slow fake Twilio, one of them paused past the lease.

Used by tests/test_outbox_races.py (small and quick) and bench/two_schedulers.py (the figures the
outside test used: a carrier answering in 3 s, a pause of 130 s against a 120 s lease):

    report = run_two_schedulers(database_url, env, latency=1.0, rate=10, lease=2, batch=10,
                                pause_after=5, pause_seconds=4)
    assert report["doubled"] == 0

Each request to the fake names its outbox row (the status callback URL carries `?m=<id>`), so
what reached the "carrier" is counted per row: `doubled` is the rows that got more than one
request, `missing` the rows that got none.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
FINAL = ("queued", "sent", "delivered", "undelivered", "failed", "unknown", "expired", "cancelled")


def scheduler_env(base: dict[str, str], twilio: FakeTwilio, *, rate: float, lease: float, batch: int) -> dict[str, str]:
    return {
        **base, "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+16175550100", "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_API_BASE_URL": twilio.base_url, "PUBLIC_BASE_URL": "https://accompany.example.org",
        "SMS_RATE_PER_SECOND": str(rate), "SMS_LEASE_SECONDS": str(lease), "SMS_BATCH_SIZE": str(batch),
    }


def row_states(engine) -> Counter:
    with engine.connect() as conn:
        return Counter(dict(conn.execute(text("SELECT state, count(*) FROM outbound_messages GROUP BY state")).all()))


def run_two_schedulers(database_url: str, env: dict[str, str], *, latency: float, rate: float, lease: float,
                       batch: int, pause_after: int, pause_seconds: float, interval: float = 0.5,
                       timeout: float = 600, schedulers: int = 2, hang_every: int = 0, hang_seconds: float = 0.0,
                       log=lambda line: None) -> dict:
    """Start two schedulers on `database_url` (its due rows already planned), pause the first one
    (SIGSTOP) for `pause_seconds` (0: never) once the carrier has seen `pause_after` requests, and wait until
    no row is pending or being sent. Returns the figures (`rows`: the rows pending at the start)."""
    engine = create_engine(database_url)
    rows = row_states(engine)["pending"]
    started, started_at = time.monotonic(), datetime.now(UTC)
    with FakeTwilio(latency=latency, hang_every=hang_every, hang_seconds=hang_seconds) as twilio:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "--interval", str(interval)]
        process_env = {**os.environ, **scheduler_env(env, twilio, rate=rate, lease=lease, batch=batch)}
        # Their output goes to files: a pipe nobody reads until the end fills up and blocks the
        # scheduler's logging, and with it every thread that logs.
        logs = [tempfile.TemporaryFile("w+") for _ in range(schedulers)]  # noqa: SIM115 - closed below
        processes = [subprocess.Popen(command, cwd=ROOT, env=process_env, stdout=log_file, stderr=subprocess.STDOUT,
                                      text=True) for log_file in logs]
        paused_at = resumed_at = None
        try:
            while time.monotonic() - started < timeout:
                time.sleep(0.2)
                if pause_seconds > 0 and paused_at is None and len(twilio.messages) >= pause_after:
                    processes[0].send_signal(signal.SIGSTOP)
                    paused_at = time.monotonic()
                    log(f"paused scheduler 1 after {len(twilio.messages)} requests")
                if paused_at is not None and resumed_at is None and time.monotonic() - paused_at >= pause_seconds:
                    processes[0].send_signal(signal.SIGCONT)
                    resumed_at = time.monotonic()
                    log(f"resumed scheduler 1 after {resumed_at - paused_at:.0f} s")
                try:
                    states = row_states(engine)
                except OperationalError:  # SQLite: a scheduler paused in the middle of a write holds the lock
                    continue
                if (resumed_at is not None or pause_seconds <= 0) and states["pending"] + states["sending"] == 0:
                    break
        finally:
            for process in processes:
                process.send_signal(signal.SIGCONT)
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)
            outputs = []
            for log_file in logs:
                log_file.seek(0)
                outputs.append(log_file.read())
                log_file.close()
        requests = Counter(row_id(message.form) for message in twilio.messages)
        waits = sorted((message.created_at - started_at).total_seconds() for message in twilio.messages)
    states = row_states(engine)
    engine.dispose()
    with_one = sum(1 for count in requests.values() if count == 1)
    return {
        "rows": rows,
        "requests": sum(requests.values()),
        "rows_with_one_request": with_one,
        "doubled": sum(1 for count in requests.values() if count > 1),
        "missing": rows - len(requests),
        "states": dict(states),
        "unknown": states["unknown"],
        "seconds": round(time.monotonic() - started, 1),
        # From the start (every row already due) to each request's arrival at the carrier.
        "due_to_request_s": {"p50": quantile(waits, 0.5), "p99": quantile(waits, 0.99),
                             "max": round(waits[-1], 1) if waits else None},
        "paused_seconds": round((resumed_at or 0) - (paused_at or 0), 1),
        "exit_codes": [process.returncode for process in processes],
        "outputs": outputs,
    }


def row_id(form: dict[str, str]) -> int | None:
    values = parse_qs(urlsplit(form.get("StatusCallback", "")).query).get("m")
    return int(values[0]) if values else None


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile of sorted `values` (nearest rank), to 0.1 s."""
    if not values:
        return None
    return round(values[min(len(values) - 1, max(0, int(q * len(values) + 0.5) - 1))], 1)
