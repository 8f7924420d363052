"""The inbound-text benchmark: bench/run-inbound calls this in the project's venv.

How long `POST /sms/inbound` takes and how many SQL statements it runs for each kind of text
people send us, at two network sizes, on SQLite and on a throwaway PostgreSQL. For each
(database, size), in a fresh Python process:

1. `bench.seed.seed` builds the network (real migrations, Core bulk inserts, sealed columns): at
   scale 1.0 2,000 families, 1,000 volunteers, 10,000 appointments and 20,000 shifts over two
   years. Then, so the tables the webhook reads hold what two years of texting leave behind:
   - every family gets a valid US number of its own (+1 617 555-2000 onwards: the seed's family
     numbers, `_phone(100_000 + n)`, have 11 national digits, which no carrier would send us);
     volunteers keep the seed's numbers (555-00xx/01xx in six area codes, all valid);
   - the admin and the five coordinators get numbers and take texts (ride requests alert them);
   - the outbox history, under the planner's own dedupe keys: the three family reminders of every
     scheduled or closed appointment of a consenting family and the three texts of every claim
     of a volunteer who takes texts; delivered (sealed body, provider SID) when their time has
     passed, pending when it has not;
   - inbound history: a "1" to about one in six delivered family reminders, some free text;
   - 2 % of the consenting families opted out (their pending rows cancelled);
   - urgent calls on open one-slot shifts two or more days ahead, started with
     `urgent_calls.start_call` (each asks a group of URGENT_GROUP_SIZE volunteers), committed.
   On PostgreSQL `ANALYZE` runs after all this, as autovacuum would; SQLite gets none (nothing
   in the app runs it).
2. The app with bench/settings.py's production config plus PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN,
   and `app.test_client()`: in process, no HTTP server, one request at a time. Each request is
   the form Twilio POSTs (tests/support/twilio_webhooks.inbound_params), URL-encoded beforehand
   and signed with the SDK's RequestValidator over PUBLIC_BASE_URL + /sms/inbound.
3. The mix, shuffled with a fixed seed (STOP and its START, and the two YES to one call, stay
   back to back): HELP (from families, volunteers and unknown numbers, in their languages), STOP
   then START from a family's number, the same from a volunteer's, a family's "1" and "2", a
   family's free text, free text from a number we do not know, and a volunteer's "YES <code>",
   both the first (takes the shift) and the second asked right after it (too late). One request
   of each kind first, not measured, compiles the statements.
4. Per request: wall time around `client.post`, SQL statements (a `before_cursor_execute`
   listener on the engine; savepoints and PRAGMAs are left out, as tests/support/queries.py
   does) and the time inside the driver's execute; thin wrappers time `receive_text` and the
   webhook's commit, to say where a request's time goes. Checks: every answer 200 and TwiML with one
   message for HELP, STOP and START, none for what is answered through the outbox ("1", "2",
   YES), none or the help text for free text (at most once a day per number); one inbound row per
   request; every STOP number opted back in; the confirmations, ride requests and claims.

    python -m bench.inbound                                       everything, printed as Markdown
    python -m bench.inbound --database-url URL --scale S          one run, JSON on stdout

Settings (environment): BENCH_INBOUND_SCALES ("0.1,1"), BENCH_INBOUND_REQUESTS (150 per kind),
BENCH_INBOUND_DATABASES ("sqlite,postgresql"), BENCH_WORKDIR. BENCH_INBOUND_PROFILE ("urgent_yes,family_ride",
say; empty by default): cProfile those kinds' measured requests, written to BENCH_WORKDIR as
inbound-<database>-<scale>.prof (their timings then include the profiler's cost).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as wall_time
from urllib.parse import urlencode
from xml.etree import ElementTree

from bench import common
from bench.common import CpuUse, empty_database, insert_in_batches, percentile
from bench.report import ms, percent, run_and_machine

PATH = "/sms/inbound"
PROFILE_KINDS = {kind for kind in os.environ.get("BENCH_INBOUND_PROFILE", "").split(",") if kind.strip()}
SEED = 2203

# (key, what the row is, whether the TwiML answer holds a message: True, False, or None for either:
# a text left for a person gets the help text at most once a day per number, never after STOP)
KINDS = (
    ("help", "HELP (family, volunteer or unknown number)", True),
    ("stop_family", "STOP from a family's number", True),
    ("start_family", "START from that number, right after", True),
    ("stop_volunteer", "STOP from a volunteer's number", True),
    ("start_volunteer", "START from that number, right after", True),
    ("family_confirm", 'family "1" (confirms the appointment)', False),
    ("family_ride", 'family "2" (ride request)', False),
    ("family_text", "family free text (for the inbox)", None),
    ("unknown_text", "unknown number, free text", None),
    ("urgent_yes", '"YES <code>", first: takes the shift', False),
    ("urgent_yes_late", '"YES <code>" just after: too late', False),
)
EXPECTED_TWIML = {key: answered for key, _, answered in KINDS}

HELP_WORDS = ("HELP", "Help", "AYUDA", "AJUDA", "ÈD", "AIDE")
FAMILY_TEXTS = (
    "Gracias, ahí estaremos",
    "¿Pueden llamarme? Tengo una pregunta sobre la cita",
    "Perdí la carta de la corte, ¿qué hago?",
    "Obrigada! Até lá",
    "Mèsi anpil, n ap la",
    "Bonjour, est-ce que je dois apporter mon passeport ?",
    "What time should we be there?",
    "Mi hijo está enfermo, ¿puedo llevarlo conmigo?",
    "Cambié de dirección, ahora vivo en Chelsea",
    "ok see you then",  # a bare "ok" is an acknowledgement now: a keyword
)
UNKNOWN_TEXTS = (
    "Hola, me dio este número una amiga. ¿Ustedes acompañan a la corte?",
    "Who is this?",
    "Soy la hermana de Rosa, ella cambió de teléfono",
    "Olá, preciso de ajuda com uma audiência",
    "Hi, I'd like to volunteer as a driver",
)
# Area codes of numbers we text from but do not know (each gives 555-0100..0199).
UNKNOWN_AREAS = ("415", "510", "312", "305", "206", "503", "612", "720")
STAFF_AREA = "202"


log = common.logger("inbound")


def family_phone(n: int) -> str:
    return f"+1617555{2000 + n:04d}"


def unknown_phone(n: int) -> str:
    return f"+1{UNKNOWN_AREAS[n // 100 % len(UNKNOWN_AREAS)]}55501{n % 100:02d}"


def staff_phone(n: int) -> str:
    return f"+1{STAFF_AREA}55501{n:02d}"


# -- measuring ---------------------------------------------------------------------------------------


class StatementMeter:
    """SQL statements and the time inside the driver's execute, per request and per statement text;
    and, from two thin wrappers, the time inside `receive_text` and inside the session's commit."""

    SKIPPED = ("SAVEPOINT", "RELEASE", "ROLLBACK TO", "PRAGMA")

    def __init__(self):
        self.active = False
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.savepoints = 0
        self.seconds = 0.0
        self.savepoint_seconds = 0.0
        self.handler_seconds = 0.0  # inside services.inbound.receive_text (the SQL it runs included)
        self.commit_seconds = 0.0  # inside the webhook's db.session.commit()
        self.statements: list[tuple[str, float]] = []  # (the statement as compiled: a shared string, seconds)
        self._started: list[float] = []

    def before(self, conn, cursor, statement, parameters, context, executemany):
        self._started.append(time.perf_counter())

    def after(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - self._started.pop()
        if not self.active:
            return
        if statement.lstrip().upper().startswith(self.SKIPPED):
            self.savepoints += 1
            self.savepoint_seconds += elapsed
            return
        self.count += 1
        self.seconds += elapsed
        self.statements.append((statement, elapsed))

    def timed(self, attribute: str, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                if self.active:
                    setattr(self, attribute, getattr(self, attribute) + time.perf_counter() - started)

        wrapper.__wrapped__ = function
        return wrapper

    def install(self, db) -> None:
        from sqlalchemy import event

        from accompany.webhooks import inbound as webhook

        event.listen(db.engine, "before_cursor_execute", self.before)
        event.listen(db.engine, "after_cursor_execute", self.after)
        webhook.receive_text = self.timed("handler_seconds", webhook.receive_text)  # looked up at call time
        session_class = type(db.session())  # Flask-SQLAlchemy's Session: db.session.commit() lands here
        session_class.commit = self.timed("commit_seconds", session_class.commit)


METER = StatementMeter()


@dataclass
class Request:
    kind: str
    sender: str
    body: str
    items: int = 0  # for START: the number's upcoming appointments or claims just before it (what it plans again)
    payload: bytes = b""
    signature: str = ""
    note: dict = field(default_factory=dict)


# -- the network's history -------------------------------------------------------------------------


def add_history(rng: random.Random, *, now: datetime) -> dict:
    """Valid family and staff numbers, the outbox and inbound history, opt-outs (see the docstring)."""
    from accompany.database import db
    from accompany.models import InboundMessage, OutboundMessage

    families = _give_families_numbers()
    staff = _give_staff_numbers()
    opted_out = _opt_out_families(rng, families, now=now)
    history = _History(rng, now=now)
    history.add_family_reminders(families, opted_out, staff)
    history.add_volunteer_texts()
    insert_in_batches(OutboundMessage, history.outbound)
    insert_in_batches(InboundMessage, history.inbound)
    db.session.commit()
    states = Counter(r["state"].value for r in history.outbound)
    return {"outbound_messages": len(history.outbound), "outbound_states": dict(states),
            "inbound_messages": len(history.inbound), "opted_out_families": len(opted_out),
            "staff_with_phones": len(staff), "opted_out_ids": opted_out}


def _give_families_numbers() -> list:
    """Every family the valid number family_phone(n), n in id order; the families (id, language,
    consent, closed_at) in that order."""
    from sqlalchemy import select, update

    from accompany.crypto import phone_index
    from accompany.database import db
    from accompany.models import Family

    families = db.session.execute(select(Family.id, Family.language, Family.sms_consent, Family.closed_at,
                                         Family.version).order_by(Family.id)).all()
    # A bulk UPDATE by primary key of a versioned row names the version it read (version_id_col).
    db.session.execute(update(Family), [
        {"id": f.id, "version": f.version, "phone": family_phone(n), "phone_hash": phone_index(family_phone(n))}
        for n, f in enumerate(families)
    ])
    return families


def _give_staff_numbers() -> list[int]:
    """The admin and the coordinators get numbers (staff_phone) and take texts; their ids."""
    from sqlalchemy import select, update

    from accompany.crypto import phone_index
    from accompany.database import db
    from accompany.models import Role, User

    staff = db.session.execute(select(User.id, User.version).where(User.role.in_([Role.ADMIN, Role.COORDINATOR]))
                               .order_by(User.id)).all()
    db.session.execute(update(User), [
        {"id": u.id, "version": u.version, "phone": staff_phone(n), "phone_hash": phone_index(staff_phone(n)),
         "sms_opt_in": True}
        for n, u in enumerate(staff)
    ])
    return [u.id for u in staff]


def _opt_out_families(rng: random.Random, families: list, *, now: datetime) -> set[int]:
    """2 % of the consenting families opted out by STOP some time ago; their ids."""
    from sqlalchemy import insert

    from accompany.crypto import phone_index
    from accompany.database import db
    from accompany.models import OptOut

    consenting = [f for f in families if f.sms_consent]
    opted_out = {f.id for f in rng.sample(consenting, k=round(0.02 * len(consenting)))}
    db.session.execute(insert(OptOut), [
        {"phone_hash": phone_index(family_phone(n)), "active": True, "keyword": "stop",
         "opted_out_at": now - timedelta(days=rng.randint(5, 300)), "opted_in_at": None}
        for n, f in enumerate(families) if f.id in opted_out
    ])
    return opted_out


class _History:
    """The outbox rows and inbound texts two years of texting leave behind, under the planner's own
    dedupe keys: delivered when their time has passed, pending when it has not."""

    def __init__(self, rng: random.Random, *, now: datetime):
        from accompany.services.messaging import audience

        self.rng = rng
        self.now = now
        self.timing = audience.current_timing()
        self.org_tz = audience.org_timezone()
        self.outbound: list[dict] = []
        self.inbound: list[dict] = []

    def add(self, key, kind, recipient, *, family=None, user=None, appointment_id=None, shift_id=None,
            not_before, send_before, language, cancelled=False) -> dict:
        from accompany.models.enums import MessageState

        row = {
            "dedupe_key": key, "kind": kind, "recipient_kind": recipient, "family_id": family, "user_id": user,
            "appointment_id": appointment_id, "shift_id": shift_id, "params": {}, "not_before": not_before,
            "send_before": send_before, "attempts": 0, "claimed_at": None, "claim_token": None, "handed_at": None,
            "sent_at": None, "status_at": None, "provider_sid": None, "error_code": None, "error_message": None,
            "language": language, "body": None, "segments": None, "created_at": min(not_before, self.now),
            "state": MessageState.PENDING,
        }
        if not_before < self.now:
            sent = not_before + timedelta(seconds=self.rng.randint(5, 90))
            row.update(state=MessageState.DELIVERED, attempts=1, claimed_at=sent, handed_at=sent, sent_at=sent,
                       status_at=sent + timedelta(seconds=4), provider_sid=f"SM{len(self.outbound) + 1:032x}",
                       body=f"Reminder ({kind}): see you soon. Reply 1 to confirm, 2 if you need a ride.",
                       segments=1 + (len(self.outbound) % 3 == 0))
        elif cancelled:
            row["state"] = MessageState.CANCELLED
        self.outbound.append(row)
        return row

    def add_family_reminders(self, families: list, opted_out: set[int], staff: list[int]) -> None:
        """The family reminders of every scheduled or closed appointment of a consenting family, and
        the answers to some of those delivered."""
        from sqlalchemy import select

        from accompany.database import db
        from accompany.models import Appointment, AppointmentStatus
        from accompany.models.enums import MessageKind, RecipientKind
        from accompany.services.messaging import planning

        by_family = {f.id: f for f in families}
        phone_of_family = {f.id: family_phone(n) for n, f in enumerate(families)}
        appointments = db.session.execute(
            select(Appointment.id, Appointment.family_id, Appointment.starts_at, Appointment.status)
            .where(Appointment.status.in_([AppointmentStatus.SCHEDULED, AppointmentStatus.CLOSED]))
            .order_by(Appointment.id)
        ).all()
        days = sorted(self.timing.family_reminder_days, reverse=True)
        for a in appointments:
            family = by_family[a.family_id]
            if not family.sms_consent:
                continue
            for d, opens, closes in self.reminder_windows(a.starts_at, days):
                row = self.add(f"appt:{a.id}@{planning.stamp(a.starts_at)}:family:reminder_{d}d",
                               MessageKind.family_reminder(d), RecipientKind.FAMILY, family=a.family_id,
                               appointment_id=a.id, not_before=opens, send_before=closes, language=family.language,
                               cancelled=a.family_id in opted_out)
                if row["sent_at"] is not None and a.family_id not in opted_out:
                    self.maybe_answer(row, a, phone_of_family[a.family_id], staff)

    def reminder_windows(self, starts_at: datetime, days: list[int]) -> list[tuple[int, datetime, datetime]]:
        """(days before, opens, closes) of each reminder an appointment at `starts_at` gets: from the
        reminder hour that many days before, until the next one opens or the last call."""
        from accompany.timezones import from_local, to_local

        timing, org_tz = self.timing, self.org_tz
        local_day = to_local(starts_at, org_tz).date()
        last_call = starts_at - timing.family_last_call
        opens = [from_local(local_day - timedelta(days=d), wall_time(timing.family_reminder_hour), org_tz)
                 for d in days]
        windows = []
        for i, d in enumerate(days):
            closes = min(opens[i + 1], last_call) if i + 1 < len(days) else last_call
            if closes > opens[i]:
                windows.append((d, opens[i], closes))
        return windows

    def maybe_answer(self, row: dict, appointment, phone: str, staff: list[int]) -> None:
        """A "1" to about one in six delivered reminders, free text (handled by a coordinator) to a few."""
        from accompany.crypto import phone_index
        from accompany.models.enums import MessageKind

        rng = self.rng
        draw = rng.random()
        if not (draw < 0.17 or draw > 0.985):
            return
        replied = row["sent_at"] + timedelta(minutes=rng.randint(1, 600))
        confirm = draw < 0.17
        self.inbound.append({
            "provider_sid": f"SMf{len(self.inbound) + 1:031x}", "from_hash": phone_index(phone),
            "from_phone": phone,
            "body": "1" if confirm else rng.choice(FAMILY_TEXTS), "received_at": replied,
            "family_id": appointment.family_id, "user_id": None, "kind": "yes" if confirm else "other",
            "appointment_id": appointment.id, "answered_with": MessageKind.REPLY_CONFIRMED if confirm else None,
            "handled_at": replied + (timedelta(0) if confirm else timedelta(hours=3)),
            "handled_by_id": None if confirm else staff[1 % len(staff)],
        })

    def add_volunteer_texts(self) -> None:
        """The three texts of every claim of an active volunteer who takes texts."""
        from sqlalchemy import select

        from accompany.database import db
        from accompany.models import Claim, Role, Shift, User, UserStatus
        from accompany.models.enums import RecipientKind
        from accompany.services.messaging import planning

        volunteers = {u.id: u for u in db.session.execute(
            select(User.id, User.sms_opt_in, User.phone_hash, User.status).where(User.role == Role.VOLUNTEER))}
        claims = db.session.execute(
            select(Claim.id, Claim.volunteer_id, Claim.claimed_at, Shift.id.label("shift_id"), Shift.starts_at,
                   Shift.appointment_id)
            .join(Shift, Shift.id == Claim.shift_id).order_by(Claim.id)
        ).all()
        for c in claims:
            v = volunteers.get(c.volunteer_id)
            if v is None or not v.sms_opt_in or v.phone_hash is None or v.status != UserStatus.ACTIVE:
                continue
            base = f"shift:{c.shift_id}@{planning.stamp(c.starts_at)}:user:{c.volunteer_id}"
            for kind, not_before, send_before in self.claim_windows(c):
                self.add(f"{base}:{kind}", kind, RecipientKind.VOLUNTEER, user=c.volunteer_id,
                         appointment_id=c.appointment_id, shift_id=c.shift_id, not_before=not_before,
                         send_before=send_before, language="en")

    def claim_windows(self, claim) -> list[tuple[str, datetime, datetime]]:
        """(kind, not before, send before) of a claim's texts: when it was claimed, the evening
        before (unless claimed after that evening) and soon before; none whose window is empty."""
        from accompany.models.enums import MessageKind
        from accompany.timezones import from_local, to_local

        timing, org_tz = self.timing, self.org_tz
        local = to_local(claim.starts_at, org_tz)
        evening = from_local(local.date() - timedelta(days=1), wall_time(timing.volunteer_evening_hour), org_tz)
        wanted = [(MessageKind.VOLUNTEER_CLAIMED, claim.claimed_at, claim.starts_at),
                  (MessageKind.VOLUNTEER_EVENING_BEFORE, evening, claim.starts_at - timing.volunteer_soon),
                  (MessageKind.VOLUNTEER_SOON, claim.starts_at - timing.volunteer_soon, claim.starts_at)]
        return [(kind, not_before, send_before) for kind, not_before, send_before in wanted
                if not (kind == MessageKind.VOLUNTEER_EVENING_BEFORE and not_before < claim.claimed_at)
                and send_before > not_before]


def start_urgent_calls(rng: random.Random, wanted: int, *, now: datetime) -> tuple[list[dict], dict]:
    """Urgent calls on open one-slot-left shifts two or more days ahead; each with its code and the
    volunteers asked, in the order asked."""
    from sqlalchemy import select

    from accompany.database import db
    from accompany.models import Appointment, AppointmentStatus, Role, Shift, User
    from accompany.services.messaging import urgent_calls

    coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR).order_by(User.id).limit(1))
    ids = db.session.scalars(
        select(Shift.id).join(Appointment)
        .where(Appointment.status == AppointmentStatus.SCHEDULED, Shift.starts_at > now + timedelta(days=2),
               Shift.filled == Shift.slots - 1)
        .order_by(Shift.id)
    ).all()
    rng.shuffle(ids)
    calls, skipped, seconds = [], Counter(), []
    for shift_id in ids:
        if len(calls) >= wanted:
            break
        shift = db.session.get(Shift, shift_id)
        started = time.perf_counter()
        try:
            call, asked = urgent_calls.start_call(shift, by=coordinator, now=now)
        except urgent_calls.NobodyToAsk:
            db.session.rollback()
            skipped["nobody to ask"] += 1
            continue
        db.session.commit()
        seconds.append(time.perf_counter() - started)
        if len(asked) < 2:
            skipped["fewer than two asked"] += 1
            continue
        calls.append({"call_id": call.id, "code": call.code, "shift_id": shift_id,
                      "asked": [ask.volunteer_id for ask in sorted(asked, key=lambda a: a.id)]})
    db.session.remove()
    return calls, {"calls": len(calls), "skipped": dict(skipped), "shifts_considered": len(ids),
                   "start_call_ms_median": 1000 * statistics.median(seconds) if seconds else None,
                   "start_call_s_total": sum(seconds)}


