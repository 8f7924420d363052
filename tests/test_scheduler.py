"""The scheduler process: a clock with one job that proves it is alive."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from accompany.models import SchedulerHeartbeat
from accompany.scheduler import HEARTBEAT_NAME, build_scheduler, tick
from tests.conftest import clock_env

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

ROOT = Path(__file__).resolve().parents[1]


def test_tick_writes_a_heartbeat_that_healthz_reports(app, client, db):
    assert client.get("/healthz").get_json()["scheduler"]["stale"] is True
    tick(app)
    beat = db.session.get(SchedulerHeartbeat, HEARTBEAT_NAME)
    assert beat is not None and beat.details["pid"] == os.getpid()
    report = client.get("/healthz").get_json()
    assert report["scheduler"]["stale"] is False
    assert report["scheduler"]["age_seconds"] < 60
    assert report["ok"] is True


def test_the_scheduler_has_one_in_memory_interval_job(app):
    scheduler = build_scheduler(app, 5)
    jobs = scheduler.get_jobs()
    assert [job.id for job in jobs] == ["tick"]
    assert jobs[0].trigger.interval.total_seconds() == 5
    assert type(scheduler._jobstores["default"]).__name__ == "MemoryJobStore"


def test_scheduler_command_runs_as_its_own_process_and_stops_on_sigterm(tmp_path, database_url, db_kind):
    env = {**os.environ, **clock_env(), "ACCOMPANY_ENV": "development", "ACCOMPANY_INSTANCE_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'sched.sqlite'}"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    process = subprocess.Popen([*flask, "scheduler", "--interval", "0.2"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    engine = create_engine(env["DATABASE_URL"])
    try:
        deadline = time.monotonic() + 60  # generous: a loaded machine starts Python slowly
        beats = 0
        while time.monotonic() < deadline and not beats:
            time.sleep(0.3)
            with engine.connect() as conn:
                beats = conn.execute(text("SELECT count(*) FROM scheduler_heartbeats")).scalar()
        assert beats == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
        engine.dispose()
    assert process.returncode == 0, output
    assert "scheduler started" in output


def test_a_tick_sends_the_whole_backlog_batch_after_batch(app, make, db):
    from accompany.clock import set_clock
    from accompany.services.messaging.audience import current_timing, staff_hours
    from accompany.services.messaging.sms.gateway import current_gateway
    from accompany.services.scheduling.claims import claim_slot
    from tests.conftest import from_now

    app.config.update(SMS_BATCH_SIZE=2, SMS_RATE_PER_SECOND=0)
    set_clock(staff_hours(current_timing()).next_opening(from_now()))  # at night these texts wait for the morning
    for n in range(5):
        volunteer = make.volunteer(phone=f"617-555-01{20 + n}", sms_opt_in=True)
        claim_slot(make.shift(starts_at=from_now(days=4, hours=n)), volunteer, now=from_now())
    db.session.commit()
    from sqlalchemy import func, select

    from accompany.clock import utcnow
    from accompany.models import MessageState, OutboundMessage

    due = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.not_before <= utcnow()))
    gateway = current_gateway()
    gateway.clear()
    tick(app)  # batches of 2: needs several rounds in one tick
    assert len(gateway.sent) == due >= 5
    db.session.expire_all()
    left = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.state == MessageState.PENDING, OutboundMessage.not_before <= utcnow()))
    assert left == 0


def test_a_tick_asks_an_urgent_shifts_next_group_when_the_wait_is_over_and_sends_the_asks(app, make, db):
    from sqlalchemy import func, select

    from accompany.models import UrgentAsk
    from accompany.services.messaging.sms.gateway import current_gateway
    from accompany.services.messaging.urgent_calls import start_call
    from tests.conftest import from_now

    app.config.update(URGENT_GROUP_SIZE=1, SMS_RATE_PER_SECOND=0)
    shift = make.shift(starts_at=from_now(days=1))
    for n in range(2):
        make.volunteer(phone=f"617-555-01{30 + n}", sms_opt_in=True)
    call, _ = start_call(shift, by=make.coordinator(), now=from_now(minutes=-30))  # asked half an hour ago
    db.session.commit()
    gateway = current_gateway()
    gateway.clear()
    tick(app)
    assert db.session.scalar(select(func.count()).select_from(UrgentAsk)) == 2
    assert len(gateway.sent) == 2 and all(f"YES {call.code}" in body for _, body in gateway.sent)


def test_a_tick_longer_than_the_interval_skips_the_next_without_a_warning(app, caplog):
    """One tick at a time is the design: a slow tick must not fill the log with APScheduler's
    "maximum number of running instances reached" at every interval."""
    import logging
    import threading

    scheduler = build_scheduler(app, interval_seconds=0.05)
    ticks = []

    def slow_tick(*args):
        ticks.append(1)
        time.sleep(0.6)

    scheduler.modify_job("tick", func=slow_tick)
    with caplog.at_level(logging.DEBUG, logger="apscheduler"):
        runner = threading.Thread(target=scheduler.start)
        runner.start()
        time.sleep(0.4)  # several intervals pass while the first tick still runs
        scheduler.shutdown(wait=True)
        runner.join(timeout=5)
    assert ticks, "the first tick ran"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_sqlite_writes_ahead_and_syncs_only_at_checkpoints(tmp_path):
    """WAL with synchronous=NORMAL (config SQLITE_WAL, README): one commit no longer syncs a rollback
    journal and the database file."""
    from accompany import create_app
    from accompany.database import db as app_db
    from tests.conftest import config_for

    app = create_app(config_for(f"sqlite:///{tmp_path / 'wal.sqlite'}", SQLITE_WAL=True))
    with app.app_context():
        try:
            with app_db.engine.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        finally:
            app_db.engine.dispose()


def test_the_scheduler_refreshes_the_planners_statistics_at_its_first_tick_and_then_daily(app, make, db, db_kind):
    from datetime import timedelta

    from accompany.clock import set_clock, utcnow
    from accompany.scheduler import Statistics

    make.appointment()
    db.session.commit()
    statistics = Statistics()
    start = utcnow()
    tick(app, statistics=statistics)
    assert statistics.refreshed_at is not None and statistics.refreshed_at >= start
    first = statistics.refreshed_at
    if db_kind == "sqlite":
        tables = db.session.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars().all()
        assert "appointments" in tables
    set_clock(first + timedelta(hours=23))
    tick(app, statistics=statistics)
    assert statistics.refreshed_at == first
    set_clock(first + timedelta(hours=24, minutes=1))
    tick(app, statistics=statistics)
    assert statistics.refreshed_at > first + timedelta(hours=24)
