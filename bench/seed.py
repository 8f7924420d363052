"""Seed a large accompaniment network, fast, into a fresh database for the benchmark.

The full size is about what a big network piles up in two years: 20,000 shifts on 10,000
appointments (a year past, a year ahead), 1,000 volunteers, 2,000 families, 8 places, claims on
a realistic share of the shifts, plus known accounts (bench/settings.py) for the load generator:
a coordinator, and a volunteer holding 40 shifts spread over both years. Coordinators and admins
are enrolled in two-step login (settings.TOTP_SECRET), as production requires; `--login-coordinators
N` adds coordinators up to N in all, after everyone else, so N load clients each log in as their own.

The schema is built by the real migrations (`flask db upgrade`). Rows go in with Core bulk
inserts through the models' column types, so family names, phones and notes are really sealed
with the configured Fernet key and times really pass through UTCDateTime. Everything is made in
memory first from a fixed random seed, then inserted table by table in batches.

    python -m bench.seed --database-url sqlite:////tmp/bench.sqlite [--scale 0.1]

Secrets come from the environment (SECRET_KEY, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pyotp

from bench import settings
from bench.common import insert_tables, remove_sqlite_files

FULL = {"appointments": 10_000, "shifts": 20_000, "volunteers": 1_000, "families": 2_000}
HEAVY_SHIFTS = 40  # the known volunteer's shifts, the same at every scale
DAYS_BACK = DAYS_AHEAD = 365

TOWNS = (
    "Chelsea", "East Boston", "Revere", "Lynn", "Everett", "Malden", "Somerville", "Framingham",
    "Brockton", "Lawrence", "Lowell", "Dorchester", "Mattapan", "Hyde Park", "Randolph", "Worcester",
    "Waltham", "Marlborough", "Salem", "Quincy", "Cambridge", "Allston", "Jamaica Plain", "Milford",
)
FIRST_NAMES = (
    "Rosa", "Carlos", "Luciana", "Wisly", "Juana", "María", "José", "Ana", "Marlène", "Jean",
    "Fabiola", "Samuel", "Yolanda", "Edgar", "Paola", "Thiago", "Gabriela", "Wilner", "Esther",
    "Miguel", "Lucía", "Darlin", "Rosaura", "Fatima", "Youssef", "Amina", "Kenia", "Josué",
    "Francisca", "Nadège", "Marco", "Ilda", "Ernesto", "Belkis", "Domingo", "Rebeca", "Alix",
)
MEETING_POINTS = (
    "Front steps of the building", "Lobby, by the security line", "Family's home", "Outside the T station",
    "Parking lot, near the entrance", "Coffee shop across the street", "",
)
# (name, kind, address, town): a mix of courts, ICE offices, a jail, USCIS and a clinic.
LOCATIONS = (
    ("Boston Immigration Court", "immigration_court", "15 New Sudbury St, Boston, MA 02203", "Boston"),
    ("Chelmsford Immigration Court", "immigration_court", "150 Apollo Dr, Chelmsford, MA 01824", "Chelmsford"),
    ("Hartford Immigration Court", "immigration_court", "450 Main St, Hartford, CT 06103", "Hartford"),
    ("ICE ERO Burlington", "ice_office", "1000 District Ave, Burlington, MA 01803", "Burlington"),
    ("ICE ERO Hartford", "ice_office", "135 High St, Hartford, CT 06103", "Hartford"),
    ("Plymouth County Correctional Facility", "detention_center", "26 Long Pond Rd, Plymouth, MA 02360", "Plymouth"),
    ("USCIS Lawrence Field Office", "uscis_office", "2 Mill St, Lawrence, MA 01840", "Lawrence"),
    ("Legal clinic, Chelsea", "other", "300 Broadway, Chelsea, MA 02150", "Chelsea"),
)
# Appointment kinds with their share and (primary role, optional extra roles).
KINDS = (
    ("master_calendar", 0.30, "companion", ("ride_there", "ride_home", "interpreter")),
    ("individual_hearing", 0.12, "companion", ("ride_there", "ride_home", "interpreter")),
    ("bond_hearing", 0.05, "companion", ("ride_there", "interpreter")),
    ("ice_check_in", 0.30, "companion", ("ride_there", "ride_home")),
    ("bond_payment", 0.05, "bond_help", ("ride_there",)),
    ("detention_visit", 0.10, "visit", ("ride_there", "interpreter")),
    ("uscis_appointment", 0.03, "companion", ("ride_there",)),
    ("other", 0.05, "companion", ("ride_there",)),
)
LOCATIONS_FOR_KIND = {
    "master_calendar": (0, 1, 2), "individual_hearing": (0, 1, 2), "bond_hearing": (0, 1, 2),
    "ice_check_in": (3, 4), "bond_payment": (3, 4), "detention_visit": (5,), "uscis_appointment": (6,),
    "other": (7,),
}
KIND_SHARES = tuple((kind, share) for kind, share, _, _ in KINDS)
ROLES_FOR_KIND = {kind: (primary, extras) for kind, _, primary, extras in KINDS}
FAMILY_LANGUAGES = (("es", 50), ("pt", 14), ("ht", 14), ("fr", 5), ("quc", 5), ("mam", 3), ("ar", 2), ("en", 7))
OUTCOMES = (("held", 80), ("rescheduled", 12), ("missed", 4), ("detained", 3), ("other", 1))


@dataclass
class Network:
    """Rows per table, as dicts keyed by model attribute, in insert order."""

    now: datetime
    tables: dict[str, list[dict]] = field(default_factory=dict)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _phone(n: int) -> str:
    # 555-01xx is the fictional range; spread the rest over area codes so numbers stay unique.
    area = ("617", "781", "508", "978", "857", "339")[n % 6]
    return f"+1{area}555{n // 6:04d}"


def build_network(scale: float, *, now: datetime, seed: int, password_hash: str, phone_index,
                  login_coordinators: int = 0) -> Network:
    """Every row of the network, made in memory (sealing happens in the column types on insert).

    One random generator is drawn from table by table, in this order, so a seed always gives the
    same network."""
    rng = random.Random(seed)
    sizes = {name: max(1, round(count * scale)) for name, count in FULL.items()}
    joined = now - timedelta(days=DAYS_BACK + 200)
    net = Network(now=now)
    net.tables["locations"] = _locations()
    people = _People(password_hash=password_hash, phone_index=phone_index, joined=joined)
    people.add_staff_and_known_volunteer()
    people.add_volunteers(rng, sizes["volunteers"] - 1)
    people.add_login_coordinators(login_coordinators)  # last: the other ids stay put
    net.tables["users"] = people.users
    net.tables["volunteer_languages"] = people.languages
    net.tables["families"] = _families(rng, sizes["families"], joined=joined, phone_index=phone_index)
    net.tables["appointments"] = _appointments(rng, sizes["appointments"], now=now,
                                               locations=net.tables["locations"], families=net.tables["families"])
    _close_quiet_families(net.tables["families"], net.tables["appointments"], now=now, joined=joined)
    roles = _roles_per_appointment(rng, net.tables["appointments"], sizes["shifts"])
    net.tables["shifts"] = _shifts(rng, net.tables["appointments"], net.tables["families"], roles)
    claims = _Claims(rng, people, net.tables["appointments"], now=now)
    claims.give_known_volunteer_shifts(net.tables["shifts"])
    claims.fill_shifts(net.tables["shifts"])
    net.tables["claims"] = claims.rows
    return net


# -- places -------------------------------------------------------------------------------------------


def _locations() -> list[dict]:
    return [
        {
            "id": i, "name": name, "kind": kind, "address": address, "town": town,
            "timezone": "America/New_York", "active": True,
            "arrival_notes": "Arrive 30 minutes early for security. Bring photo ID.",
        }
        for i, (name, kind, address, town) in enumerate(LOCATIONS, start=1)
    ]


# -- people: staff, the known volunteer, then the network's volunteers ---------------------------------


class _People:
    """The accounts and the languages they speak, numbered in the order they are added."""

    def __init__(self, *, password_hash: str, phone_index, joined: datetime):
        self.password_hash = password_hash
        self.phone_index = phone_index
        self.joined = joined
        self.users: list[dict] = []
        self.languages: list[dict] = []
        self.known_volunteer_id = 0
        self.volunteer_ids: list[int] = []  # the network's active volunteers (not the known one)

    def add(self, email, name, role, status="active", *, car=False, trained=False, obligor=False, speaks=("en",),
            phone_n=None, area="") -> int:
        uid = len(self.users) + 1
        joined = self.joined
        phone = _phone(phone_n) if phone_n is not None else None
        staff = role in ("coordinator", "admin")  # enrolled as two_factor.confirm_enrollment leaves them
        self.users.append({
            "id": uid, "email": email, "name": name, "password_hash": self.password_hash, "role": role,
            "status": status, "session_version": 1, "created_at": joined,
            "approved_at": joined if status != "pending" else None, "approved_by_id": None,
            "last_login_at": None, "phone": phone, "phone_hash": self.phone_index(phone) if phone else None,
            "has_car": car, "court_training_on": (joined + timedelta(days=30)).date() if trained else None,
            "obligor_eligible": obligor, "obligor_attested_at": joined if obligor else None,
            "home_area": area, "sms_opt_in": phone is not None, "calendar_token": None,
            "totp_secret": settings.TOTP_SECRET if staff else None, "two_factor_enabled_at": joined if staff else None,
            "totp_last_step": pyotp.TOTP(settings.TOTP_SECRET).timecode(joined) if staff else None,
        })
        for code in speaks:
            self.languages.append({"id": len(self.languages) + 1, "user_id": uid, "language": code})
        return uid

    def add_staff_and_known_volunteer(self) -> None:
        self.add(f"admin@{settings.EMAIL_DOMAIN}", "Maureen Admin", "admin")
        self.add(settings.COORDINATOR_EMAIL, "Grace Coordinator", "coordinator")
        for n in range(4):
            self.add(f"coordinator{n + 2}@{settings.EMAIL_DOMAIN}", f"Coordinator {n + 2}", "coordinator")
        self.known_volunteer_id = self.add(settings.VOLUNTEER_EMAIL, "Ana Heavy-Volunteer", "volunteer", car=True,
                                           trained=True, obligor=True, speaks=("en", "es", "pt"), phone_n=1,
                                           area="Somerville")

    def add_volunteers(self, rng: random.Random, count: int) -> None:
        for n in range(count):
            speaks = _volunteer_languages(rng)
            status = _weighted(rng, (("active", 95), ("pending", 3), ("disabled", 2)))
            uid = self.add(
                f"volunteer{n + 1:04d}@{settings.EMAIL_DOMAIN}", f"{rng.choice(FIRST_NAMES)} Volunteer{n + 1}",
                "volunteer", status, car=rng.random() < 0.6, trained=rng.random() < 0.5, obligor=rng.random() < 0.15,
                speaks=sorted(speaks), phone_n=n + 10 if rng.random() < 0.8 else None, area=rng.choice(TOWNS),
            )
            if status == "active":
                self.volunteer_ids.append(uid)

    def add_login_coordinators(self, login_coordinators: int) -> None:
        """Coordinators up to `login_coordinators` in all, one per concurrent load client."""
        for email in settings.coordinator_emails(login_coordinators)[settings.SEEDED_COORDINATORS:]:
            self.add(email, f"Login Coordinator {email.split('@')[0][-2:]}", "coordinator")
        for email in settings.tapping_volunteer_emails(login_coordinators):  # the claim-and-release clients
            self.add(email, f"Tapping Volunteer {email.split('@')[0][-2:]}", "volunteer", car=True, trained=True,
                     obligor=True, speaks=("en", "es", "pt"))

    def speaks_by_user(self) -> dict[int, set[str]]:
        speaks: dict[int, set[str]] = {}
        for row in self.languages:
            speaks.setdefault(row["user_id"], set()).add(row["language"])
        return speaks


def _volunteer_languages(rng: random.Random) -> set[str]:
    speaks = {"en"} if rng.random() < 0.92 else set()
    for code, share in (("es", 0.40), ("pt", 0.10), ("ht", 0.08), ("fr", 0.10), ("quc", 0.01),
                        ("mam", 0.01), ("ar", 0.02)):
        if rng.random() < share:
            speaks.add(code)
    return speaks or {"es"}


# -- families ------------------------------------------------------------------------------------------


def _families(rng: random.Random, count: int, *, joined: datetime, phone_index) -> list[dict]:
    families = []
    for n in range(count):
        consent = rng.random() < 0.85
        families.append({
            "id": n + 1,
            "name": f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}.",
            "phone": _phone(100_000 + n), "phone_hash": phone_index(_phone(100_000 + n)),
            "notes": "Prefers a call before a text." if rng.random() < 0.3 else None,
            "language": _weighted(rng, FAMILY_LANGUAGES), "town": rng.choice(TOWNS), "timezone": "",
            "wording": "plain" if rng.random() < 0.1 else "discreet",
            "sms_consent": consent, "consent_given_by": "the contact herself" if consent else None,
            "consent_at": joined if consent else None, "consent_method": "in person" if consent else "",
            "created_at": joined, "updated_at": joined, "closed_at": None, "legal_hold": False, "purged_at": None,
        })
    return families


def _close_quiet_families(families: list[dict], appointments: list[dict], *, now: datetime,
                          joined: datetime) -> None:
    """Close every family whose last appointment is more than 90 days past (or who has none)."""
    last_appointment: dict[int, datetime] = {}
    for row in appointments:
        last_appointment[row["family_id"]] = row["starts_at"]
    for family in families:
        last = last_appointment.get(family["id"])
        if last is None or last < now - timedelta(days=90):
            family["closed_at"] = (last or joined) + timedelta(days=30)


# -- appointments, a year back and a year ahead, on weekdays in business hours --------------------------


def _appointments(rng: random.Random, count: int, *, now: datetime, locations: list[dict],
                  families: list[dict]) -> list[dict]:
    from accompany.timezones import from_local

    appointments = []
    taken: set[tuple[int, datetime]] = set()  # a family has one appointment at a time (a unique key)
    start_day = (now - timedelta(days=DAYS_BACK)).date()
    span = DAYS_BACK + DAYS_AHEAD
    for n in range(count):
        day = start_day + timedelta(days=rng.randrange(span))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        kind = _weighted(rng, KIND_SHARES)
        location = locations[rng.choice(LOCATIONS_FOR_KIND[kind])]  # indexes into LOCATIONS, from 0
        at = time(rng.choice((8, 9, 9, 10, 10, 11, 13, 14)), rng.choice((0, 0, 30)))
        starts_at = from_local(day, at, location["timezone"])
        family = rng.choice(families)
        while (family["id"], starts_at) in taken:
            family = rng.choice(families)
        taken.add((family["id"], starts_at))
        past = starts_at < now
        created = min(starts_at - timedelta(days=rng.randint(7, 120)), now - timedelta(hours=1))
        status = _appointment_status(rng, past=past)
        outcome = _weighted(rng, OUTCOMES) if status == "closed" else None
        closed_at = starts_at + timedelta(days=1) if status == "closed" else None
        appointments.append({
            "id": n + 1, "family_id": family["id"], "location_id": location["id"], "kind": kind,
            "starts_at": starts_at, "mode": "in_person", "judge": "",
            "interpreter_language": (family["language"] if family["language"] != "en" and kind.endswith("hearing")
                                     else None),
            "notes": "Bring the hearing notice." if rng.random() < 0.3 else None,
            "verified_on": (created + timedelta(days=2)).date() if past or rng.random() < 0.7 else None,
            "verified_by": "EOIR hotline", "status": status, "outcome": outcome, "outcome_notes": None,
            "closed_at": closed_at, "cancelled_at": created + timedelta(days=1) if status == "cancelled" else None,
            "alert_cleared_at": closed_at + timedelta(hours=2) if outcome == "detained" else None,
            "family_confirmed_at": None, "ride_requested_at": None, "previous_id": None, "created_by_id": 2,
            "created_at": created, "updated_at": created,
        })
    appointments.sort(key=lambda a: a["starts_at"])
    for n, row in enumerate(appointments, start=1):  # ids in time order, as a network would make them
        row["id"] = n
    # Coordinators have dealt with every detention but the latest two, at every size, so the
    # dashboard always has a "detained" list to show.
    for row in [a for a in appointments if a["outcome"] == "detained"][-2:]:
        row["alert_cleared_at"] = None
    return appointments


def _appointment_status(rng: random.Random, *, past: bool) -> str:
    if past:
        return _weighted(rng, (("closed", 93), ("cancelled", 7)))
    return _weighted(rng, (("scheduled", 96), ("cancelled", 3), ("draft", 1)))


# -- shifts: one primary role per appointment, the rest spread as extra roles ---------------------------


def _roles_per_appointment(rng: random.Random, appointments: list[dict], total_shifts: int) -> dict[int, list[str]]:
    """Appointment id → the roles it has a shift for: its primary role, then extra roles drawn at
    random until there are `total_shifts` in all (or drawing stops finding any)."""
    plan = {a["id"]: [ROLES_FOR_KIND[a["kind"]][0]] for a in appointments}
    extra = total_shifts - len(appointments)
    ids = [a["id"] for a in appointments]
    by_id = {a["id"]: a for a in appointments}
    attempts, give_up = 0, extra * 20
    while extra > 0 and attempts < give_up:
        attempts += 1
        appointment = by_id[rng.choice(ids)]
        options = [r for r in ROLES_FOR_KIND[appointment["kind"]][1] if r not in plan[appointment["id"]]]
        if options:
            plan[appointment["id"]].append(rng.choice(options))
            extra -= 1
    return plan


def _shift_window(role: str, t: datetime) -> tuple[datetime, datetime]:
    """When a shift of `role` starts and ends, for an appointment at `t`."""
    if role == "ride_there":
        return t - timedelta(minutes=90), t - timedelta(minutes=15)
    if role == "ride_home":
        return t + timedelta(minutes=150), t + timedelta(minutes=210)
    return t - timedelta(minutes=15), t + timedelta(minutes=150)


def _shifts(rng: random.Random, appointments: list[dict], families: list[dict],
            roles: dict[int, list[str]]) -> list[dict]:
    family_by_id = {f["id"]: f for f in families}
    shifts = []
    for appointment in appointments:
        language = family_by_id[appointment["family_id"]]["language"]
        for role in roles[appointment["id"]]:
            window = _shift_window(role, appointment["starts_at"])
            needs_language = role == "interpreter" or (role == "companion" and language != "en" and rng.random() < 0.3)
            shifts.append({
                "id": len(shifts) + 1, "appointment_id": appointment["id"], "role": role,
                "starts_at": window[0], "ends_at": window[1], "meeting_point": rng.choice(MEETING_POINTS),
                "slots": 2 if role in ("companion", "visit") and rng.random() < 0.35 else 1, "filled": 0,
                "requires_car": role in ("ride_there", "ride_home"),
                "language": (language if language != "en" else "es") if needs_language else None,
                "requires_training": (role in ("companion", "visit") and appointment["kind"] != "ice_check_in"
                                      and rng.random() < 0.5),
                "requires_obligor": role == "bond_help", "notes": "", "created_at": appointment["created_at"],
            })
    return shifts


# -- claims: the known volunteer's 40 first, then a realistic share of everything ----------------------


class _Claims:
    """Claims on the shifts, made in order; each fills a slot and keeps its volunteer busy that day."""

    def __init__(self, rng: random.Random, people: _People, appointments: list[dict], *, now: datetime):
        self.rng = rng
        self.now = now
        self.people = people
        self.profile = {u["id"]: u for u in people.users}
        self.speaks_by_user = people.speaks_by_user()
        self.appointments = appointments
        self.by_id = {a["id"]: a for a in appointments}
        self.rows: list[dict] = []
        self.busy_days: dict[int, set[date]] = {}

    def eligible(self, shift: dict, uid: int) -> bool:
        user = self.profile[uid]
        return not (
            (shift["requires_car"] and not user["has_car"])
            or (shift["requires_training"] and user["court_training_on"] is None)
            or (shift["requires_obligor"] and not user["obligor_eligible"])
            or (shift["language"] is not None and shift["language"] not in self.speaks_by_user[uid])
        )

    def free_on(self, uid: int, day: date) -> bool:
        return day not in self.busy_days.get(uid, set())

    def claim(self, shift: dict, uid: int) -> None:
        rng = self.rng
        appointment = self.by_id[shift["appointment_id"]]
        claimed_at = min(appointment["created_at"] + timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 12)),
                         shift["starts_at"] - timedelta(hours=1), self.now)
        reported = appointment["status"] == "closed" and rng.random() < 0.75
        hours = Decimal(rng.choice(("2.5", "3", "3.5", "4", "5"))) if reported else None
        self.rows.append({
            "id": len(self.rows) + 1, "shift_id": shift["id"], "volunteer_id": uid, "claimed_at": claimed_at,
            "report_outcome": appointment["outcome"] if reported else None, "report_hours": hours,
            "report_notes": "All went fine; next date to follow." if reported and rng.random() < 0.2 else None,
            "report_next_date": None, "reported_at": shift["ends_at"] + timedelta(hours=3) if reported else None,
        })
        shift["filled"] += 1
        self.busy_days.setdefault(uid, set()).add(shift["starts_at"].date())

    def give_known_volunteer_shifts(self, shifts: list[dict]) -> None:
        """HEAVY_SHIFTS claims for the known volunteer, evenly spread: from each of HEAVY_SHIFTS
        points in time, the first appointment with a shift they fit on a day they are free."""
        heavy_id = self.people.known_volunteer_id
        shifts_of: dict[int, list[dict]] = {}
        for shift in shifts:
            shifts_of.setdefault(shift["appointment_id"], []).append(shift)
        usable = [a for a in self.appointments if a["status"] in ("scheduled", "closed")]
        for k in range(HEAVY_SHIFTS):
            for appointment in usable[k * len(usable) // HEAVY_SHIFTS:]:
                options = [s for s in shifts_of[appointment["id"]] if self.eligible(s, heavy_id)]
                if options and self.free_on(heavy_id, appointment["starts_at"].date()):
                    self.claim(self.rng.choice(options), heavy_id)
                    break

    def fill_shifts(self, shifts: list[dict]) -> None:
        """Each free slot is taken with the shift's share (_claim_share), by a volunteer who fits
        the shift, holds none of its slots and is free that day (25 tries)."""
        for shift in shifts:
            share = _claim_share(self.by_id[shift["appointment_id"]], (shift["starts_at"] - self.now).days)
            for _ in range(shift["slots"] - shift["filled"]):
                if self.rng.random() < share:
                    self.take_slot(shift)

    def take_slot(self, shift: dict) -> None:
        holders = {c["volunteer_id"] for c in self.rows[-4:] if c["shift_id"] == shift["id"]}
        day = shift["starts_at"].date()
        for _ in range(25):
            uid = self.rng.choice(self.people.volunteer_ids)
            if uid not in holders and self.eligible(shift, uid) and self.free_on(uid, day):
                self.claim(shift, uid)
                return


def _claim_share(appointment: dict, days_ahead: int) -> float:
    """The chance that a slot of a shift `days_ahead` days away is claimed."""
    if days_ahead < 0:
        return 0.85 if appointment["status"] == "closed" else 0.4
    if appointment["status"] != "scheduled":
        return 0.1
    return 0.75 if days_ahead < 7 else 0.5 if days_ahead < 30 else 0.25 if days_ahead < 90 else 0.08


INSERT_ORDER = ("locations", "users", "volunteer_languages", "families", "appointments", "shifts", "claims")


def seed(database_url: str, *, scale: float = 1.0, seed: int = 2203, login_coordinators: int = 0) -> dict:
    """Build the schema with the migrations and insert a network of `scale` × the full size."""
    import flask_migrate
    from sqlalchemy import func, select, text

    from accompany import create_app
    from accompany.clock import utcnow
    from accompany.crypto import phone_index
    from accompany.database import db, refresh_statistics
    from accompany.models import (
        Appointment,
        Claim,
        Family,
        Location,
        Shift,
        User,
        VolunteerLanguage,
    )
    from accompany.services.people.passwords import hash_password

    models = {
        "locations": Location, "users": User, "volunteer_languages": VolunteerLanguage, "families": Family,
        "appointments": Appointment, "shifts": Shift, "claims": Claim,
    }
    timings = {}
    started = clock.perf_counter()
    app = create_app(settings.bench_config(database_url))
    with app.app_context():
        flask_migrate.upgrade()
        timings["migrate_s"] = clock.perf_counter() - started
        if db.session.scalar(select(func.count()).select_from(User)):
            raise SystemExit(f"bench.seed: {database_url} already has users; seed a fresh database")
        mark = clock.perf_counter()
        password_hash = hash_password(settings.PASSWORD)  # argon2 is slow on purpose: once, for every account
        now = utcnow().replace(second=0, microsecond=0)
        net = build_network(scale, now=now, seed=seed, password_hash=password_hash, phone_index=phone_index,
                            login_coordinators=login_coordinators)
        timings["build_s"] = clock.perf_counter() - mark
        mark = clock.perf_counter()
        insert_tables({name: models[name] for name in INSERT_ORDER}, net.tables)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # analyze as autovacuum would soon do on its own
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        else:  # as the scheduler's first tick (then daily) does: accompany.scheduler.Statistics
            refresh_statistics()
            db.session.commit()
        timings["insert_s"] = clock.perf_counter() - mark
        db.session.remove()
        db.engine.dispose()
    counts = {name: len(rows) for name, rows in net.tables.items()}
    heavy = next(u["id"] for u in net.tables["users"] if u["email"] == settings.VOLUNTEER_EMAIL)
    counts["known_volunteer_shifts"] = sum(1 for c in net.tables["claims"] if c["volunteer_id"] == heavy)
    counts["open_future_shifts"] = sum(
        1 for s in net.tables["shifts"] if s["starts_at"] > net.now and s["filled"] < s["slots"]
    )
    return {"scale": scale, "now": net.now.isoformat(), "counts": counts,
            "seconds": {k: round(v, 2) for k, v in timings.items()},
            "total_s": round(clock.perf_counter() - started, 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL of an empty database (default: a SQLite file)")
    parser.add_argument("--sqlite", type=Path, help="a fresh SQLite file to create (replaced if it exists)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full network (default 1)")
    parser.add_argument("--seed", type=int, default=2203)
    parser.add_argument("--login-coordinators", type=int, default=0,
                        help="coordinator accounts in all (one per concurrent load client; default: the five)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if bool(args.database_url) == bool(args.sqlite):
        parser.error("give exactly one of --database-url or --sqlite")
    url = args.database_url
    if args.sqlite:
        args.sqlite.parent.mkdir(parents=True, exist_ok=True)
        remove_sqlite_files(args.sqlite)
        url = f"sqlite:///{args.sqlite.resolve()}"
    summary = seed(url, scale=args.scale, seed=args.seed, login_coordinators=args.login_coordinators)
    summary["database_url"] = url
    if args.json:
        print(json.dumps(summary))
    else:
        c = summary["counts"]
        print(f"seeded {url} at scale {args.scale:g} in {summary['total_s']} s: {c['shifts']} shifts, "
              f"{c['appointments']} appointments, {c['claims']} claims, {c['families']} families, "
              f"{c['users']} accounts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