# -- the requests ------------------------------------------------------------------------------------


def build_requests(rng: random.Random, per_kind: int, calls: list[dict], opted_out: set[int], *,
                   now: datetime) -> tuple[list[list[Request]], dict]:
    """Units of requests posted back to back (a STOP with its START, the two YES to one call), one
    unit of each kind first for warm-up, then the rest shuffled."""
    from sqlalchemy import func, select

    from accompany.database import db
    from accompany.models import Appointment, AppointmentStatus, Family, Role, User, UserStatus
    from accompany.services.messaging import keywords

    families = db.session.execute(select(Family.id, Family.phone).where(Family.closed_at.is_(None))
                                  .order_by(Family.id)).all()
    families = [f for f in families if f.id not in opted_out]
    upcoming_appointments = dict(db.session.execute(
        select(Appointment.family_id, func.count())
        .where(Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at > now)
        .group_by(Appointment.family_id)).all())
    volunteers = db.session.execute(
        select(User.id, User.phone).where(User.role == Role.VOLUNTEER, User.status == UserStatus.ACTIVE,
                                          User.phone_hash.is_not(None)).order_by(User.id)).all()
    phone_of_user = dict(db.session.execute(select(User.id, User.phone)).all())
    db.session.remove()
    with_appointment = [f for f in families if upcoming_appointments.get(f.id)]
    unknown = iter(range(10_000))

    def pick(pool, n):
        """n senders from pool: each once, cycling (in a new order) only if the pool is short."""
        out = []
        while len(out) < n and pool:
            out.extend(rng.sample(pool, k=min(len(pool), n - len(out))))
        return out

    n = per_kind + 1  # one of each for warm-up
    units: dict[str, list[list[Request]]] = defaultdict(list)
    for i in range(n):
        who = i % 3
        if who == 0:
            sender = rng.choice(families).phone
        elif who == 1:
            sender = rng.choice(volunteers).phone
        else:
            sender = unknown_phone(next(unknown))
        units["help"].append([Request("help", sender, rng.choice(HELP_WORDS))])
    for f in pick(families, n):
        units["stop_family"].append([
            Request("stop_family", f.phone, rng.choice(("STOP", "Stop", "PARAR", "stop"))),
            Request("start_family", f.phone, rng.choice(("START", "Start", "COMENZAR"))),
        ])
    for v in pick(volunteers, n):
        units["stop_volunteer"].append([
            Request("stop_volunteer", v.phone, rng.choice(("STOP", "Stop"))),
            Request("start_volunteer", v.phone, rng.choice(("START", "Start"))),
        ])
    for f in pick(with_appointment, n):
        units["family_confirm"].append([Request("family_confirm", f.phone, rng.choice(("1", "1", " 1", "Sí")))])
    for f in pick(with_appointment, n):
        units["family_ride"].append([Request("family_ride", f.phone, rng.choice(("2", "2", "RAITE")))])
    for f in pick(families, n):
        units["family_text"].append([Request("family_text", f.phone, rng.choice(FAMILY_TEXTS))])
    for _ in range(n):
        units["unknown_text"].append([Request("unknown_text", unknown_phone(next(unknown)), rng.choice(UNKNOWN_TEXTS))])
    for call in calls[:n]:
        first, second = call["asked"][0], call["asked"][1]
        units["urgent_yes"].append([
            Request("urgent_yes", phone_of_user[first], f"YES {call['code']}", note={"call_id": call["call_id"]}),
            Request("urgent_yes_late", phone_of_user[second], rng.choice((f"YES {call['code']}", f"Si {call['code']}")),
                    note={"call_id": call["call_id"]}),
        ])
    for body in FAMILY_TEXTS + UNKNOWN_TEXTS:
        if keywords.read(body).meaning != keywords.OTHER:
            raise SystemExit(f"bench.inbound: {body!r} reads as a keyword, not free text")
    warmup = [group.pop(0) for group in units.values() if group]
    rest = [unit for group in units.values() for unit in group]
    rng.shuffle(rest)
    pools = {"open families": len(families), "families with an appointment ahead": len(with_appointment),
             "active volunteers with a phone": len(volunteers), "urgent calls": len(calls)}
    return [*warmup, *rest], {"pools": pools, "warmup_units": len(warmup)}


