"""The dispatcher benchmark (issue 5, point 7): bench/run-dispatch calls this in the project's venv.

For SQLite and then for a throwaway PostgreSQL, each in a fresh Python process:

1. A fresh database from the real migrations, 2,000 volunteers with valid US numbers (555-01xx,
   100 per area code over 20 area codes, all unique) who take texts, 3,600 appointments with three
   shifts each and a claim on every shift; then, with `planning.plan_message`, one
   `volunteer_claimed` text per claim: 10,000 due now for the throughput run, two more sets of 400
   planned later for the rate runs. Those texts render from the claim, its shift and its place, so
   every row has something to say (a NothingToSay would cancel rows and spoil the counts).
2. `FakeTwilio` (tests/support/fake_twilio.py) on 127.0.0.1, and the app with SMS_BACKEND=twilio and
   TWILIO_API_BASE_URL pointing at it: the real twilio SDK makes every request. `send_due` is called
   in a loop (limit SMS_BATCH_SIZE, no rate limit), each call in its own app context as the
   scheduler's tick does, until a call finds nothing due. Reported: messages per second end to end;
   the time inside the gateway's `send`; our own overhead per message (wall time minus that), split
   by step with light wrappers around the dispatcher's calls (a few perf_counter reads per step).
3. Checks: one POST per row at the fake server (by the `?m=<row id>` of each status callback URL),
   every row QUEUED, the provider SIDs unique and the same set the server handed out, every number
   texted as often as it has rows.
4. Rate holding: 400 fresh due rows at 20/s and at 50/s, one Pacer shared by the loop's calls; the
   gaps between consecutive requests as the fake server saw them (the `created_at` it stamps on each
   message it accepts, microseconds), against 1/rate.

    python -m bench.dispatch                          everything, printed as Markdown
    python -m bench.dispatch --database-url URL       one database, JSON on stdout (what main() runs)

Settings (environment): BENCH_DISPATCH_MESSAGES (10000), BENCH_DISPATCH_RATES ("20,50"),
BENCH_DISPATCH_RATE_MESSAGES (400), BENCH_DISPATCH_DATABASES ("sqlite,postgresql"), BENCH_WORKDIR.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from datetime import time as wall_time
from urllib.parse import parse_qs, urlsplit

from bench import common
from bench.common import CpuUse, empty_database, insert_tables, percentile
from bench.report import percent, run_and_machine

VOLUNTEERS = 2_000
SHIFTS_PER_APPOINTMENT = 3
# 555-0100..0199 is the range set aside for fiction; 100 numbers per area code, so 20 area codes
# (all valid for phonenumbers) give every volunteer a number of their own.
AREA_CODES = ("617", "781", "857", "508", "978", "339", "774", "351", "413", "401",
              "603", "802", "207", "860", "203", "475", "959", "212", "646", "718")
LANGUAGES = ("en",) * 10 + ("es",) * 5 + ("pt",) * 2 + ("ht",) * 2 + ("fr",)  # cycled over volunteers
FAMILIES = 500
FROM_NUMBER = "+16175550100"
PUBLIC_BASE_URL = "https://accompany.example.org"

# The steps of one message, as the wrappers name them (see Probe), in the order they happen.
STEPS = (
    ("housekeeping", "expire overdue and recover abandoned rows (per call)"),
    ("commit:housekeeping", "… their commit"),
    ("claim_due", "claim: select due ids, compare-and-set update, load the claimed rows"),
    ("commit:claim_due", "claim commit"),
    ("send_due other", "rest of `send_due` (Pacer, Counter, log)"),
    ("prefetch", "read what the batch's rows need, together: the rows, recipients and languages, opt-outs, "
                 "first contacts, shifts, appointments, places, families, claims (per batch)"),
    ("row other", "per row, unwrapped: the row's window and hours, the status callback URL, the request "
                  "handed to the pool"),
    ("recipient_phone", "recipient: consent, opt-in and opt-out (from what was read)"),
    ("render_text", "render the text (facts, language, wording, segments)"),
    ("hand_over", "hand-over update"),
    ("commit:hand_over", "hand-over commit"),
    ("finish", "record the result (flush)"),
    ("commit:finish", "finish commit"),
    ("between calls", "the loop between `send_due` calls (app context per call)"),
)


log = common.logger("dispatch")


# -- measuring ---------------------------------------------------------------------------------------


class Probe:
    """Inclusive time, calls and SQL statements per named step. The wrappers replace module
    attributes the dispatcher looks up at call time; a commit is named after the step before it."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter = Counter()
        self.statements: Counter = Counter()
        self.stack: list[str] = []
        self.last = "start"

    def wrap(self, name, function):
        def wrapper(*args, **kwargs):
            label = name(self) if callable(name) else name
            self.stack.append(label)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1
                self.stack.pop()
                if not label.startswith("commit:"):
                    self.last = label

        wrapper.__wrapped__ = function
        return wrapper

    def count_statement(self, *args) -> None:
        self.statements[self.stack[-1] if self.stack else "outside"] += 1


