"""The scheduler process: APScheduler as a clock, nothing more (DESIGN §5, §6).

One interval job, an in-memory job store, nothing pickled. Every tick runs inside its own app
context and commits its own work. Run it as exactly one process: `flask --app wsgi scheduler`.
Web workers never start it.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from accompany.clock import utcnow
from accompany.database import db, refresh_statistics
from accompany.services.messaging import urgent_calls
from accompany.services.messaging.dispatch import Pacer, send_due
from accompany.services.messaging.heartbeat import record_heartbeat
from accompany.services.messaging.sms.gateway import current_gateway
from accompany.services.messaging.staff_texts import plan_unfilled_digest
from accompany.services.scheduling.verification import plan_unverified_alerts

log = logging.getLogger(__name__)

HEARTBEAT_NAME = "scheduler"
STATISTICS_EVERY = timedelta(days=1)


class Statistics:
    """When this process last refreshed the planner's statistics: at its first tick, then daily."""

    def __init__(self) -> None:
        self.refreshed_at: datetime | None = None

    def refresh_if_due(self, now: datetime) -> None:
        if self.refreshed_at is None or now - self.refreshed_at >= STATISTICS_EVERY:
            refresh_statistics()
            db.session.commit()
            self.refreshed_at = now


def tick(app: Flask, pacer: Pacer | None = None, statistics: Statistics | None = None) -> None:
    """One turn of the clock: prove we are alive, plan the digest, the unverified-hearing alerts
    and the urgent calls' next rounds, refresh the planner's statistics once a day, then send what
    is due, batch after batch, held to the configured rate by a pacer that lives across ticks."""
    with app.app_context():
        try:
            now = utcnow()
            record_heartbeat(HEARTBEAT_NAME, now=now)
            plan_unfilled_digest(now=now)
            plan_unverified_alerts(now=now)
            urgent_calls.advance(now=now)
            db.session.commit()
            if statistics is not None:
                statistics.refresh_if_due(now)
            # A long backlog or a slow carrier is not a dead scheduler: the heart beats while it sends.
            send_due(current_gateway(), pacer=pacer or Pacer(app.config["SMS_RATE_PER_SECOND"]),
                     keepalive=lambda moment: record_heartbeat(HEARTBEAT_NAME, now=moment))
        except Exception:
            db.session.rollback()
            log.exception("scheduler tick failed")
            raise


class _LongTickIsNotAWarning(logging.Filter):
    """A tick that outlasts the interval (a long backlog, a slow carrier) makes APScheduler skip the
    next one and warn "maximum number of running instances reached" at every interval. Skipping is
    the design (one tick at a time; the next starts when it ends), so the warning is only noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in str(record.msg)


_APSCHEDULER_LOG = logging.getLogger("apscheduler.scheduler")


def build_scheduler(app: Flask, interval_seconds: float) -> BlockingScheduler:
    if not any(isinstance(f, _LongTickIsNotAWarning) for f in _APSCHEDULER_LOG.filters):
        _APSCHEDULER_LOG.addFilter(_LongTickIsNotAWarning())
    scheduler = BlockingScheduler(
        timezone=UTC,
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    pacer = Pacer(app.config["SMS_RATE_PER_SECOND"])
    scheduler.add_job(
        # APScheduler keeps its own timeline on the wall clock (it only says when to tick); the ticks
        # themselves read the app's clock. The first tick is at once.
        tick, "interval", seconds=interval_seconds, args=[app, pacer, Statistics()], id="tick",
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def run_scheduler(app: Flask, interval_seconds: float) -> None:
    """Tick every `interval_seconds` until SIGTERM or Ctrl-C."""
    scheduler = build_scheduler(app, interval_seconds)

    def stop(signum, frame):
        # Shutting the scheduler down from inside the handler could pull its job out from under
        # the loop the signal interrupted (APScheduler then fails with JobLookupError and the
        # process exits 1); leave the loop instead and shut down below.
        log.info("scheduler stopping (signal %s)", signum)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler started: one tick every %ss", interval_seconds)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    if scheduler.running:
        scheduler.shutdown(wait=True)  # a tick under way finishes its send and records it