def upcoming_behind(phone: str, *, now: datetime) -> int:
    """Scheduled appointments ahead of the open families with this number that take texts, plus
    claims ahead (on scheduled appointments) of the accounts with it: what a START from it plans
    texts for again. Counted by the harness between requests, outside the measurement."""
    from sqlalchemy import func, select

    from accompany.crypto import phone_index
    from accompany.database import db
    from accompany.models import Appointment, AppointmentStatus, Claim, Family, Shift, User

    digest = phone_index(phone)
    appointments = db.session.scalar(
        select(func.count()).select_from(Appointment).join(Family)
        .where(Family.phone_hash == digest, Family.closed_at.is_(None), Family.sms_consent.is_(True),
               Appointment.starts_at > now, Appointment.status == AppointmentStatus.SCHEDULED))
    claims = db.session.scalar(
        select(func.count()).select_from(Claim).join(Shift).join(Appointment).join(User, User.id == Claim.volunteer_id)
        .where(User.phone_hash == digest, Shift.starts_at > now, Appointment.status == AppointmentStatus.SCHEDULED))
    db.session.remove()
    return appointments + claims


def sign_all(units: list[list[Request]]) -> None:
    from tests.support.twilio_webhooks import AUTH_TOKEN, PUBLIC_BASE_URL, inbound_params, sign

    for unit in units:
        for r in unit:
            params = inbound_params(r.sender, r.body)
            r.payload = urlencode(params).encode()
            r.signature = sign(PUBLIC_BASE_URL + PATH, params, AUTH_TOKEN)