PROBE = Probe()


def install_probe(db) -> None:
    """Wrap the steps `send_due` and its per-row work take (see STEPS)."""
    from sqlalchemy import event

    from accompany.services.messaging import dispatch, outbox

    for name in ("expire_overdue", "recover_abandoned"):
        setattr(outbox, name, PROBE.wrap("housekeeping", getattr(outbox, name)))
    for name in ("claim_due", "hand_over", "finish", "has_been_texted"):
        setattr(outbox, name, PROBE.wrap(name, getattr(outbox, name)))
    dispatch.recipient_phone = PROBE.wrap("recipient_phone", dispatch.recipient_phone)
    dispatch.prefetch = PROBE.wrap("prefetch", dispatch.prefetch)
    dispatch.render_text = PROBE.wrap("render_text", dispatch.render_text)
    # One row's work on the dispatcher's own thread: preparing and handing it over, and recording
    # what came back (the request itself runs on a pool thread: "gateway.send").
    dispatch._Run.start = PROBE.wrap("row", dispatch._Run.start)
    dispatch._Run.record = PROBE.wrap("row", dispatch._Run.record)
    session_class = type(db.session())  # Flask-SQLAlchemy's Session: db.session.commit() lands here
    session_class.commit = PROBE.wrap(lambda probe: f"commit:{probe.last}", session_class.commit)
    event.listen(db.engine, "before_cursor_execute", PROBE.count_statement)


class TimedGateway:
    """The configured gateway, with the time spent inside each `send` and when each began."""

    def __init__(self, inner):
        self.inner = inner
        self.started: list[float] = []

    def send(self, to, body, *, status_callback=None, valid_for=None):
        self.started.append(time.perf_counter())
        return PROBE.wrap("gateway.send", self.inner.send)(to, body, status_callback=status_callback,
                                                          valid_for=valid_for)


# -- one database ------------------------------------------------------------------------------------


def volunteer_phone(n: int) -> str:
    return f"+1{AREA_CODES[n // 100]}55501{n % 100:02d}"


def dispatch_config(database_url: str, twilio_base_url: str):
    """bench/settings.py's production config with this run's keys, sending through Twilio."""
    from bench.settings import bench_config
    from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

    return type("DispatchBenchConfig", (bench_config(database_url),), {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_BASE_URL": twilio_base_url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "ORG_NAME": "Accompany Network",
        # One request out at a time: what is measured is our own work per message, between requests.
        "SMS_MAX_IN_FLIGHT": 1,
    })


