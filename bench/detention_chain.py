"""How fast the detention alert chain goes out: report → first alert → each escalation → the call.

    .venv/bin/python -m bench.detention_chain                      # ACK 0.1 min (6 s), SQLite
    .venv/bin/python -m bench.detention_chain --ack-minutes 0.25 --interval 1
    .venv/bin/python -m bench.detention_chain --acknowledge-after 3   # an OK by text 3 s in

Makes a fresh database (two coordinators on call, an admin, a volunteer holding this morning's
shift), starts the real scheduler process (`flask --app wsgi scheduler`, production settings)
sending through the real Twilio backend to tests/support/fake_twilio.py, then opens a case the
way the volunteer's one tap does (in this process, committed) and notes when each request of the
chain reaches the fake carrier. With `--acknowledge-after` the first person on call answers
"OK <code>" by text that many seconds after the report (receive_text, as the webhook does), and the
run shows which steps never went. Prints one JSON line. Needs SECRET_KEY, FIELD_ENCRYPTION_KEYS
and BLIND_INDEX_KEY in the environment (`python -m bench.settings` prints a fresh set).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import empty_database, logger
from bench.settings import keys_from_env

log = logger("detention-chain")
ROOT = Path(__file__).resolve().parents[1]


def seed(app, now) -> dict:
    """The rota, an admin, a family and the volunteer's claim; returns the phones by role."""
    from accompany.database import db
    from accompany.models import RotaSpan
    from accompany.services.detention import on_call
    from tests.support.factories import Factory

    make = Factory(now=now)
    olga = make.coordinator(name="Olga Oncall", email="olga@bench.example.org", phone="617-555-0201", sms_opt_in=True)
    nate = make.coordinator(name="Nate Next", email="nate@bench.example.org", phone="617-555-0202", sms_opt_in=True)
    ada = make.admin(name="Ada Admin", email="ada@bench.example.org", phone="617-555-0203", sms_opt_in=True)
    today = on_call.org_today(now)
    on_call.add_turn(olga, starts_on=today, span=RotaSpan.DAY, position=1, now=now)
    on_call.add_turn(nate, starts_on=today, span=RotaSpan.DAY, position=2, now=now)
    family = make.family(name="Bench F.", phone="617-555-0142")
    appointment = make.appointment(family=family, starts_at=now - timedelta(minutes=30))
    shift = make.shift(appointment, starts_at=now - timedelta(hours=1))
    volunteer = make.volunteer(name="Hal Holder", email="hal@bench.example.org", phone="617-555-0162",
                               sms_opt_in=True)
    make.claim(shift, volunteer)
    db.session.commit()
    return {"first": olga.phone, "next": nate.phone, "admin": ada.phone, "shift_id": shift.id,
            "volunteer_id": volunteer.id}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--ack-minutes", type=float, default=0.1, help="DETENTION_ACK_MINUTES")
    parser.add_argument("--interval", type=float, default=0.5, help="the scheduler's tick, seconds")
    parser.add_argument("--acknowledge-after", type=float, default=0.0, help="seconds; 0: nobody acknowledges")
    args = parser.parse_args(argv)

    import flask_migrate

    from accompany import create_app
    from accompany.clock import utcnow
    from accompany.database import db
    from accompany.models import Claim
    from bench.dispatch import dispatch_config
    from tests.support.fake_twilio import FakeTwilio
    from tests.support.two_schedulers import scheduler_env

    wait = args.ack_minutes * 60
    with tempfile.TemporaryDirectory(prefix="accompany-detention-chain.") as work, FakeTwilio() as twilio:
        database_url = args.database_url or f"sqlite:///{Path(work) / 'bench.sqlite'}"
        empty_database(database_url)
        config = type("ChainConfig", (dispatch_config(database_url, twilio.base_url),),
                      {"DETENTION_ACK_MINUTES": args.ack_minutes})
        app = create_app(config)
        env = {**os.environ, **keys_from_env(), "ACCOMPANY_ENV": "production", "DATABASE_URL": database_url,
               "ACCOMPANY_INSTANCE_DIR": work, "DETENTION_ACK_MINUTES": str(args.ack_minutes),
               **scheduler_env({}, twilio, rate=10, lease=120, batch=50)}
        with app.app_context():
            flask_migrate.upgrade()
            phones = seed(app, utcnow())
        log_file = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed below
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "--interval", str(args.interval)],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, text=True)
        try:
            with app.app_context():
                _wait_for_heartbeat(db)  # started and ticking
                from accompany.services.detention import cases
                from accompany.services.messaging.inbound import receive_text

                claim = db.session.scalar(db.select(Claim).where(Claim.shift_id == phones["shift_id"]))
                reported = time.monotonic()
                case, _ = cases.report_from_shift(claim, note="", now=utcnow())
                db.session.commit()
                code = case.code
                log(f"case {code} opened; ACK timeout {wait:.0f} s, scheduler tick {args.interval} s")
                acknowledged = None
                deadline = reported + 3 * wait + 10 * args.interval + 10
                while time.monotonic() < deadline and not twilio.calls:
                    if args.acknowledge_after and acknowledged is None \
                            and time.monotonic() - reported >= args.acknowledge_after:
                        receive_text(phones["first"], f"OK {code}", provider_sid=None, now=utcnow())
                        db.session.commit()
                        acknowledged = time.monotonic() - reported
                    time.sleep(0.05)
                if acknowledged is not None:
                    time.sleep(3 * wait + 2 * args.interval)  # long enough for every step that would go
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=60)
            log_file.seek(0)
            output = log_file.read()
            log_file.close()
        start = _wall(reported)
        arrivals = [((message.created_at.timestamp() - start), message.form["To"], message.form.get("Body", ""))
                    for message in twilio.messages]
        calls = [(call.created_at.timestamp() - start, call.form["To"]) for call in twilio.calls]
    alerts = [(round(at, 2), to) for at, to, body in arrivals if code in body and "URGENT" in body]
    report = {
        "settings": vars(args),
        "ack_timeout_s": wait,
        "first_alert_s": next((at for at, to in alerts if to == phones["first"]), None),
        "escalation_next_s": next((at for at, to in alerts if to == phones["next"]), None),
        "every_coordinator_s": sorted(at for at, to in alerts if to == phones["admin"]) or None,
        "voice_call_s": round(calls[0][0], 2) if calls else None,
        "alerts": len(alerts),
        "acknowledged_s": round(acknowledged, 2) if acknowledged is not None else None,
        "answers_to_ok": sum(1 for _, to, body in arrivals if to == phones["first"] and "is yours" in body),
    }
    print(json.dumps(report))
    if scheduler.returncode not in (0, -15):
        sys.stderr.write(output[-4000:])
        return 1
    return 0


def _wait_for_heartbeat(db, timeout: float = 120) -> None:
    """Until the scheduler has ticked twice (its first tick may still be importing)."""
    from accompany.models import SchedulerHeartbeat

    seen, until = set(), time.monotonic() + timeout
    while time.monotonic() < until and len(seen) < 2:
        db.session.rollback()
        beat = db.session.scalar(db.select(SchedulerHeartbeat.beat_at))
        if beat is not None:
            seen.add(beat)
        time.sleep(0.1)


_OFFSET = time.time() - time.monotonic()


def _wall(monotonic: float) -> float:
    """A monotonic instant on the wall clock (the fake carrier stamps arrivals with the wall clock)."""
    return monotonic + _OFFSET


if __name__ == "__main__":
    raise SystemExit(main())