def twiml_messages(data: bytes) -> int:
    root = ElementTree.fromstring(data)
    return sum(1 for _ in root.iter("Message")) if root.tag == "Response" else -1


# -- one run -----------------------------------------------------------------------------------------


def inbound_config(database_url: str):
    from bench.settings import bench_config
    from tests.support.twilio_webhooks import AUTH_TOKEN, OUR_NUMBER, PUBLIC_BASE_URL

    return type("InboundBenchConfig", (bench_config(database_url),), {
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": OUR_NUMBER,
        "ORG_NAME": "Accompany Network",
        "ORG_HELP_PHONE": "+16175550100",
    })


class KindProfile:
    """A cProfile of the measured requests of BENCH_INBOUND_PROFILE's kinds (by default none), to
    see where their Python goes; their timings then include the profiler's own cost."""

    def __init__(self):
        self.profile = cProfile.Profile() if PROFILE_KINDS else None

    @contextmanager
    def around(self, kind: str, *, measured: bool):
        on = self.profile is not None and measured and kind in PROFILE_KINDS
        if on:
            self.profile.enable()
        try:
            yield
        finally:
            if on:
                self.profile.disable()

    def save(self, name: str) -> None:
        if self.profile is not None:
            path = os.path.join(os.environ.get("BENCH_WORKDIR") or ".", name)
            self.profile.dump_stats(path)
            log(f"profile of {', '.join(sorted(PROFILE_KINDS))} written to {path}")