def seed(total_claims: int, *, now: datetime) -> dict:
    """Places, volunteers, families, appointments, shifts and one claim per shift (Core bulk inserts
    through the models' column types, so phones and names are really sealed)."""
    from accompany.crypto import phone_index
    from accompany.database import db
    from accompany.models import Appointment, Claim, Family, Location, Shift, User, VolunteerLanguage
    from accompany.services.people.passwords import hash_password
    from accompany.timezones import from_local
    from bench.seed import FIRST_NAMES, LOCATIONS, MEETING_POINTS, TOWNS

    numbers = 100 * len(AREA_CODES)  # 555-0100..0199 in each
    if numbers < VOLUNTEERS:
        raise SystemExit("bench.dispatch: more volunteers than unique 555-01xx numbers")
    password_hash = hash_password("benchmark-password-2203")
    joined = now - timedelta(days=400)
    tables: dict[str, list[dict]] = {}
    tables["locations"] = [
        {"id": i, "name": name, "kind": kind, "address": address, "town": town, "timezone": "America/New_York",
         "active": True, "arrival_notes": "Arrive 30 minutes early for security. Bring photo ID."}
        for i, (name, kind, address, town) in enumerate(LOCATIONS, start=1)
    ]
    users, languages = [], []
    for n in range(VOLUNTEERS):
        phone = volunteer_phone(n)
        users.append({
            "id": n + 1, "email": f"volunteer{n + 1:04d}@dispatch.example.org",
            "name": f"{FIRST_NAMES[n % len(FIRST_NAMES)]} Volunteer{n + 1}", "password_hash": password_hash,
            "role": "volunteer", "status": "active", "session_version": 1, "created_at": joined,
            "approved_at": joined, "approved_by_id": None, "last_login_at": None, "phone": phone,
            "phone_hash": phone_index(phone), "has_car": n % 2 == 0, "court_training_on": None,
            "obligor_eligible": False, "obligor_attested_at": None, "home_area": TOWNS[n % len(TOWNS)],
            "sms_opt_in": True, "calendar_token": None,
        })
        languages.append({"id": n + 1, "user_id": n + 1, "language": LANGUAGES[n % len(LANGUAGES)]})
    tables["users"], tables["volunteer_languages"] = users, languages
    tables["families"] = [
        {"id": n + 1, "name": f"{FIRST_NAMES[n % len(FIRST_NAMES)]} F{n + 1}.", "phone": None, "phone_hash": None,
         "notes": None, "language": ("es", "pt", "ht", "fr", "en")[n % 5], "town": TOWNS[n % len(TOWNS)],
         "timezone": "", "wording": "discreet", "sms_consent": False, "consent_given_by": None, "consent_at": None,
         "consent_method": "", "created_at": joined, "updated_at": joined, "closed_at": None, "legal_hold": False,
         "purged_at": None}
        for n in range(FAMILIES)
    ]
    appointments, shifts = [], []
    count = math.ceil(total_claims / SHIFTS_PER_APPOINTMENT)
    days = [now.date() + timedelta(days=d) for d in range(2, 90)]
    days = [day for day in days if day.weekday() < 5][:60]  # 60 weekdays, from the day after tomorrow
    for n in range(count):
        # A family's k-th appointment is 7k weekdays after its first: never two at one time (the
        # live appointments' unique index on family and start, migration 0008).
        family, k = n % FAMILIES, n // FAMILIES
        day = days[(family + 7 * k) % len(days)]
        court = n % 2 == 0
        location = (1 + n % 3) if court else (4 + n % 2)
        starts_at = from_local(day, wall_time((8, 9, 10, 11, 13, 14)[n % 6], (0, 30)[n % 2]), "America/New_York")
        appointments.append({
            "id": n + 1, "family_id": 1 + family, "location_id": location,
            "kind": "master_calendar" if court else "ice_check_in", "starts_at": starts_at, "mode": "in_person",
            "judge": "", "interpreter_language": None, "notes": None, "verified_on": None, "verified_by": "",
            "status": "scheduled", "outcome": None, "outcome_notes": None, "closed_at": None, "cancelled_at": None,
            "alert_cleared_at": None, "family_confirmed_at": None, "ride_requested_at": None, "previous_id": None,
            "created_by_id": None, "created_at": joined, "updated_at": joined,
        })
        for role, start, end in (("ride_there", -90, -15), ("companion", -15, 150), ("interpreter", -15, 150)):
            shifts.append({
                "id": len(shifts) + 1, "appointment_id": n + 1, "role": role,
                "starts_at": starts_at + timedelta(minutes=start), "ends_at": starts_at + timedelta(minutes=end),
                "meeting_point": MEETING_POINTS[len(shifts) % len(MEETING_POINTS)], "slots": 1, "filled": 1,
                "requires_car": role == "ride_there", "language": None, "requires_training": False,
                "requires_obligor": False, "notes": "", "created_at": joined,
            })
    shifts = shifts[:total_claims]
    tables["appointments"], tables["shifts"] = appointments, shifts
    tables["claims"] = [
        {"id": s["id"], "shift_id": s["id"], "volunteer_id": 1 + (s["id"] - 1) % VOLUNTEERS, "claimed_at": now,
         "report_outcome": None, "report_hours": None, "report_notes": None, "report_next_date": None,
         "reported_at": None}
        for s in shifts
    ]
    models = {"locations": Location, "users": User, "volunteer_languages": VolunteerLanguage, "families": Family,
              "appointments": Appointment, "shifts": Shift, "claims": Claim}
    insert_tables(models, tables)
    db.session.commit()
    return {name: len(rows) for name, rows in tables.items()}


