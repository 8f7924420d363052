"""`flask seed-demo`: a believable Boston-area network on an empty database, safe to run twice."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from accompany.clock import utcnow
from accompany.crypto import phone_index
from accompany.demo import DEMO_PASSWORD, seed_demo
from accompany.models import (
    Appointment,
    AppointmentKind,
    AuditEvent,
    Claim,
    Family,
    InboundMessage,
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
from accompany.services.privacy.access import may_use_board
from tests.conftest import NOW, csrf_token

BOSTON = ZoneInfo("America/New_York")
COURT_HEARINGS = {
    AppointmentKind.MASTER_CALENDAR, AppointmentKind.INDIVIDUAL_HEARING, AppointmentKind.BOND_HEARING
}
LOGIN_LINE = re.compile(r"^\s+(\S+)\s+(\S+@\S+)\s*$", re.MULTILINE)
# Words that would mean the demo teaches people to collect what DESIGN §4 forbids.
FORBIDDEN_WORDS = ("status", "asylum", "undocumented", "visa", "a-number", "a#", "nationality", "case number")


def all_of(db, model) -> list:
    return list(db.session.scalars(select(model)))


def table_counts(db) -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def seeded(db):
    result = seed_demo(now=NOW)
    db.session.commit()
    return result


def test_seed_demo_command_builds_the_network_and_prints_the_logins(runner, db):
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "Demo network created: 4 locations, 2 coordinators" in result.output
    assert DEMO_PASSWORD in result.output
    logins = LOGIN_LINE.findall(result.output)
    assert [role for role, _ in logins] == [
        "admin", "coordinator", "coordinator", "volunteer", "volunteer", "pending"
    ]
    for role, email in logins:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, email
        expected = {
            "admin": (Role.ADMIN, UserStatus.ACTIVE),
            "coordinator": (Role.COORDINATOR, UserStatus.ACTIVE),
            "volunteer": (Role.VOLUNTEER, UserStatus.ACTIVE),
            "pending": (Role.VOLUNTEER, UserStatus.PENDING),
        }[role]
        assert (user.role, user.status) == expected


def test_seed_demo_command_twice_adds_nothing_the_second_time(runner, db):
    first = runner.invoke(args=["seed-demo"])
    counts = table_counts(db)

    second = runner.invoke(args=["seed-demo"])

    assert second.exit_code == 0, second.output
    assert "already here; nothing was added" in second.output
    assert LOGIN_LINE.findall(second.output) == LOGIN_LINE.findall(first.output)
    assert table_counts(db) == counts
    assert counts["users"] > 40 and counts["appointments"] > 20


def test_seed_demo_command_puts_every_appointment_in_the_coming_month(runner, db):
    before = utcnow()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    after = utcnow()

    appointments = all_of(db, Appointment)
    assert appointments
    assert all(before < a.starts_at <= after + timedelta(days=31) for a in appointments)


def test_demo_places_are_the_real_courts_ice_office_and_jail(app, db):
    seeded(db)

    places = {location.name: location for location in all_of(db, Location)}
    assert {(p.kind, p.address) for p in places.values()} == {
        (LocationKind.IMMIGRATION_COURT, "JFK Federal Building, 15 New Sudbury St, Room 320, Boston, MA 02203"),
        (LocationKind.IMMIGRATION_COURT, "150 Apollo Dr, Chelmsford, MA 01824"),
        (LocationKind.ICE_OFFICE, "1000 District Ave, Burlington, MA 01803"),
        (LocationKind.DETENTION_CENTER, "26 Long Pond Rd, Plymouth, MA 02360"),
    }
    assert {p.town for p in places.values()} == {"Boston", "Chelmsford", "Burlington", "Plymouth"}
    for place in places.values():
        assert place.timezone == "America/New_York"
        assert place.active
        assert "photo ID" in place.arrival_notes
        # A family's reminder: a street for a name (never the town), a time to be there, photo ID.
        assert place.discreet_label and place.town not in place.discreet_label
        assert place.arrive_minutes_early in (30, 45) and "photo_id" in place.bring


def test_demo_people_are_an_admin_two_coordinators_and_about_forty_volunteers(app, db):
    seeded(db)
    users = all_of(db, User)

    staff = [(u.role, u.status) for u in users if u.role != Role.VOLUNTEER]
    assert sorted(staff) == [
        (Role.ADMIN, UserStatus.ACTIVE), (Role.COORDINATOR, UserStatus.ACTIVE), (Role.COORDINATOR, UserStatus.ACTIVE)
    ]
    volunteers = [u for u in users if u.role == Role.VOLUNTEER]
    active = [v for v in volunteers if v.status == UserStatus.ACTIVE]
    assert 35 <= len(volunteers) <= 45
    assert 2 <= len(volunteers) - len(active) <= 6
    assert all(v.approved_by is not None and v.approved_at >= v.created_at for v in active)
    spoken = {code for v in active for code in v.language_codes}
    assert {"en", "es", "pt", "ht", "fr", "quc"} <= spoken
    assert 0 < sum(v.has_car for v in active) < len(active)
    assert 0 < sum(v.court_training_on is not None for v in active) < len(active)
    assert 0 < sum(v.obligor_eligible for v in active) < len(active)
    assert 0 < sum(v.sms_opt_in for v in volunteers) < len(volunteers)
    assert all(v.home_area for v in volunteers)
    phones = [u.phone for u in users]
    assert all(re.fullmatch(r"\+1\d{3}55501\d\d", phone) for phone in phones)
    assert len(set(phones)) == len(phones)
    assert all(u.phone_hash == phone_index(u.phone) for u in users)


def test_demo_families_speak_six_languages_and_carry_nothing_about_status(app, db):
    seeded(db)
    families = all_of(db, Family)

    assert 20 <= len(families) <= 30
    assert {f.language.value for f in families} >= {"es", "pt", "ht", "fr", "en", "quc"}
    assert all(re.fullmatch(r"\S+( \S+)? [A-Z]\.", f.name) for f in families)
    assert len({f.town for f in families}) >= 8
    assert all(re.fullmatch(r"\+1\d{3}55501\d\d", f.phone) for f in families)
    assert all(f.phone_hash == phone_index(f.phone) for f in families)
    consenting = [f for f in families if f.sms_consent]
    assert len(consenting) >= 0.75 * len(families)
    assert all(f.consent_given_by and f.consent_method and f.consent_at <= NOW for f in consenting)
    wordings = [f.wording for f in families]
    assert wordings.count(Wording.DISCREET) > len(families) // 2
    assert Wording.PLAIN in wordings
    assert any(f.notes for f in families)
    texts = [f.notes or "" for f in families] + [a.notes or "" for a in all_of(db, Appointment)]
    assert not [t for t in texts if any(word in t.lower() for word in FORBIDDEN_WORDS)]


def test_demo_appointments_fall_on_working_days_in_the_next_month_at_local_hours(app, db):
    seeded(db)
    appointments = all_of(db, Appointment)

    assert 25 <= len(appointments) <= 40
    assert {a.kind for a in appointments} >= COURT_HEARINGS | {
        AppointmentKind.ICE_CHECK_IN, AppointmentKind.BOND_PAYMENT, AppointmentKind.DETENTION_VISIT
    }
    for appointment in appointments:
        local = appointment.starts_at.astimezone(BOSTON)
        assert NOW < appointment.starts_at <= NOW + timedelta(days=31)
        assert local.weekday() < 5 and 8 <= local.hour < 19
        assert local.date().isoformat() != "2026-11-26"  # Thanksgiving: the courts are closed
        wanted = None
        if appointment.kind in COURT_HEARINGS and appointment.family.language != Language.ENGLISH:
            wanted = appointment.family.language
        assert appointment.interpreter_language == wanted
    verified = [a for a in appointments if a.verified_on is not None]
    assert 0 < len(verified) < len(appointments)
    assert all(a.verified_by and a.verified_on <= NOW.astimezone(BOSTON).date() for a in verified)


def test_demo_shifts_sit_around_their_appointment_with_the_right_requirements(app, db):
    seeded(db)

    for shift in all_of(db, Shift):
        appointment = shift.appointment
        assert appointment.starts_at - timedelta(hours=2) <= shift.starts_at < shift.ends_at
        assert shift.ends_at <= appointment.starts_at + timedelta(hours=6)
        assert 1 <= shift.slots <= 2 and shift.meeting_point
        assert shift.requires_car == (shift.role in (ShiftRole.RIDE_THERE, ShiftRole.RIDE_HOME))
        assert shift.requires_obligor == (shift.role == ShiftRole.BOND_HELP)
        if shift.role == ShiftRole.INTERPRETER:
            assert shift.language == appointment.family.language != Language.ENGLISH
        if shift.role == ShiftRole.COMPANION and appointment.kind in COURT_HEARINGS:
            assert shift.requires_training


def test_demo_claims_fill_some_slots_and_respect_every_rule(app, db):
    seeded(db)
    shifts = all_of(db, Shift)

    for shift in shifts:
        holders = [claim.volunteer for claim in shift.claims]
        assert shift.filled == len(holders) <= shift.slots
        assert len(set(holders)) == len(holders)
        for volunteer in holders:
            assert may_use_board(volunteer)
            assert volunteer.has_car or not shift.requires_car
            assert volunteer.court_training_on is not None or not shift.requires_training
            assert volunteer.obligor_eligible or not shift.requires_obligor
            assert shift.language is None or shift.language.value in volunteer.language_codes
    claimed = [shift for shift in shifts if shift.filled]
    assert 10 <= len(claimed) <= len(shifts) - 10


def test_no_demo_volunteer_holds_two_shifts_at_once(app, db):
    seeded(db)
    held: dict[int, list[Shift]] = {}
    for claim in all_of(db, Claim):
        held.setdefault(claim.volunteer_id, []).append(claim.shift)

    for shifts in held.values():
        shifts.sort(key=lambda s: s.starts_at)
        assert all(a.ends_at <= b.starts_at for a, b in zip(shifts, shifts[1:], strict=False))


def test_demo_logins_work_with_the_demo_password(app, db):
    result = seeded(db)

    for role, email in result.logins:
        client = app.test_client()
        response = client.post(
            "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 302, (role, email)
        home = client.get("/")
        assert home.status_code == 200
        assert 'name="password"' not in home.get_data(as_text=True)
        if role == "pending":
            assert "approval" in home.get_data(as_text=True)


def test_demo_volunteer_logins_have_shifts_to_show(app, db):
    result = seeded(db)

    for role, email in result.logins:
        user = db.session.scalar(select(User).where(User.email == email))
        holds = db.session.scalar(select(func.count()).select_from(Claim).where(Claim.volunteer_id == user.id))
        assert holds >= (1 if role == "volunteer" else 0), email


def test_demo_network_is_the_same_on_every_run(app, db):
    def snapshot():
        seed_demo(now=NOW)
        return sorted(
            (
                a.family.name, a.kind.value, a.starts_at, a.location.name,
                sorted((s.role.value, s.slots, s.filled, tuple(sorted(c.volunteer.email for c in s.claims)))
                       for s in a.shifts),
            )
            for a in all_of(db, Appointment)
        )

    first = snapshot()
    db.session.rollback()  # the service only flushed: this empties the database again
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    assert snapshot() == first


def test_seeding_records_one_audit_event(app, db):
    seed_demo(now=NOW)
    seed_demo(now=NOW + timedelta(minutes=1))

    events = [e for e in all_of(db, AuditEvent) if e.action == "demo.seeded"]
    assert len(events) == 1 and events[0].at == NOW


def test_demo_has_texts_sent_back_a_confirmation_a_ride_request_and_two_for_the_inbox(app, db):
    seeded(db)
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 4
    assert db.session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.family_confirmed_at.is_not(None))) == 1
    assert db.session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.ride_requested_at.is_not(None))) == 1
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(
        InboundMessage.handled_at.is_(None))) == 2