def run_one(database_url: str, *, scale: float, per_kind: int) -> dict:
    from sqlalchemy import func, select, text

    from accompany import create_app
    from accompany.clock import utcnow
    from accompany.database import db
    from accompany.models import Appointment, Claim, InboundMessage, OptOut, OutboundMessage, Shift, UrgentAsk
    from accompany.phones import normalize_phone
    from bench.seed import seed

    rng = random.Random(SEED)
    result: dict = {"scale": scale, "per_kind": per_kind}
    started = time.perf_counter()
    result["seed"] = seed(database_url, scale=scale, seed=SEED)
    result["seed"]["elapsed_s"] = time.perf_counter() - started
    counts = result["seed"]["counts"]
    app = create_app(inbound_config(database_url))
    with app.app_context():
        result["dialect"] = db.engine.dialect.name
        now = utcnow()
        mark = time.perf_counter()
        history = add_history(rng, now=now)
        opted_out = history.pop("opted_out_ids")
        history["seconds"] = time.perf_counter() - mark
        result["history"] = history
        log(f"{result['dialect']} ×{scale:g}: seeded {counts['families']:,} families, {counts['users']:,} accounts, "
            f"{counts['shifts']:,} shifts in {result['seed']['elapsed_s']:.1f} s; history "
            f"{history['outbound_messages']:,} outbound, {history['inbound_messages']:,} inbound in "
            f"{history['seconds']:.1f} s")
        mark = time.perf_counter()
        calls, result["urgent"] = start_urgent_calls(rng, per_kind + 1, now=utcnow())
        result["urgent"]["seconds"] = time.perf_counter() - mark
        log(f"{result['dialect']} ×{scale:g}: {len(calls)} urgent calls started in {result['urgent']['seconds']:.1f} s "
            f"({result['urgent']['start_call_ms_median']:.1f} ms median per start_call)")
        if result["dialect"] == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        units, result["requests_plan"] = build_requests(rng, per_kind, calls, opted_out, now=utcnow())
        sign_all(units)
        for unit in units:  # every number we text from is one Twilio could send: valid E.164
            for r in unit:
                normalize_phone(r.sender)
        tables = {"inbound_before": InboundMessage, "outbound_before": OutboundMessage}
        result["rows"] = {k: db.session.scalar(select(func.count()).select_from(m)) for k, m in tables.items()}
        METER.install(db)
        db.session.remove()

    client = app.test_client()
    warmup = result["requests_plan"]["warmup_units"]
    samples: dict[str, list[dict]] = defaultdict(list)
    statements: dict[str, dict[str, list]] = defaultdict(dict)  # kind -> statement -> [runs, seconds]
    heaviest: dict[str, tuple[int, list[str]]] = {}  # kind -> (queries, its statements) of its busiest request
    failures: list[dict] = []
    twiml: dict[str, Counter] = defaultdict(Counter)  # kind -> {messages in the TwiML answer: requests}
    measured = 0
    loop_started = None
    profile = KindProfile()
    for index, unit in enumerate(units):
        if index == warmup:
            cpu = CpuUse()
            loop_started = time.perf_counter()
        for r in unit:
            if r.kind.startswith("start_"):
                with app.app_context():
                    r.items = upcoming_behind(r.sender, now=utcnow())
            METER.reset()
            METER.active = True
            with profile.around(r.kind, measured=index >= warmup):
                t0 = time.perf_counter()
                response = client.post(PATH, data=r.payload, content_type="application/x-www-form-urlencoded",
                                       headers={"X-Twilio-Signature": r.signature})
                elapsed = time.perf_counter() - t0
            METER.active = False
            body = response.get_data()
            messages = twiml_messages(body) if response.status_code == 200 else -1
            twiml[r.kind][messages] += 1
            expected = EXPECTED_TWIML[r.kind]
            if response.status_code != 200 or messages not in ((0, 1) if expected is None else (int(expected),)):
                failures.append({"kind": r.kind, "sender": r.sender, "status": response.status_code, "body": body[:300].decode(errors="replace")})
            if index < warmup:
                continue
            measured += 1
            samples[r.kind].append({"ms": 1000 * elapsed, "queries": METER.count, "savepoints": METER.savepoints,
                                    "sql_ms": 1000 * METER.seconds, "savepoint_ms": 1000 * METER.savepoint_seconds,
                                    "handler_ms": 1000 * METER.handler_seconds,
                                    "commit_ms": 1000 * METER.commit_seconds, "items": r.items})
            for sql, seconds in METER.statements:
                tally = statements[r.kind].setdefault(sql, [0, 0.0])
                tally[0] += 1
                tally[1] += seconds
            if METER.count > heaviest.get(r.kind, (-1, None))[0]:
                heaviest[r.kind] = (METER.count, [sql for sql, _ in METER.statements])
    wall = time.perf_counter() - loop_started
    profile.save(f"inbound-{database_url.split(':')[0]}-{scale:g}.prof")
    result["throughput"] = {"requests": measured, "wall_s": wall, "per_second": measured / wall, **cpu.since()}
    result["kinds"] = {}
    for kind, rows in samples.items():
        latencies = [s["ms"] for s in rows]
        queries = [s["queries"] for s in rows]
        entry = {
            "requests": len(rows), "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
            "p99_ms": percentile(latencies, 0.99), "mean_ms": statistics.fmean(latencies), "max_ms": max(latencies),
            "queries_mean": statistics.fmean(queries), "queries_min": min(queries), "queries_max": max(queries),
            "savepoints_mean": statistics.fmean(s["savepoints"] for s in rows),
            "sql_ms_p50": percentile([s["sql_ms"] for s in rows], 0.5),
            "sql_ms_mean": statistics.fmean(s["sql_ms"] for s in rows),
            # where the mean request's time goes (ms): SQL, SAVEPOINT/RELEASE, the rest of receive_text
            # (Python: ORM, planning, sealing, keywords), the commit, and everything outside them
            # (Flask, the signature check, TwiML, the test client)
            "split_ms": {
                "sql": statistics.fmean(s["sql_ms"] for s in rows),
                "savepoints": statistics.fmean(s["savepoint_ms"] for s in rows),
                "handler_python": statistics.fmean(s["handler_ms"] - s["sql_ms"] - s["savepoint_ms"] for s in rows),
                "commit": statistics.fmean(s["commit_ms"] for s in rows),
                "outside": statistics.fmean(s["ms"] - s["handler_ms"] - s["commit_ms"] for s in rows),
            },
        }
        if kind.startswith("start_"):
            entry["fit"] = fit([s["items"] for s in rows], queries)
            entry["items_mean"] = statistics.fmean(s["items"] for s in rows)
            entry["items_max"] = max(s["items"] for s in rows)
        slowest = sorted(((seconds / len(rows), runs / len(rows), sql)
                          for sql, (runs, seconds) in statements[kind].items()), reverse=True)
        entry["statements"] = [{"ms_per_request": 1000 * t, "per_request": n, "sql": " ".join(sql.split())[:400]}
                               for t, n, sql in slowest[:12]]
        busiest = Counter(" ".join(sql.split())[:160] for sql in heaviest[kind][1])
        entry["busiest_request"] = {"queries": heaviest[kind][0],
                                    "statements": [{"runs": n, "sql": sql} for sql, n in busiest.most_common()]}
        entry["samples"] = [[round(s["ms"], 3), s["queries"], s["items"]] for s in rows]
        result["kinds"][kind] = entry
    all_ms = [s["ms"] for rows in samples.values() for s in rows]
    result["all"] = {"requests": len(all_ms), "p50_ms": percentile(all_ms, 0.5), "p95_ms": percentile(all_ms, 0.95),
                     "p99_ms": percentile(all_ms, 0.99), "mean_ms": statistics.fmean(all_ms),
                     "queries_mean": statistics.fmean(s["queries"] for rows in samples.values() for s in rows)}

    # -- checks --
    with app.app_context():
        requests_total = sum(len(unit) for unit in units)
        stop_numbers = {r.sender for unit in units for r in unit if r.kind.startswith("stop_")}
        from accompany.crypto import phone_index

        optouts = {o.phone_hash: o.active for o in db.session.scalars(select(OptOut))}
        call_ids = [u[0].note["call_id"] for u in units if u[0].kind == "urgent_yes"]
        answers = Counter(a for a in db.session.scalars(
            select(UrgentAsk.answer).where(UrgentAsk.call_id.in_(call_ids), UrgentAsk.answer.is_not(None))))
        checks = {
            "failures": len(failures), "failure_samples": failures[:5],
            "inbound_rows_added": db.session.scalar(select(func.count()).select_from(InboundMessage))
            - result["rows"]["inbound_before"],
            "requests_posted": requests_total,
            "stop_numbers": len(stop_numbers),
            "stop_numbers_opted_back_in": sum(1 for p in stop_numbers if optouts.get(phone_index(p)) is False),
            "appointments_confirmed": db.session.scalar(select(func.count()).select_from(Appointment)
                                                        .where(Appointment.family_confirmed_at.is_not(None))),
            "rides_requested": db.session.scalar(select(func.count()).select_from(Appointment)
                                                 .where(Appointment.ride_requested_at.is_not(None))),
            "shifts_added": db.session.scalar(select(func.count()).select_from(Shift)) - counts["shifts"],
            "claims_added": db.session.scalar(select(func.count()).select_from(Claim)) - counts["claims"],
            "outbound_rows_added": db.session.scalar(select(func.count()).select_from(OutboundMessage))
            - result["rows"]["outbound_before"],
            "urgent_answers": dict(answers),
            "twiml_messages": {kind: dict(c) for kind, c in twiml.items()},
        }
        checks["ok"] = (checks["failures"] == 0 and checks["inbound_rows_added"] == requests_total
                        and checks["stop_numbers_opted_back_in"] == len(stop_numbers))
        result["checks"] = checks
        db.session.remove()
        db.engine.dispose()
    log(f"{result['dialect']} ×{scale:g}: {measured} requests in {wall:.1f} s = {measured / wall:.0f}/s, "
        f"p50 {result['all']['p50_ms']:.1f} ms; checks {'ok' if checks['ok'] else 'FAILED: ' + json.dumps(checks)}")
    return result