def plan_claims(claim_ids: range, *, now: datetime) -> list[int]:
    """One `volunteer_claimed` text per claim, through planning.plan_message, committed."""
    from sqlalchemy import select

    from accompany.database import db
    from accompany.models import Appointment, Claim, MessageKind, Shift, User
    from accompany.services.messaging import planning

    users = {u.id: u for u in db.session.scalars(select(User))}
    claims = db.session.scalars(select(Claim).where(Claim.id.between(claim_ids.start, claim_ids.stop - 1))
                                .order_by(Claim.id)).all()
    shift_ids = [c.shift_id for c in claims]
    shifts = {s.id: s for s in db.session.scalars(select(Shift).where(Shift.id.between(min(shift_ids),
                                                                                        max(shift_ids))))}
    appointments = {a.id: a for a in db.session.scalars(select(Appointment).where(
        Appointment.id.in_({s.appointment_id for s in shifts.values()})))}
    ids = []
    for claim in claims:
        shift, volunteer = shifts[claim.shift_id], users[claim.volunteer_id]
        row = planning.plan_message(
            f"shift:{shift.id}@{planning.stamp(shift.starts_at)}:user:{volunteer.id}:{MessageKind.VOLUNTEER_CLAIMED}",
            kind=MessageKind.VOLUNTEER_CLAIMED, now=now, not_before=now, send_before=shift.starts_at,
            user=volunteer, shift=shift, appointment=appointments[shift.appointment_id],
        )
        if row is None:
            raise SystemExit(f"bench.dispatch: plan_message planned nothing for claim {claim.id}")
        ids.append(row.id)
    db.session.commit()
    db.session.remove()
    return ids


def drain(app, gateway, *, rate: float, pacer=None) -> dict:
    """send_due in a loop, each call in its own app context (as scheduler.tick), until none is due."""
    from accompany.services.messaging.dispatch import send_due

    send = PROBE.wrap("send_due", send_due)
    limit = app.config["SMS_BATCH_SIZE"]
    outcomes: Counter = Counter()
    calls = 0
    cpu = CpuUse()
    thread_started = time.thread_time()  # the dispatcher's own thread: not the pool's, not the fake server's
    started = time.perf_counter()
    while True:
        with app.app_context():
            got = send(gateway, limit=limit, rate=rate, pacer=pacer)
        calls += 1
        outcomes.update({k: v for k, v in got.items() if v})
        if not sum(got.values()):
            break
        if calls > 10_000:
            raise SystemExit("bench.dispatch: send_due never ran dry")
    wall = time.perf_counter() - started
    return {"wall_s": wall, "calls": calls, "outcomes": dict(outcomes), "thread_cpu_s": time.thread_time() - thread_started,
            **cpu.since()}


