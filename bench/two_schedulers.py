"""Two schedulers, a slow carrier and a pause past the lease: does every text go exactly once?

    .venv/bin/python -m bench.two_schedulers                       # the figures below, on SQLite
    .venv/bin/python -m bench.two_schedulers --database-url postgresql://…   # an empty database
    .venv/bin/python -m bench.two_schedulers --pause 0 --rows 300  # no fault, only a slow carrier
    .venv/bin/python -m bench.two_schedulers --schedulers 1 --pause 0 --rows 3000 --rate 200 \
        --latency 0.05 --hang-every 50 --hang-seconds 10 --batch 50      # 2 % of requests hang 10 s

Plans `--rows` due "your shift" texts (one per volunteer, as bench/dispatch.py seeds them) in a
fresh database, starts two `flask --app wsgi scheduler` processes sending through the real Twilio
backend to tests/support/fake_twilio.py answering every request after `--latency` seconds, stops
the first scheduler (SIGSTOP) for `--pause` seconds once `--pause-after` requests have arrived,
and waits until no row is pending or being sent. Prints one JSON line: rows, requests, rows that
got exactly one request, doubled, missing, unknown, the rows' final states and the time taken.
The defaults are the outside test's: 100 rows, 3 s answers, 1 text a second, the 120 s lease and a
130 s pause. Needs SECRET_KEY, FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY in the environment
(`python -m bench.settings` prints a fresh set to export).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.common import empty_database, logger
from bench.settings import keys_from_env

log = logger("two-schedulers")


def plan(database_url: str, rows: int) -> None:
    """A fresh schema with `rows` due texts."""
    import flask_migrate

    from accompany import create_app
    from accompany.clock import utcnow
    from bench.dispatch import dispatch_config, plan_claims, seed

    app = create_app(dispatch_config(database_url, "http://127.0.0.1:9"))
    with app.app_context():
        flask_migrate.upgrade()
        seed(rows, now=utcnow())
        plan_claims(range(1, rows + 1), now=utcnow())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--latency", type=float, default=3.0, help="seconds the carrier takes to answer")
    parser.add_argument("--rate", type=float, default=1.0, help="SMS_RATE_PER_SECOND")
    parser.add_argument("--lease", type=float, default=120.0, help="SMS_LEASE_SECONDS")
    parser.add_argument("--batch", type=int, default=50, help="SMS_BATCH_SIZE")
    parser.add_argument("--pause", type=float, default=130.0, help="seconds the first scheduler is stopped")
    parser.add_argument("--pause-after", type=int, default=10, help="requests the carrier sees before the pause")
    parser.add_argument("--schedulers", type=int, default=2, choices=(1, 2))
    parser.add_argument("--hang-every", type=int, default=0, help="every Nth request hangs (50: 2 %%)")
    parser.add_argument("--hang-seconds", type=float, default=10.0, help="how long a hanging request hangs")
    args = parser.parse_args(argv)

    from tests.support.two_schedulers import run_two_schedulers

    with tempfile.TemporaryDirectory(prefix="accompany-two-schedulers.") as work:
        database_url = args.database_url or f"sqlite:///{Path(work) / 'bench.sqlite'}"
        empty_database(database_url)
        plan(database_url, args.rows)
        env = {**keys_from_env(), "ACCOMPANY_ENV": "production", "DATABASE_URL": database_url,
               "ACCOMPANY_INSTANCE_DIR": work}
        log(f"{args.rows} due texts; {args.schedulers} scheduler(s), answers after {args.latency} s, {args.rate}/s, "
            f"lease {args.lease} s, first scheduler stopped {args.pause} s after {args.pause_after} requests, "
            f"one request in {args.hang_every or 'none'} hangs {args.hang_seconds} s")
        report = run_two_schedulers(database_url, env, latency=args.latency, rate=args.rate, lease=args.lease,
                                    batch=args.batch, pause_after=args.pause_after,
                                    pause_seconds=args.pause, timeout=3600, schedulers=args.schedulers,
                                    hang_every=args.hang_every, hang_seconds=args.hang_seconds, log=log)
    outputs = report.pop("outputs")
    print(json.dumps({"settings": vars(args), **report}))
    failed = report["doubled"] or report["missing"] or any(report["exit_codes"])
    if failed:
        sys.stderr.write("\n".join(outputs)[-4000:])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