def fit(xs: list[int], ys: list[int]) -> dict | None:
    """Least squares y = a + b·x (queries against upcoming items), and how far off it is at worst."""
    if len(set(xs)) < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    a = my - b * mx
    return {"intercept": a, "slope": b, "worst_residual": max(abs(y - (a + b * x)) for x, y in zip(xs, ys, strict=True))}


# -- everything --------------------------------------------------------------------------------------


def main() -> int:
    started = time.monotonic()
    common.prepare_process()
    scales = [float(x) for x in os.environ.get("BENCH_INBOUND_SCALES", "0.1,1").split(",") if x.strip()]
    per_kind = int(os.environ.get("BENCH_INBOUND_REQUESTS", "150"))
    kinds = common.database_kinds("BENCH_INBOUND_DATABASES")
    report = common.new_report(log, packages=("twilio", "psycopg"),
                               settings={"scales": scales, "per_kind": per_kind, "databases": kinds})
    jobs = [(kind, f"inbound-{scale:g}".replace(".", "_"), ["--scale", str(scale), "--requests", str(per_kind)])
            for kind in kinds for scale in scales]
    with common.work_dir("accompany-inbound-") as workdir, common.Databases(workdir, report["machine"], log) as dbs:
        report["runs"] = common.run_children("bench.inbound", jobs, dbs)
    common.publish(report, started=started, stem="inbound-latest", render=render)
    ok = all(r["checks"]["ok"] for r in report["runs"])
    return common.exit_status(log, report, "inbound-latest", None if ok else "a check failed: see the Checks table")