def check(app, fake, row_ids: list[int], phones_by_user: dict[int, str]) -> dict:
    """What reached the fake server against what the outbox says."""
    from sqlalchemy import select

    from accompany.database import db
    from accompany.models import MessageState, OutboundMessage

    posts = [r for r in fake.requests if r.method == "POST"]
    wanted = set(row_ids)
    callbacks = Counter()
    for request in posts:
        query = parse_qs(urlsplit(request.form.get("StatusCallback", "")).query)
        callbacks[int(query["m"][0]) if "m" in query else -1] += 1
    with app.app_context():
        rows = db.session.execute(
            select(OutboundMessage.id, OutboundMessage.state, OutboundMessage.provider_sid, OutboundMessage.user_id,
                   OutboundMessage.segments, OutboundMessage.language, OutboundMessage.attempts)
            .where(OutboundMessage.id.between(min(row_ids), max(row_ids)))
        ).all()
    states = Counter(r.state.value for r in rows)
    sids = [r.provider_sid for r in rows if r.provider_sid]
    expected_to = Counter(phones_by_user[r.user_id] for r in rows)
    sent_to = Counter(r.form.get("To") for r in posts)
    result = {
        "rows": len(rows),
        "requests": len(fake.requests),
        "posts_answered_201": sum(1 for r in posts if r.answered == 201),
        "messages_at_server": len(fake.messages),
        "queued": states.get(MessageState.QUEUED.value, 0),
        "states": dict(states),
        "distinct_sids": len(set(sids)),
        "sids_match_server": set(sids) == {m.sid for m in fake.messages},
        "rows_with_one_request": sum(1 for i in row_ids if callbacks.get(i) == 1),
        "rows_with_two_or_more_requests": sum(1 for i in row_ids if callbacks.get(i, 0) > 1),
        "requests_for_no_row": sum(n for i, n in callbacks.items() if i not in wanted),
        "numbers_texted_as_planned": sent_to == expected_to,
        "distinct_numbers": len(sent_to),
        "attempts": dict(Counter(r.attempts for r in rows)),
        "segments": dict(Counter(r.segments for r in rows)),
        "languages": dict(Counter(r.language.value if r.language else None for r in rows)),
        "mean_body_chars": statistics.fmean(len(r.form.get("Body", "")) for r in posts) if posts else 0,
    }
    n = len(row_ids)
    result["ok"] = (result["rows"] == n and result["requests"] == n and result["posts_answered_201"] == n
                    and result["messages_at_server"] == n and result["queued"] == n and result["distinct_sids"] == n
                    and result["sids_match_server"] and result["rows_with_one_request"] == n
                    and result["requests_for_no_row"] == 0 and result["numbers_texted_as_planned"]
                    and result["attempts"] == {1: n} and all(k in (1, 2) for k in result["segments"]))
    return result


def breakdown(run: dict, messages: int) -> dict:
    """Milliseconds and SQL statements per message, per step (exclusive times)."""
    s, calls = PROBE.seconds, PROBE.calls
    inner_row = ("recipient_phone", "render_text", "hand_over", "commit:hand_over",
                 "finish", "commit:finish")
    in_send_due = ("housekeeping", "commit:housekeeping", "claim_due", "commit:claim_due", "prefetch")
    steps = {name: s.get(name, 0.0) for name in (*inner_row, "gateway.send", *in_send_due)}
    steps["row other"] = s["row"] - sum(s.get(n, 0.0) for n in inner_row)
    steps["send_due other"] = (s["send_due"] - s["row"] - s.get("gateway.send", 0.0)
                               - sum(s.get(n, 0.0) for n in in_send_due))
    steps["between calls"] = run["wall_s"] - s["send_due"]
    statements = {name: PROBE.statements.get(name, 0) for name in steps}
    statements["row other"] = PROBE.statements.get("row", 0)
    statements["send_due other"] = PROBE.statements.get("send_due", 0)
    statements["between calls"] = PROBE.statements.get("outside", 0)
    return {
        "ms_per_message": {k: 1000 * v / messages for k, v in steps.items()},
        "statements_per_message": {k: v / messages for k, v in statements.items()},
        "statements_total": sum(PROBE.statements.values()),
        "step_calls": dict(calls),
    }


