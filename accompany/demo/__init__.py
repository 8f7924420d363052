"""A realistic Boston-area demo network for an empty database (`flask --app wsgi seed-demo`).

Everything is fictional except the places: names, phones (555-01xx) and emails (example.org).
The same seed always builds the same network; a second run finds the demo admin and adds nothing.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from accompany.crypto import phone_index
from accompany.database import db
from accompany.demo.bonds import seed_bond_fund
from accompany.demo.data import (
    APPOINTMENT_NOTES,
    BOSTON_COURT,
    CHELMSFORD_COURT,
    CHELMSFORD_TOWNS,
    CONSENT_GIVERS,
    CONSENT_METHODS,
    COURT_KINDS,
    EMAIL_DOMAIN,
    FAMILIES,
    FAMILY_AREA_CODES,
    FAMILY_TEXTS,
    FIXED_HOLIDAYS,
    LOCATIONS,
    MEETING_POINTS,
    NTH_WEEKDAY_HOLIDAYS,
    PENDING_VOLUNTEERS,
    SCHEDULE,
    STAFF,
    VOLUNTEERS,
)
from accompany.demo.letters_referrals import seed_letters_and_referrals
from accompany.demo.needs import seed_needs
from accompany.models import (
    Appointment,
    Claim,
    Family,
    Language,
    Location,
    LocationKind,
    Role,
    Shift,
    ShiftRole,
    User,
    UserStatus,
    Wording,
)
from accompany.models import AppointmentKind as K
from accompany.phones import normalize_phone
from accompany.services.messaging import family_texts, volunteer_texts
from accompany.services.messaging.inbound import receive_text
from accompany.services.people.accounts import (
    find_user_by_email,
    set_user_languages,
    set_user_phone,
)
from accompany.services.people.passwords import hash_password
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.claims import requirement_problems

# The published password of the demo network only (bandit B105 is about real secrets).
DEMO_PASSWORD = "accompany-demo"  # nosec B105
SEED = 2203  # the JFK Building's ZIP code; any fixed number gives a stable network
TZ = ZoneInfo("America/New_York")


@dataclass
class DemoResult:
    created: bool
    summary: str = ""
    logins: list[tuple[str, str]] = field(default_factory=list)


def seed_demo(*, now: datetime) -> DemoResult:
    """Build the demo network, unless its admin is already here (then add nothing)."""
    logins = demo_logins()
    if find_user_by_email(STAFF[0][1]) is not None:
        return DemoResult(created=False, logins=logins)
    # A repeatable demo, not a secret (bandit B311 is about security uses of random).
    rng = random.Random(SEED)  # nosec B311
    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    locations = {row[0]: _location(*row) for row in LOCATIONS}
    staff = [_staff(row, n, password_hash, now=now) for n, row in enumerate(STAFF)]
    coordinators = staff[1:]
    volunteers = [
        _volunteer(row, 1 + n, password_hash, rng, approver=rng.choice(coordinators), now=now)
        for n, row in enumerate(VOLUNTEERS)
    ] + [
        _volunteer(row, 60 + n, password_hash, rng, approver=None, now=now)
        for n, row in enumerate(PENDING_VOLUNTEERS)
    ]
    db.session.add_all([*locations.values(), *staff, *volunteers])
    db.session.flush()

    families = [_family(row, 70 + n, rng, now=now) for n, row in enumerate(FAMILIES)]
    days = _weekdays_ahead(now, 30)
    appointments = [
        appointment
        for family, row in zip(families, FAMILIES, strict=False)
        for appointment in _appointments(family, row[5], locations, days, rng, coordinators, now=now)
    ]
    shifts = [shift for appointment in appointments for shift in _shifts(appointment, rng, now=now)]
    db.session.add_all([*families, *appointments])
    active = [volunteer for volunteer in volunteers if volunteer.status == UserStatus.ACTIVE]
    claims = _claim_some(shifts, active, rng, now=now)
    db.session.flush()
    # The texts these would have planned had they been entered through the app.
    for appointment in appointments:
        family_texts.plan_family_reminders(appointment, now=now)
    for claim in claims:
        volunteer_texts.plan_volunteer_reminders(claim, now=now)
    db.session.flush()
    _texts_back(families, active, now=now)
    counts = {
        "locations": len(locations), "coordinators": len(coordinators), "volunteers": len(volunteers),
        "families": len(families), "appointments": len(appointments), "shifts": len(shifts),
    }
    # Casework (issue 14): needs and tasks, the bond fund, letters of support and legal referrals.
    counts |= seed_needs(families, appointments, coordinators, active, now=now)
    counts |= seed_bond_fund(families, active, coordinators[0], locations, now=now)
    counts |= seed_letters_and_referrals(families, appointments, coordinators, active, now=now)
    record_event("demo.seeded", now=now, claims=len(claims), **counts)
    claimed = sum(1 for shift in shifts if shift.filled)
    summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items()) + f" ({claimed} claimed)"
    return DemoResult(created=True, summary=summary, logins=logins)


# Texts people sent back, so the inbox and the family replies have something to show.
REPLIES = (
    (0, "1"),
    (1, "2"),
    (2, "Hola, ¿me pueden llamar? Cambié de trabajo y no sé si puedo llegar temprano."),
)
VOLUNTEER_REPLY = "Running about 10 minutes late for the pickup, sorry!"


def _texts_back(families: list[Family], volunteers: list[User], *, now: datetime) -> None:
    for n, (index, body) in enumerate(REPLIES):
        receive_text(families[index].phone, body, provider_sid=None, now=now - timedelta(minutes=50 - 10 * n))
    texting = next(volunteer for volunteer in volunteers if volunteer.phone)
    receive_text(texting.phone, VOLUNTEER_REPLY, provider_sid=None, now=now - timedelta(minutes=5))


def demo_logins() -> list[tuple[str, str]]:
    """Who to log in as: the admin, both coordinators, two volunteers and a pending one."""
    staff = [(label, email) for _, email, label, _ in STAFF]
    volunteers = [("volunteer", _email(row[0])) for row in VOLUNTEERS[:2]]
    return staff + volunteers + [("pending", _email(PENDING_VOLUNTEERS[0][0]))]


def _email(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    parts = plain.replace("'", "").split()
    return f"{parts[0]}.{parts[-1]}@{EMAIL_DOMAIN}"


def _phone(area_code: int, n: int) -> str:
    """A number in 555-0100..0199, the block set aside for fiction."""
    return f"({area_code}) 555-01{n:02d}"


def _location(name: str, kind: LocationKind, address: str, town: str, notes: str) -> Location:
    # Location names are unique: reuse a place someone already entered by hand.
    existing = db.session.scalar(select(Location).where(Location.name == name))
    label, minutes, bring = FAMILY_TEXTS[name]
    return existing or Location(
        name=name, kind=kind, address=address, town=town, timezone=TZ.key, arrival_notes=notes,
        discreet_label=label, arrive_minutes_early=minutes, bring=bring,
    )


def _staff(row: tuple, n: int, password_hash: str, *, now: datetime) -> User:
    name, email, _, role = row
    joined = now - timedelta(days=400 + 30 * n)
    user = User(
        email=email, name=name, password_hash=password_hash, role=role, status=UserStatus.ACTIVE,
        created_at=joined, approved_at=joined, home_area="Boston", sms_opt_in=True,
    )
    set_user_phone(user, _phone(857, 1 + n))
    return user


def _volunteer(row: tuple, n: int, password_hash: str, rng: random.Random, *,
               approver: User | None, now: datetime) -> User:
    name, home_area, languages, has_car, trained, obligor = row
    pending = approver is None
    joined = now - timedelta(days=rng.randint(1, 6) if pending else rng.randint(60, 900))
    approved = None if pending else joined + timedelta(days=rng.randint(1, 4))
    trained_on = (joined + timedelta(days=rng.randint(7, 45))).astimezone(TZ).date() if trained else None
    user = User(
        email=_email(name), name=name, password_hash=password_hash, role=Role.VOLUNTEER,
        status=UserStatus.PENDING if pending else UserStatus.ACTIVE,
        created_at=joined, approved_at=approved, approved_by=approver,
        has_car=has_car, home_area=home_area, sms_opt_in=rng.random() < 0.85,
        court_training_on=trained_on,
        obligor_eligible=obligor, obligor_attested_at=approved if obligor else None,
    )
    set_user_phone(user, _phone(617, n))
    set_user_languages(user, languages.split())
    return user


def _family(row: tuple, n: int, rng: random.Random, *, now: datetime) -> Family:
    name, language, town, wording, notes, _ = row
    e164 = normalize_phone(_phone(FAMILY_AREA_CODES.get(town, 617), n))
    consent = rng.random() < 0.88
    return Family(
        name=name, phone=e164, phone_hash=phone_index(e164), notes=notes or None,
        language=Language(language), town=town, wording=Wording(wording),
        sms_consent=consent,
        consent_given_by=rng.choice(CONSENT_GIVERS) if consent else "",
        consent_at=now - timedelta(days=rng.randint(5, 180), hours=rng.randint(0, 8)) if consent else None,
        consent_method=rng.choice(CONSENT_METHODS) if consent else "",
        created_at=now, updated_at=now,
    )


def _weekdays_ahead(now: datetime, days: int) -> list[date]:
    """The working days from tomorrow to `days` days out, in Boston."""
    today = now.astimezone(TZ).date()
    ahead = (today + timedelta(days=d) for d in range(1, days + 1))
    return [day for day in ahead if day.weekday() < 5 and not _federal_holiday(day)]


def _federal_holiday(day: date) -> bool:
    """Courts and ICE offices close on federal holidays (weekend dates move to Friday or Monday)."""
    observed = {day, day + timedelta(days=1)} if day.weekday() == 4 else {day}
    if day.weekday() == 0:
        observed.add(day - timedelta(days=1))
    if any((d.month, d.day) in FIXED_HOLIDAYS for d in observed):
        return True
    nth = (day.day - 1) // 7 + 1
    last = (day + timedelta(days=7)).month != day.month
    return any(
        day.month == month and day.weekday() == weekday and (nth == n or (n == -1 and last))
        for month, weekday, n in NTH_WEEKDAY_HOLIDAYS
    )


def _appointments(family: Family, kinds: tuple, locations: dict[str, Location], days: list[date],
                  rng: random.Random, coordinators: list[User], *, now: datetime) -> list[Appointment]:
    """One appointment per kind, on different days in the order given (the visit before the bond hearing)."""
    appointments = []
    for kind, day in zip(kinds, sorted(rng.sample(days, len(kinds))), strict=False):
        place, start_times, _ = SCHEDULE[kind]
        place = place or (CHELMSFORD_COURT if family.town in CHELMSFORD_TOWNS else BOSTON_COURT)
        starts_at = datetime.combine(day, rng.choice(start_times), tzinfo=TZ).astimezone(UTC)
        coordinator = rng.choice(coordinators)
        verified = rng.random() < 0.6
        appointments.append(Appointment(
            family=family, location=locations[place], kind=kind, starts_at=starts_at,
            interpreter_language=(
                family.language if kind in COURT_KINDS and family.language != Language.ENGLISH else None
            ),
            notes=APPOINTMENT_NOTES.get(kind),
            verified_on=now.astimezone(TZ).date() - timedelta(days=rng.randint(0, 10)) if verified else None,
            verified_by=coordinator.name if verified else "",
            created_by_id=coordinator.id, created_at=now, updated_at=now,
        ))
    return appointments


def _shifts(appointment: Appointment, rng: random.Random, *, now: datetime) -> list[Shift]:
    """The roles this appointment needs, with windows around it."""
    kind, start, town = appointment.kind, appointment.starts_at, appointment.family.town
    length = SCHEDULE[kind][2]
    at_place = MEETING_POINTS[appointment.location.name]
    pickup = f"Family's home in {town}; the coordinator shares the address"
    language = appointment.family.language if appointment.family.language != Language.ENGLISH else None
    minutes = lambda m: timedelta(minutes=m)  # noqa: E731
    if kind == K.DETENTION_VISIT:
        plan = [(ShiftRole.VISIT, start - minutes(30), start + length, at_place, 2)]
    elif kind == K.BOND_PAYMENT:
        plan = [(ShiftRole.BOND_HELP, start - minutes(15), start + length, at_place, 1)]
    else:
        plan = [(ShiftRole.COMPANION, start - minutes(45), start + length, at_place,
                 rng.choice((1, 2)) if kind in COURT_KINDS else 1)]
        if rng.random() < 0.8:
            plan.insert(0, (ShiftRole.RIDE_THERE, start - minutes(105), start - minutes(30), pickup, 1))
        if language and rng.random() < 0.5:
            plan.append((ShiftRole.INTERPRETER, start - minutes(45), start + length, at_place, 1))
        if rng.random() < 0.6:
            plan.append((ShiftRole.RIDE_HOME, start + length, start + length + minutes(90), at_place, 1))
    return [
        Shift(
            appointment=appointment, role=role, starts_at=begins, ends_at=ends, meeting_point=point,
            slots=slots, filled=0,
            requires_car=role in (ShiftRole.RIDE_THERE, ShiftRole.RIDE_HOME),
            language=language if role in (ShiftRole.INTERPRETER, ShiftRole.VISIT) else None,
            requires_training=role == ShiftRole.COMPANION and kind in COURT_KINDS,
            requires_obligor=role == ShiftRole.BOND_HELP,
            created_at=now,
        )
        for role, begins, ends, point, slots in plan
    ]


def _claim_some(shifts: list[Shift], volunteers: list[User], rng: random.Random, *,
                now: datetime) -> list[Claim]:
    """Fill some slots, more of them soon than later, never double-booking anyone."""
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    featured = {email for _, email in demo_logins()}
    claims = []
    for shift in shifts:
        days_out = (shift.starts_at - now).days
        if rng.random() >= (0.75 if days_out < 7 else 0.45 if days_out < 14 else 0.2):
            continue
        free = [
            volunteer for volunteer in volunteers
            if not requirement_problems(shift, volunteer)
            and not any(shift.overlaps(s, e) for s, e in busy.get(volunteer.id, []))
        ]
        rng.shuffle(free)
        # The volunteers in the printed logins go first until they hold two shifts, so their
        # "My shifts" page has something on it.
        free.sort(key=lambda v: not (v.email in featured and len(busy.get(v.id, [])) < 2))
        for volunteer in free[: rng.randint(1, shift.slots)]:
            claims.append(Claim(shift=shift, volunteer=volunteer, claimed_at=now))
            shift.filled += 1
            busy.setdefault(volunteer.id, []).append((shift.starts_at, shift.ends_at))
    db.session.add_all(claims)
    return claims