# -- the report --------------------------------------------------------------------------------------

DATABASE_WORDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def network_words(run: dict) -> str:
    c = run["seed"]["counts"]
    return f"×{run['scale']:g}: {c['families']:,} families, {c['users']:,} accounts"


def database_words(database: str) -> str:
    return DATABASE_WORDS.get(database, database)


def render(report: dict) -> str:
    runs, cfg = report["runs"], report["settings"]
    largest = {}  # database → its run on the largest network
    for r in runs:
        if r["database"] not in largest or r["scale"] > largest[r["database"]]["scale"]:
            largest[r["database"]] = r
    lines = [
        "# Accompany inbound-text benchmark results",
        "",
        *run_and_machine(report, "bench/run-inbound", ("Flask", "SQLAlchemy", "Werkzeug", "twilio", "psycopg")),
        f"`POST /sms/inbound` through `app.test_client()` (in process, one request at a time, no HTTP server), "
        f"signed Twilio form payloads, up to {cfg['per_kind']} requests per kind per network after one warm-up "
        "request of each kind. Latency: wall time around `client.post`. Queries: statements per request from a "
        "`before_cursor_execute` listener (savepoints and PRAGMAs left out); SQL ms: time inside the driver's "
        "execute.",
    ]
    for database in dict.fromkeys(r["database"] for r in runs):
        lines += _table(database_words(database),
                        "| kind | network | requests | p50 ms | p95 ms | p99 ms | queries/request (min–max) "
                        "| + savepoint statements | SQL ms p50 |",
                        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
                        _latency_rows([r for r in runs if r["database"] == database]))
    lines += _table("Throughput, one request at a time",
                    "| database | network | requests | wall s | requests/s | CPU ms/request (this process) "
                    "| CPU ms/request (PostgreSQL server) | machine CPUs busy |",
                    "|---|---|---:|---:|---:|---:|---:|---:|",
                    _throughput_rows(runs))
    lines += _table("START: statements against what it plans again",
                    "| database | network | kind | upcoming mean (max) | queries ≈ | worst residual |",
                    "|---|---|---|---:|---|---:|",
                    _start_fit_rows(runs),
                    intro="Least-squares fit of queries per request against what the number had ahead just before "
                    "its START (scheduled appointments of a family that takes texts, claims of a volunteer), "
                    "counted by the harness between requests.")
    lines += _table("Where a request's time goes (largest network, means in ms)",
                    "| database | kind | mean | SQL | savepoints | `receive_text`, Python | commit | outside |",
                    "|---|---|---:|---:|---:|---:|---:|---:|",
                    _time_split_rows(largest),
                    intro="SQL: inside the driver's execute (the statements counted above); savepoints: the same "
                    "for SAVEPOINT and RELEASE; `receive_text`, Python: the rest of the service call (ORM, planning, "
                    "sealing, reading the words); commit: the webhook's `db.session.commit()`; outside: Flask, the "
                    "signature check, building the TwiML, the test client.")
    lines += _table("Slowest statement per kind (largest network)",
                    "| database | kind | ms/request | runs/request | statement (start) |",
                    "|---|---|---:|---:|---|",
                    _slowest_statement_rows(largest))
    lines += _table("Setup and checks",
                    "| database | network | seed s | outbound history | inbound history | urgent calls (ms per "
                    "start_call) | run s | answers 200 with the expected TwiML | free texts answered with the help "
                    "text (family, unknown) | inbound rows = requests | STOP numbers opted back in | confirmed / "
                    "rides / ride shifts added | urgent answers | ok |",
                    "|---|---|---:|---:|---:|---:|---:|---|---|---|---|---|---|---|",
                    _setup_and_checks_rows(runs))
    return "\n".join(lines) + "\n"