def run_one(database_url: str, *, messages: int, rates: list[float], rate_messages: int) -> dict:
    import flask_migrate
    from sqlalchemy import text

    from accompany import create_app
    from accompany.clock import utcnow
    from accompany.database import db
    from accompany.services.messaging.dispatch import Pacer
    from accompany.services.messaging.sms.gateway import current_gateway
    from tests.support.fake_twilio import FakeTwilio

    result: dict = {"url": database_url.split("@")[-1] if "@" in database_url else database_url}
    fake = FakeTwilio().start()
    try:
        app = create_app(dispatch_config(database_url, fake.base_url))
        total_claims = messages + rate_messages * len(rates)
        with app.app_context():
            started = time.perf_counter()
            flask_migrate.upgrade()
            result["migrate_s"] = time.perf_counter() - started
            started = time.perf_counter()
            result["seeded"] = seed(total_claims, now=utcnow())
            result["seed_s"] = time.perf_counter() - started
            result["dialect"] = db.engine.dialect.name
            gateway = TimedGateway(current_gateway())
            result["gateway_class"] = type(gateway.inner).__module__ + "." + type(gateway.inner).__name__
            install_probe(db)
        phones_by_user = {n + 1: volunteer_phone(n) for n in range(VOLUNTEERS)}
        log(f"{result['dialect']}: migrated in {result['migrate_s']:.1f} s, seeded "
            f"{result['seeded']['claims']} claims in {result['seed_s']:.1f} s")

        # -- throughput, no rate limit --
        with app.app_context():
            started = time.perf_counter()
            ids = plan_claims(range(1, messages + 1), now=utcnow())
            result["plan_s"] = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":  # what autovacuum would soon do for 10,000 new rows
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("ANALYZE"))
        log(f"{result['dialect']}: planned {len(ids)} due messages in {result['plan_s']:.1f} s; sending, no rate limit")
        PROBE.reset()
        run = drain(app, gateway, rate=0)
        run["messages"] = len(ids)
        run["per_second"] = len(ids) / run["wall_s"]
        gateway_s = PROBE.seconds["gateway.send"]
        run["gateway_ms"] = 1000 * gateway_s / len(ids)
        run["overhead_ms"] = 1000 * (run["wall_s"] - gateway_s) / len(ids)
        run["wall_ms"] = 1000 * run["wall_s"] / len(ids)
        run.update(breakdown(run, len(ids)))
        run["checks"] = check(app, fake, ids, phones_by_user)
        result["throughput"] = run
        log(f"{result['dialect']}: {len(ids)} sent in {run['wall_s']:.1f} s = {run['per_second']:.0f}/s; "
            f"gateway {run['gateway_ms']:.2f} ms, our overhead {run['overhead_ms']:.2f} ms per message; "
            f"checks {'ok' if run['checks']['ok'] else 'FAILED: ' + json.dumps(run['checks'])}")

        # -- rate holding --
        result["rates"] = []
        next_claim = messages + 1
        for rate in rates:
            fake.reset()
            with app.app_context():
                ids = plan_claims(range(next_claim, next_claim + rate_messages), now=utcnow())
            next_claim += rate_messages
            PROBE.reset()
            gateway.started.clear()
            run = drain(app, gateway, rate=rate, pacer=Pacer(rate))
            arrivals = [m.created_at for m in fake.messages]
            gaps = [(b - a).total_seconds() * 1000 for a, b in zip(arrivals, arrivals[1:], strict=False)]
            client = [(b - a) * 1000 for a, b in zip(gateway.started, gateway.started[1:], strict=False)]
            span = (arrivals[-1] - arrivals[0]).total_seconds() if len(arrivals) > 1 else math.nan
            entry = {
                "rate": rate, "messages": len(ids), "target_gap_ms": 1000 / rate,
                "achieved_per_second": (len(arrivals) - 1) / span, "wall_s": run["wall_s"], "calls": run["calls"],
                "gap_ms": {"mean": statistics.fmean(gaps), "p50": percentile(gaps, 0.5), "p99": percentile(gaps, 0.99),
                           "min": min(gaps), "max": max(gaps), "stdev": statistics.stdev(gaps)},
                "client_gap_ms": {"mean": statistics.fmean(client), "p50": percentile(client, 0.5),
                                  "p99": percentile(client, 0.99), "min": min(client), "max": max(client)},
                "checks": check(app, fake, ids, phones_by_user),
            }
            result["rates"].append(entry)
            g = entry["gap_ms"]
            log(f"{result['dialect']}: {rate:g}/s configured → {entry['achieved_per_second']:.2f}/s at the server; "
                f"gaps mean {g['mean']:.2f} p50 {g['p50']:.2f} p99 {g['p99']:.2f} ms (target {1000 / rate:.2f}); "
                f"checks {'ok' if entry['checks']['ok'] else 'FAILED'}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        fake.stop()
    return result


# -- everything --------------------------------------------------------------------------------------


def main() -> int:
    started = time.monotonic()
    common.prepare_process()
    messages = int(os.environ.get("BENCH_DISPATCH_MESSAGES", "10000"))
    rates = [float(x) for x in os.environ.get("BENCH_DISPATCH_RATES", "20,50").split(",") if x.strip()]
    rate_messages = int(os.environ.get("BENCH_DISPATCH_RATE_MESSAGES", "400"))
    kinds = common.database_kinds("BENCH_DISPATCH_DATABASES")
    report = common.new_report(log, packages=("twilio", "requests", "psycopg"),
                               settings={"messages": messages, "rates": rates, "rate_messages": rate_messages,
                                         "volunteers": VOLUNTEERS})
    args = ["--messages", str(messages), "--rates", ",".join(f"{r:g}" for r in rates),
            "--rate-messages", str(rate_messages)]
    jobs = [(kind, "dispatch", args) for kind in kinds]
    with common.work_dir("accompany-dispatch-") as workdir, common.Databases(workdir, report["machine"], log) as dbs:
        report["runs"] = common.run_children("bench.dispatch", jobs, dbs)
    common.publish(report, started=started, stem="dispatch-latest", render=render)
    ok = all(r["throughput"]["checks"]["ok"] and all(x["checks"]["ok"] for x in r["rates"]) for r in report["runs"])
    return common.exit_status(log, report, "dispatch-latest",
                              None if ok else "a correctness check failed: see the Correctness table")


# -- the report --------------------------------------------------------------------------------------

DATABASE_WORDS = {"sqlite": "SQLite (a file, default journal)", "postgresql": "PostgreSQL (127.0.0.1, fsync off)"}


def _f(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


def render(report: dict) -> str:
    runs, cfg = report["runs"], report["settings"]
    names = [DATABASE_WORDS.get(r["database"], r["database"]) for r in runs]
    lines = [
        "# Accompany dispatcher benchmark results",
        "",
        *run_and_machine(report, "bench/run-dispatch", ("SQLAlchemy", "twilio", "requests", "psycopg")),
        f"Each database: {cfg['volunteers']:,} volunteers with unique valid US numbers, {cfg['messages']:,} due "
        "`volunteer_claimed` texts planned with `planning.plan_message`, sent with `send_due(limit=SMS_BATCH_SIZE, "
        "rate=0)` in a loop (one app context per call) through the real Twilio SDK backend to `FakeTwilio` on "
        "127.0.0.1 (in the same process, on a thread). CPU ms/message: this process's CPU time (all its threads, so "
        "the fake server's too) over the sending; the dispatcher's thread: the thread that calls `send_due` (all our "
        "database and rendering work; not the request pool's thread, not the fake server's); PostgreSQL server: its postmaster and backends, from /proc; "
        "machine CPUs busy: the share of all cores in use meanwhile, from /proc/stat.",
        "",
        "## Throughput (no rate limit)",
        "",
        "| database | messages | wall s | messages/s | ms/message | inside `gateway.send` ms/message "
        "| our own overhead ms/message | SQL statements/message | send_due calls | CPU ms/message (this process) "
        "| CPU ms/message (the dispatcher's thread) | CPU ms/message (PostgreSQL server) | machine CPUs busy | correct |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in zip(names, runs, strict=True):
        t = r["throughput"]
        lines.append(f"| {name} | {t['messages']:,} | {t['wall_s']:.1f} | {t['per_second']:.0f} | {t['wall_ms']:.2f} | "
                     f"{t['gateway_ms']:.2f} | {t['overhead_ms']:.2f} | "
                     f"{t['statements_total'] / t['messages']:.1f} | {t['calls']} | "
                     f"{1000 * t['process_cpu_s'] / t['messages']:.2f} | "
                     f"{1000 * t['thread_cpu_s'] / t['messages']:.2f} | "
                     f"{'—' if t['server_cpu_s'] is None else format(1000 * t['server_cpu_s'] / t['messages'], '.2f')} | "
                     f"{percent(t['machine_busy'])} | "
                     f"{'yes' if t['checks']['ok'] else 'NO'} |")
    lines += [
        "",
        "## Where the time of one message goes (milliseconds per message, SQL statements per message)",
        "",
        "Exclusive times from wrappers around the dispatcher's steps; per-call steps are spread over the "
        "messages. Our own overhead is everything but `gateway.send`.",
        "",
        "| step | " + " | ".join(f"{n} ms | stmts" for n in names) + " |",
        "|---|" + "---:|---:|" * len(runs),
    ]
    for key, label in (*STEPS[:-1], ("gateway.send", "**`gateway.send`**: twilio SDK, HTTP to the fake server "
                                     "and its answer"), STEPS[-1]):
        cells = []
        for r in runs:
            t = r["throughput"]
            cells.append(f"{t['ms_per_message'].get(key, 0):.3f} | {t['statements_per_message'].get(key, 0):.2f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| **total** | " + " | ".join(
        f"**{r['throughput']['wall_ms']:.3f}** | **{r['throughput']['statements_total'] / r['throughput']['messages']:.2f}**"
        for r in runs) + " |")
    lines += [
        "",
        f"## Rate holding ({cfg['rate_messages']} fresh due messages per rate)",
        "",
        "Gaps between consecutive requests as the fake server saw them (the `created_at` it stamps on each message "
        "it accepts); achieved rate = (requests − 1) / time from the first to the last. One `Pacer` is shared by the "
        "loop's `send_due` calls. The last two columns are the same gaps on our side (perf_counter as "
        "`gateway.send` is entered, just after the Pacer lets the message go).",
        "",
        "| database | configured /s | achieved /s | target gap ms | mean gap ms | p50 ms | p99 ms | min ms | max ms "
        "| our side: p99 ms | our side: min ms | correct |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in zip(names, runs, strict=True):
        for x in r["rates"]:
            g = x["gap_ms"]
            lines.append(f"| {name} | {x['rate']:g} | {x['achieved_per_second']:.2f} | {x['target_gap_ms']:.2f} | "
                         f"{g['mean']:.2f} | {g['p50']:.2f} | {g['p99']:.2f} | {g['min']:.2f} | {g['max']:.2f} | "
                         f"{x['client_gap_ms']['p99']:.2f} | {x['client_gap_ms']['min']:.2f} | "
                         f"{'yes' if x['checks']['ok'] else 'NO'} |")
    lines += [
        "",
        "## Correctness",
        "",
        "| database | run | rows | requests at the fake server | answered 201 | rows QUEUED | distinct SIDs "
        "| SIDs = server's | rows with exactly one request | rows with more | numbers texted as planned | segments |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|",
    ]
    for name, r in zip(names, runs, strict=True):
        for label, c in [("throughput", r["throughput"]["checks"])] + [
                (f"{x['rate']:g}/s", x["checks"]) for x in r["rates"]]:
            segments = ", ".join(f"{k}: {v:,}" for k, v in sorted(c["segments"].items(), key=lambda kv: str(kv[0])))
            lines.append(f"| {name} | {label} | {c['rows']:,} | {c['requests']:,} | {c['posts_answered_201']:,} | "
                         f"{c['queued']:,} | {c['distinct_sids']:,} | {'yes' if c['sids_match_server'] else 'NO'} | "
                         f"{c['rows_with_one_request']:,} | {c['rows_with_two_or_more_requests']} | "
                         f"{'yes' if c['numbers_texted_as_planned'] else 'NO'} ({c['distinct_numbers']:,}) | "
                         f"{segments} |")
    lines += [
        "",
        "## Setup",
        "",
        "| database | migrations s | seed s | planning s (ms per `plan_message`) | run s in all |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in zip(names, runs, strict=True):
        n = r["throughput"]["messages"]
        lines.append(f"| {name} | {r['migrate_s']:.1f} | {r['seed_s']:.1f} | {r['plan_s']:.1f} "
                     f"({1000 * r['plan_s'] / n:.2f}) | {r['elapsed_s']:.0f} |")
    return "\n".join(lines) + "\n"


def child_main(argv) -> int:
    parser = argparse.ArgumentParser(description="One database's dispatcher benchmark, JSON on stdout.")
    parser.add_argument("--database-url", required=True, help="an empty database (a SQLite file is replaced)")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rates", default="20,50")
    parser.add_argument("--rate-messages", type=int, default=400)
    args = parser.parse_args(argv)
    empty_database(args.database_url)
    result = run_one(args.database_url, messages=args.messages,
                     rates=[float(x) for x in args.rates.split(",") if x.strip()], rate_messages=args.rate_messages)
    json.dump(result, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]) if len(sys.argv) > 1 else main())
