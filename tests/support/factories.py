"""Test data builders: each makes only what a test asks for, flushed, ready to use."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from accompany.crypto import phone_index
from accompany.database import db
from accompany.models import (
    Appointment,
    AppointmentKind,
    Bond,
    BondSetBy,
    BondStatus,
    Claim,
    Family,
    Language,
    Location,
    LocationKind,
    Need,
    NeedKind,
    NeedStatus,
    Role,
    Shift,
    ShiftRole,
    Task,
    TaskTaker,
    User,
    UserStatus,
)
from accompany.phones import normalize_phone
from accompany.services.people.accounts import set_user_languages, set_user_phone
from accompany.services.people.passwords import hash_password


class Factory:
    PASSWORD = "correct horse battery"

    def __init__(self, now: datetime):
        self.now = now
        self._seq = itertools.count(1)
        self._password_hash: str | None = None

    def _n(self) -> int:
        return next(self._seq)

    def user(self, role: Role = Role.VOLUNTEER, status: UserStatus = UserStatus.ACTIVE, **fields) -> User:
        n = self._n()
        if self._password_hash is None:
            self._password_hash = hash_password(self.PASSWORD)
        languages = fields.pop("languages", [])
        phone = fields.pop("phone", "")
        user = User(
            email=fields.pop("email", f"person{n}@example.org"),
            name=fields.pop("name", f"Person{n} Example"),
            password_hash=self._password_hash,
            role=role,
            status=status,
            created_at=self.now,
            **fields,
        )
        set_user_phone(user, phone)
        set_user_languages(user, languages)
        db.session.add(user)
        db.session.flush()
        return user

    def volunteer(self, **fields) -> User:
        return self.user(Role.VOLUNTEER, **fields)

    def pending_volunteer(self, **fields) -> User:
        return self.user(Role.VOLUNTEER, UserStatus.PENDING, **fields)

    def coordinator(self, **fields) -> User:
        return self.user(Role.COORDINATOR, **fields)

    def admin(self, **fields) -> User:
        return self.user(Role.ADMIN, **fields)

    def family(self, name: str = "Maria G.", phone: str = "617-555-0142", **fields) -> Family:
        e164 = normalize_phone(phone) if phone else None
        family = Family(
            name=name,
            phone=e164,
            phone_hash=phone_index(e164) if e164 else None,
            notes=fields.pop("notes", None),
            language=fields.pop("language", Language.SPANISH),
            town=fields.pop("town", "Chelsea"),
            sms_consent=fields.pop("sms_consent", True),
            created_at=self.now,
            updated_at=self.now,
            **fields,
        )
        db.session.add(family)
        db.session.flush()
        return family

    def location(self, **fields) -> Location:
        n = self._n()
        location = Location(
            name=fields.pop("name", f"Immigration Court {n}"),
            kind=fields.pop("kind", LocationKind.IMMIGRATION_COURT),
            address=fields.pop("address", "15 New Sudbury St, Boston, MA 02203"),
            town=fields.pop("town", "Boston"),
            timezone=fields.pop("timezone", "America/New_York"),
            **fields,
        )
        db.session.add(location)
        db.session.flush()
        return location

    def appointment(self, family: Family | None = None, location: Location | None = None, **fields) -> Appointment:
        appointment = Appointment(
            family=family or self.family(),
            location=location or self.location(),
            kind=fields.pop("kind", AppointmentKind.MASTER_CALENDAR),
            starts_at=fields.pop("starts_at", self.now + timedelta(days=3)),
            created_at=self.now,
            updated_at=self.now,
            **fields,
        )
        db.session.add(appointment)
        db.session.flush()
        return appointment

    def shift(self, appointment: Appointment | None = None, **fields) -> Shift:
        appointment = appointment or self.appointment()
        starts_at = fields.pop("starts_at", appointment.starts_at - timedelta(minutes=30))
        shift = Shift(
            appointment=appointment,
            role=fields.pop("role", ShiftRole.COMPANION),
            starts_at=starts_at,
            ends_at=fields.pop("ends_at", starts_at + timedelta(hours=3)),
            slots=fields.pop("slots", 1),
            created_at=self.now,
            **fields,
        )
        db.session.add(shift)
        db.session.flush()
        return shift

    def claim(self, shift: Shift, volunteer: User) -> Claim:
        claim = Claim(shift=shift, volunteer=volunteer, claimed_at=self.now)
        shift.filled += 1
        db.session.add(claim)
        db.session.flush()
        return claim

    # -- casework (issue 14) -------------------------------------------------------------------

    def need(self, family: Family | None = None, **fields) -> Need:
        need = Need(
            family=family or self.family(),
            kind=fields.pop("kind", NeedKind.HOUSING),
            status=fields.pop("status", NeedStatus.OPEN),
            due_on=fields.pop("due_on", (self.now + timedelta(days=5)).date()),
            created_at=self.now,
            updated_at=self.now,
            **fields,
        )
        db.session.add(need)
        db.session.flush()
        return need

    def task(self, need: Need | None = None, **fields) -> Task:
        task = Task(
            need=need or self.need(),
            title=fields.pop("title", "Call shelters in Chelsea"),
            due_on=fields.pop("due_on", (self.now + timedelta(days=4)).date()),
            wanted=fields.pop("wanted", 1),
            taken=0,
            created_at=self.now,
            **fields,
        )
        db.session.add(task)
        db.session.flush()
        return task

    def task_taker(self, task: Task, volunteer: User, **fields) -> TaskTaker:
        taker = TaskTaker(task=task, volunteer=volunteer, taken_at=self.now, **fields)
        task.taken += 1
        db.session.add(taker)
        db.session.flush()
        return taker

    # -- casework: the bond fund ---------------------------------------------------------------------

    def bond(self, family: Family | None = None, **fields) -> Bond:
        """A bond as the pages would leave it (no history rows: the services write those)."""
        status = fields.pop("status", BondStatus.REQUESTED)
        bond = Bond(
            family=family or self.family(),
            amount_cents=fields.pop("amount_cents", 750_000),
            set_by=fields.pop("set_by", BondSetBy.IMMIGRATION_JUDGE),
            set_on=fields.pop("set_on", self.now.date() - timedelta(days=2)),
            facility_other=fields.pop("facility_other", "Plymouth County Correctional Facility"),
            status=status,
            status_on=fields.pop("status_on", self.now.date() - timedelta(days=2)),
            created_at=self.now,
            updated_at=self.now,
            **fields,
        )
        db.session.add(bond)
        db.session.flush()
        return bond

    def obligor(self, **fields) -> User:
        """A volunteer who attested that they can be a bond obligor."""
        return self.volunteer(obligor_eligible=True, obligor_attested_at=self.now - timedelta(days=30), **fields)