def _table(title: str, header: str, rule: str, rows: Iterable[str], *, intro: str = "") -> list[str]:
    """A section: its heading, its introduction (if any), and its table."""
    return ["", f"## {title}", "", *([intro, ""] if intro else []), header, rule, *rows]


def _latency_rows(runs: list[dict]) -> Iterator[str]:
    """Latency and queries per kind of text on each network of one database, then all kinds together."""
    for key, words, _ in KINDS:
        for r in runs:
            k = r["kinds"].get(key)
            if not k:
                continue
            spread = (f"{k['queries_mean']:.1f} ({k['queries_min']}–{k['queries_max']})"
                      if k["queries_min"] != k["queries_max"] else f"{k['queries_min']}")
            yield (f"| {words} | ×{r['scale']:g} | {k['requests']} | {ms(k['p50_ms'])} | "
                   f"{ms(k['p95_ms'])} | {ms(k['p99_ms'])} | {spread} | {k['savepoints_mean']:.1f} | "
                   f"{k['sql_ms_p50']:.2f} |")
    for r in runs:
        a = r["all"]
        yield (f"| **all kinds** | ×{r['scale']:g} | {a['requests']} | {ms(a['p50_ms'])} | "
               f"{ms(a['p95_ms'])} | {ms(a['p99_ms'])} | {a['queries_mean']:.1f} | — | — |")


def _throughput_rows(runs: list[dict]) -> Iterator[str]:
    for r in runs:
        t = r["throughput"]
        server = "—" if t["server_cpu_s"] is None else f"{1000 * t['server_cpu_s'] / t['requests']:.2f}"
        yield (f"| {database_words(r['database'])} | {network_words(r)} | {t['requests']:,} | "
               f"{t['wall_s']:.1f} | {t['per_second']:.0f} | {1000 * t['process_cpu_s'] / t['requests']:.2f} | "
               f"{server} | {percent(t['machine_busy'])} |")


def _start_fit_rows(runs: list[dict]) -> Iterator[str]:
    for r in runs:
        for key in ("start_family", "start_volunteer"):
            k = r["kinds"].get(key)
            if not k or not k.get("fit"):
                continue
            f = k["fit"]
            yield (f"| {database_words(r['database'])} | ×{r['scale']:g} | {key} | "
                   f"{k['items_mean']:.1f} ({k['items_max']}) | {f['intercept']:.1f} + {f['slope']:.2f} × upcoming | "
                   f"{f['worst_residual']:.1f} |")


def _largest_by_kind(largest: dict[str, dict]) -> Iterator[tuple[str, str, dict]]:
    """(database, kind, its figures) on each database's largest network, kinds in KINDS order."""
    for database, r in largest.items():
        for key, _, _ in KINDS:
            if r["kinds"].get(key):
                yield database, key, r["kinds"][key]


def _time_split_rows(largest: dict[str, dict]) -> Iterator[str]:
    for database, key, k in _largest_by_kind(largest):
        sp = k["split_ms"]
        yield (f"| {database_words(database)} | {key} | {k['mean_ms']:.1f} | {sp['sql']:.1f} | "
               f"{sp['savepoints']:.1f} | {sp['handler_python']:.1f} | {sp['commit']:.1f} | {sp['outside']:.1f} |")


def _slowest_statement_rows(largest: dict[str, dict]) -> Iterator[str]:
    for database, key, k in _largest_by_kind(largest):
        if not k["statements"]:
            continue
        s = k["statements"][0]
        sql = s["sql"][:110].replace("|", "\\|")
        yield (f"| {database_words(database)} | {key} | {s['ms_per_request']:.2f} | "
               f"{s['per_request']:.2f} | `{sql}` |")


def _setup_and_checks_rows(runs: list[dict]) -> Iterator[str]:
    for r in runs:
        c, h, u = r["checks"], r["history"], r["urgent"]

        def helped(kind, c=c):
            got = c["twiml_messages"].get(kind, {})
            return f"{got.get('1', 0)} of {sum(got.values())}"

        answers = ", ".join(f"{k}: {v}" for k, v in sorted(c["urgent_answers"].items()))
        yield (
            f"| {database_words(r['database'])} | ×{r['scale']:g} | {r['seed']['elapsed_s']:.1f} | "
            f"{h['outbound_messages']:,} | {h['inbound_messages']:,} | {u['calls']} ({u['start_call_ms_median']:.0f}) | "
            f"{r['elapsed_s']:.0f} | {'yes' if not c['failures'] else 'NO (' + str(c['failures']) + ')'} | "
            f"{helped('family_text')}, {helped('unknown_text')} | "
            f"{c['inbound_rows_added']:,} / {c['requests_posted']:,} | {c['stop_numbers_opted_back_in']} / "
            f"{c['stop_numbers']} | {c['appointments_confirmed']} / {c['rides_requested']} / {c['shifts_added']} | "
            f"{answers} | {'yes' if c['ok'] else 'NO'} |")


def child_main(argv) -> int:
    parser = argparse.ArgumentParser(description="One (database, size) inbound-text benchmark, JSON on stdout.")
    parser.add_argument("--database-url", required=True, help="an empty database (a SQLite file is replaced)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=150, help="requests per kind")
    args = parser.parse_args(argv)
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        if not os.environ.get(name):
            from bench.settings import new_keys

            os.environ.update({k: v for k, v in new_keys().items() if not os.environ.get(k)})
            break
    empty_database(args.database_url)
    result = run_one(args.database_url, scale=args.scale, per_kind=args.requests)
    json.dump(result, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]) if len(sys.argv) > 1 else main())
