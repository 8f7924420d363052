"""A realistic Boston-area demo network for an empty database (`flask --app wsgi seed-demo`).

Everything is fictional except the places: names, phones (555-01xx) and emails (example.org).
The same seed always builds the same network; a second run finds the demo admin and adds nothing.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from accompany.crypto import phone_index
from accompany.database import db
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
from accompany.services import planning
from accompany.services.accounts import (
    find_user_by_email,
    set_user_languages,
    set_user_phone,
)
from accompany.services.audit import record_event
from accompany.services.claims import requirement_problems
from accompany.services.passwords import hash_password

DEMO_PASSWORD = "accompany-demo"
CONSENT_GIVERS = ("the contact herself", "the contact himself", "her adult son", "his wife", "her sister")
EMAIL_DOMAIN = "demo.example.org"
SEED = 2203  # the JFK Building's ZIP code; any fixed number gives a stable network
TZ = ZoneInfo("America/New_York")

BOSTON_COURT, CHELMSFORD_COURT = "Boston Immigration Court", "Chelmsford Immigration Court"
BURLINGTON_ICE, PLYMOUTH_JAIL = "ICE ERO Burlington", "Plymouth County Correctional Facility"

# (name, kind, address, town, arrival notes)
LOCATIONS = (
    (BOSTON_COURT, LocationKind.IMMIGRATION_COURT,
     "JFK Federal Building, 15 New Sudbury St, Room 320, Boston, MA 02203", "Boston",
     "Airport-style security at the building entrance; the line is long before 8:30, so arrive "
     "45 minutes early. Bring photo ID. Court is in Room 320 (3rd floor). Phones silenced and "
     "put away in the courtroom, no food or drink. Government Center and Haymarket T are close."),
    (CHELMSFORD_COURT, LocationKind.IMMIGRATION_COURT,
     "150 Apollo Dr, Chelmsford, MA 01824", "Chelmsford",
     "Office park off Route 3 with a free lot. Almost no public transit: plan a ride. Security "
     "screening at the door; bring photo ID. Phones off and no food or drink in the courtroom."),
    (BURLINGTON_ICE, LocationKind.ICE_OFFICE,
     "1000 District Ave, Burlington, MA 01803", "Burlington",
     "ICE field office. A line forms outside before opening: arrive 30 minutes early. Bring photo "
     "ID and the check-in paper. Companions wait in the lobby or outside. Text the coordinator "
     "when the person goes in and again when they come out."),
    (PLYMOUTH_JAIL, LocationKind.DETENTION_CENTER,
     "26 Long Pond Rd, Plymouth, MA 02360", "Plymouth",
     "County jail that also holds people for ICE. Visits are booked ahead and visitors must be "
     "on the person's visitor list. Bring government photo ID. Phones, keys and bags stay in "
     "the car or a locker. Plain, modest clothes. Arrive 30 minutes early for processing."),
)

# (name, email, role label, role)
STAFF = (
    ("Maureen Walsh", f"admin@{EMAIL_DOMAIN}", "admin", Role.ADMIN),
    ("Grace Oduya", f"grace.oduya@{EMAIL_DOMAIN}", "coordinator", Role.COORDINATOR),
    ("Luis Ortega", f"luis.ortega@{EMAIL_DOMAIN}", "coordinator", Role.COORDINATOR),
)

# (name, home area, languages, has car, court-trained, obligor-eligible)
VOLUNTEERS = (
    ("Ana Lucía Ferreira", "Somerville", "en es pt", True, True, False),
    ("Daniel Cohen", "Jamaica Plain", "en es", True, True, True),
    ("Fabiola Joseph", "Mattapan", "en ht fr", True, True, False),
    ("Patrick O'Neill", "Dorchester", "en", True, False, True),
    ("Mariana Souza", "Framingham", "en pt", True, True, False),
    ("Hannah Goldberg", "Brookline", "en fr", False, True, True),
    ("José Tzoc", "Lynn", "en es quc", False, True, False),
    ("Rebecca Lin", "Cambridge", "en", False, True, False),
    ("Tom Brennan", "Quincy", "en", True, False, True),
    ("Claudia Restrepo", "East Boston", "en es", False, True, False),
    ("Jean-Robert Pierre", "Brockton", "en ht fr", True, False, False),
    ("Sarah Mitchell", "Arlington", "en es", True, True, False),
    ("Kwame Asante", "Malden", "en fr", True, True, False),
    ("Emily Nguyen", "Medford", "en", True, False, False),
    ("Rafael Castillo", "Chelsea", "en es", True, True, False),
    ("Margaret Doyle", "Milton", "en", True, True, True),
    ("Priya Raman", "Waltham", "en", False, False, False),
    ("Beatriz Lima", "Everett", "en pt es", False, True, False),
    ("David Rosen", "Newton", "en es", True, True, True),
    ("Nadège Alexis", "Randolph", "en ht", True, True, False),
    ("Chris Walker", "Roslindale", "en", True, False, False),
    ("Lucy Tran", "Lowell", "en", True, True, False),
    ("Gabriel Mendes", "Marlborough", "en pt", True, False, False),
    ("Ellen Sullivan", "Chelmsford", "en", True, True, True),
    ("Mohamed Diallo", "Worcester", "en fr", True, False, False),
    ("Isabel Vargas", "Revere", "en es", False, True, False),
    ("Jacob Stein", "Lexington", "en", True, True, False),
    ("Carmen Ruiz", "Allston", "en es", False, False, False),
    ("Stéphanie Moreau", "Somerville", "en fr", False, True, False),
    ("Bill Murphy", "Braintree", "en", True, False, True),
    ("Alejandra Pérez", "Lawrence", "en es", True, True, False),
    ("Nora Keane", "Plymouth", "en", True, True, False),
    ("Anne-Marie Louis", "Hyde Park", "en ht", False, False, False),
    ("Ben Okafor", "Watertown", "en", True, True, False),
    ("Julia Santos", "Framingham", "en pt", False, False, False),
    ("Michael Reyes", "Salem", "en es", True, False, False),
)
PENDING_VOLUNTEERS = (
    ("Olivia Grant", "Belmont", "en es", False, False, False),
    ("Tiago Alves", "Somerville", "en pt", True, False, False),
    ("Wideline Charles", "Dorchester", "en ht", False, False, False),
    ("Marcus Bell", "Melrose", "en", True, False, False),
)

# (name, language, town, wording, short note or "", appointment kinds in date order)
FAMILIES = (
    ("Rosa M.", "es", "Chelsea", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Carlos H.", "es", "East Boston", "discreet", "", (K.ICE_CHECK_IN,)),
    ("Luciana S.", "pt", "Framingham", "discreet", "Prefers a call before a text.", (K.INDIVIDUAL_HEARING,)),
    ("Wisly P.", "ht", "Brockton", "discreet", "", (K.DETENTION_VISIT, K.BOND_HEARING)),
    ("Juana T.", "quc", "Lynn", "discreet", "Her daughter Ana (Spanish, English) helps with calls.",
     (K.MASTER_CALENDAR, K.ICE_CHECK_IN)),
    ("Amadou K.", "fr", "Worcester", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Yesenia L.", "es", "Revere", "discreet", "Two small children come along: driver needs car seats.",
     (K.ICE_CHECK_IN,)),
    ("Grace O.", "en", "Lowell", "plain", "", (K.INDIVIDUAL_HEARING,)),
    ("Thiago F.", "pt", "Everett", "discreet", "", (K.ICE_CHECK_IN,)),
    ("Marie-Claude D.", "ht", "Mattapan", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Wilmer P.", "es", "Lynn", "discreet", "Works nights; call after 11 AM.",
     (K.DETENTION_VISIT, K.BOND_HEARING)),
    ("Lucía G.", "es", "Somerville", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Christelle M.", "fr", "Lowell", "discreet", "", (K.ICE_CHECK_IN,)),
    ("Tomás Q.", "quc", "Chelsea", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Rosângela A.", "pt", "Framingham", "discreet", "", (K.BOND_PAYMENT,)),
    ("Esteban V.", "es", "Worcester", "discreet", "", (K.INDIVIDUAL_HEARING, K.ICE_CHECK_IN)),
    ("Fabienne J.", "ht", "Brockton", "discreet", "Uses a walker: drop off at the door.", (K.ICE_CHECK_IN,)),
    ("María José R.", "es", "East Boston", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Samuel A.", "en", "Revere", "plain", "", (K.ICE_CHECK_IN,)),
    ("Jean-Pierre N.", "fr", "Lynn", "discreet", "", (K.DETENTION_VISIT, K.BOND_HEARING)),
    ("Marta C.", "es", "Everett", "discreet", "", (K.INDIVIDUAL_HEARING,)),
    ("Ana P.", "pt", "Somerville", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Kevin R.", "es", "Chelsea", "discreet", "", (K.ICE_CHECK_IN, K.MASTER_CALENDAR)),
    ("Dieula F.", "ht", "Brockton", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Gladys E.", "es", "Framingham", "discreet", "", (K.MASTER_CALENDAR,)),
)
FAMILY_AREA_CODES = {"Lynn": 781, "Lowell": 978, "Worcester": 508, "Framingham": 508, "Brockton": 508}
# Families further west and north are heard in Chelmsford; the rest in Boston.
CHELMSFORD_TOWNS = {"Lowell", "Worcester", "Framingham"}
CONSENT_METHODS = (
    "Verbal, in person at intake", "Verbal, by phone with a coordinator", "Replied YES to the welcome text"
)

FIXED_HOLIDAYS = {(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)}
# (month, weekday with Monday 0, which one; -1 the last): MLK, Presidents, Memorial, Labor,
# Columbus / Indigenous Peoples', Thanksgiving.
NTH_WEEKDAY_HOLIDAYS = ((1, 0, 3), (2, 0, 3), (5, 0, -1), (9, 0, 1), (10, 0, 2), (11, 3, 4))

# kind: (place, possible local start times, how long it usually takes)
SCHEDULE = {
    K.MASTER_CALENDAR: (None, (time(8, 30), time(9, 0), time(13, 0)), timedelta(hours=3)),
    K.INDIVIDUAL_HEARING: (None, (time(8, 30), time(13, 0)), timedelta(hours=4)),
    K.BOND_HEARING: (BOSTON_COURT, (time(9, 0), time(13, 30)), timedelta(hours=2)),
    K.ICE_CHECK_IN: (BURLINGTON_ICE, (time(9, 0), time(10, 0), time(11, 0)), timedelta(hours=2)),
    K.BOND_PAYMENT: (BURLINGTON_ICE, (time(10, 0),), timedelta(hours=2)),
    K.DETENTION_VISIT: (PLYMOUTH_JAIL, (time(10, 0), time(14, 0), time(18, 30)), timedelta(hours=1)),
}
COURT_KINDS = {K.MASTER_CALENDAR, K.INDIVIDUAL_HEARING, K.BOND_HEARING}
MEETING_POINTS = {
    BOSTON_COURT: "Outside the JFK Federal Building, Cambridge St entrance",
    CHELMSFORD_COURT: "Front doors of 150 Apollo Dr, by the parking lot",
    BURLINGTON_ICE: "Front entrance of 1000 District Ave",
    PLYMOUTH_JAIL: "Visitor lobby, Plymouth County Correctional Facility",
}
APPOINTMENT_NOTES = {
    K.BOND_PAYMENT: "The obligor brings photo ID and proof of address.",
    K.DETENTION_VISIT: "Booked with the facility by the coordinator; visitors give their full name ahead.",
}


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
    rng = random.Random(SEED)
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
        for family, row in zip(families, FAMILIES)
        for appointment in _appointments(family, row[5], locations, days, rng, coordinators, now=now)
    ]
    shifts = [shift for appointment in appointments for shift in _shifts(appointment, rng, now=now)]
    db.session.add_all([*families, *appointments])
    active = [volunteer for volunteer in volunteers if volunteer.status == UserStatus.ACTIVE]
    claims = _claim_some(shifts, active, rng, now=now)
    db.session.flush()
    # The texts these would have planned had they been entered through the app.
    for appointment in appointments:
        planning.plan_family_reminders(appointment, now=now)
    for claim in claims:
        planning.plan_volunteer_reminders(claim, now=now)
    db.session.flush()

    counts = {
        "locations": len(locations), "coordinators": len(coordinators), "volunteers": len(volunteers),
        "families": len(families), "appointments": len(appointments), "shifts": len(shifts),
    }
    record_event("demo.seeded", now=now, claims=len(claims), **counts)
    claimed = sum(1 for shift in shifts if shift.filled)
    summary = ", ".join(f"{n} {name}" for name, n in counts.items()) + f" ({claimed} claimed)"
    return DemoResult(created=True, summary=summary, logins=logins)


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
    return existing or Location(
        name=name, kind=kind, address=address, town=town, timezone=TZ.key, arrival_notes=notes
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
    for kind, day in zip(kinds, sorted(rng.sample(days, len(kinds)))):
        place, start_times, _ = SCHEDULE[kind]
        place = place or (CHELMSFORD_COURT if family.town in CHELMSFORD_TOWNS else BOSTON_COURT)
        starts_at = datetime.combine(day, rng.choice(start_times), tzinfo=TZ).astimezone(timezone.utc)
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
            and all(shift.ends_at <= s or shift.starts_at >= e for s, e in busy.get(volunteer.id, []))
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
