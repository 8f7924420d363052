"""The open-shift board: what volunteers may take, and nothing about who it is for (DESIGN §3).

Cards are built from columns, not from Family rows: no family is loaded (or decrypted) to show
the board, so no name or phone can reach it. Two queries whatever the size of the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from accompany.database import db
from accompany.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Claim,
    Family,
    Language,
    Location,
    LocationKind,
    Shift,
    ShiftRole,
    User,
)
from accompany.services.scheduling.claims import OVERLAPS, requirement_problems, requirements_met
from accompany.timezones import from_local

PAGE_SIZE = 40


@dataclass
class BoardFilters:
    roles: list[ShiftRole] = field(default_factory=list)
    first_day: date | None = None  # local dates, inclusive
    last_day: date | None = None
    location_id: int | None = None
    my_languages_only: bool = False
    show_all: bool = False  # also shifts the volunteer is not eligible for


@dataclass
class BoardCard:
    """One open shift as the board shows it. Deliberately holds no family data but a town."""

    shift_id: int
    role: ShiftRole
    starts_at: datetime
    ends_at: datetime
    timezone: str
    appointment_kind: AppointmentKind
    place: str
    town: str
    language: Language | None
    requirements: list[str]
    slots_left: int
    problems: list[str]

    @property
    def eligible(self) -> bool:
        return not self.problems


def requirement_words(shift: Shift) -> list[str]:
    words = []
    if shift.requires_car:
        words.append("car")
    if shift.language is not None:
        words.append(shift.language.label)
    if shift.requires_training:
        words.append("court training")
    if shift.requires_obligor:
        words.append("bond obligor")
    return words


def _place(location: Location, family_town: str, role: ShiftRole) -> tuple[str, str]:
    """(place, town): the court or office by name; for a ride there, the town it starts from."""
    if role == ShiftRole.RIDE_THERE and family_town:
        return f"From {family_town} to {location.name}", family_town
    if location.kind in (LocationKind.OTHER,):
        return location.town or location.name, location.town
    return location.name, location.town


def held_windows(volunteer: User, *, now: datetime) -> list[tuple[int, datetime, datetime]]:
    """(shift id, start, end) of the volunteer's shifts that have not ended."""
    return list(
        db.session.execute(
            select(Shift.id, Shift.starts_at, Shift.ends_at)
            .join(Claim, Claim.shift_id == Shift.id)
            .join(Appointment, Shift.appointment_id == Appointment.id)
            .where(Claim.volunteer_id == volunteer.id, Shift.ends_at > now,
                   Appointment.status == AppointmentStatus.SCHEDULED)
        ).all()
    )


def open_shifts(
    volunteer: User, filters: BoardFilters, *, now: datetime, tz_name: str, limit: int = PAGE_SIZE
) -> list[BoardCard]:
    """Upcoming shifts with a free slot, soonest first, eligible ones only unless `show_all`."""
    query = (
        select(Shift, Appointment.kind, Location, Family.town)
        .join(Appointment, Shift.appointment_id == Appointment.id)
        .join(Location, Appointment.location_id == Location.id)
        .join(Family, Appointment.family_id == Family.id)
        .where(Shift.is_claimable(now), ~Shift.claims.any(Claim.volunteer_id == volunteer.id))
        .order_by(Shift.starts_at, Shift.id)
    )
    speaks = [Language(code) for code in volunteer.language_codes]
    if filters.roles:
        query = query.where(Shift.role.in_(filters.roles))
    if filters.first_day:
        query = query.where(Shift.starts_at >= from_local(filters.first_day, time(0), tz_name))
    if filters.last_day:
        query = query.where(Shift.starts_at < from_local(filters.last_day + timedelta(days=1), time(0), tz_name))
    if filters.location_id:
        query = query.where(Appointment.location_id == filters.location_id)
    if filters.my_languages_only:
        query = query.where(Shift.language.in_(speaks) if speaks else Shift.language.is_(None))
    if not filters.show_all:
        # The requirements, in SQL, so the limit counts only shifts this volunteer can take.
        query = query.where(*requirements_met(Shift, volunteer))
    busy = held_windows(volunteer, now=now)
    cards = []
    # Overlaps are checked here, against the few shifts the volunteer holds; fetch a little
    # more than a page so that dropping overlapping ones still fills it.
    for shift, kind, location, town in db.session.execute(query.limit(limit + len(busy) * 3 + 5)):
        problems = requirement_problems(shift, volunteer)
        if any(shift.overlaps(start, end) for _, start, end in busy):
            problems.append(OVERLAPS)
        if problems and not filters.show_all:
            continue
        place, place_town = _place(location, town, shift.role)
        cards.append(BoardCard(
            shift_id=shift.id, role=shift.role, starts_at=shift.starts_at, ends_at=shift.ends_at,
            timezone=location.timezone, appointment_kind=kind, place=place, town=place_town,
            language=shift.language, requirements=requirement_words(shift),
            slots_left=shift.slots_left, problems=problems,
        ))
        if len(cards) == limit:
            break
    return cards
