"""The open-shift board: what volunteers may take, and nothing about who it is for (DESIGN §3).

Cards are built from columns, not from Family rows: no family is loaded (or decrypted) to show
the board, so no name or phone can reach it. One query whatever the size of the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import bindparam, false, select

from accompany.database import db
from accompany.marks import N_
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
from accompany.phrases import Phrase
from accompany.services.scheduling.claims import (
    OVERLAPS,
    requirement_params,
    requirement_problems,
    requirements_met,
)
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


# What a shift needs, in words a page shows in its language (`presentation.in_words`); a language
# needed is the Language itself.
CAR, COURT_TRAINING, BOND_OBLIGOR = Phrase(N_("car")), Phrase(N_("court training")), Phrase(N_("bond obligor"))


def requirement_words(shift) -> list[str]:
    """What `shift` (or a row with its requirement columns) needs, in words."""
    words = []
    if shift.requires_car:
        words.append(CAR)
    if shift.language is not None:
        words.append(shift.language)
    if shift.requires_training:
        words.append(COURT_TRAINING)
    if shift.requires_obligor:
        words.append(BOND_OBLIGOR)
    return words


def _place(row) -> tuple[str, str]:
    """(place, town): the court or office by name; for a ride there, the town it starts from."""
    if row.role == ShiftRole.RIDE_THERE and row.family_town:
        return Phrase(N_("From %(town)s to %(place)s"), town=row.family_town, place=row.place_name), row.family_town
    if row.place_kind == LocationKind.OTHER:
        return row.place_town or row.place_name, row.place_town
    return row.place_name, row.place_town


def _overlaps_a_held_shift():
    """Whether the volunteer (`:volunteer_id`) holds another shift of a scheduled appointment, not
    yet ended, sharing a moment with the candidate shift. Their held shifts are listed once (a
    materialized CTE, a handful of rows) and each candidate compared with that list, instead of
    looking the volunteer's claims up again for every candidate."""
    held = (
        select(Shift.starts_at, Shift.ends_at)
        .join(Claim, Claim.shift_id == Shift.id)
        .join(Appointment, Shift.appointment_id == Appointment.id)
        .where(Claim.volunteer_id == bindparam("volunteer_id"), Shift.ends_at > bindparam("now"),
               Appointment.status == AppointmentStatus.SCHEDULED)
        .cte("held").prefix_with("MATERIALIZED")
    )
    return (
        select(held.c.starts_at)
        .where(held.c.starts_at < Shift.ends_at, held.c.ends_at > Shift.starts_at)
        .exists()
    )


@cache
def _board_query(roles: bool, first_day: bool, last_day: bool, location: bool, mine: bool, show_all: bool):
    """The board's one query for a combination of filters, built once: SQLAlchemy then reuses its
    compiled SQL without rebuilding the statement (a third of a millisecond) on every request.
    Everything about the volunteer and the filters' values are parameters."""
    overlaps = _overlaps_a_held_shift()
    query = (
        select(Shift.id, Shift.role, Shift.starts_at, Shift.ends_at, Shift.slots_left.label("slots_left"),
               Shift.requires_car, Shift.language, Shift.requires_training, Shift.requires_obligor,
               Appointment.kind.label("appointment_kind"), Location.name.label("place_name"),
               Location.kind.label("place_kind"), Location.town.label("place_town"), Location.timezone,
               Family.town.label("family_town"),
               # With every shift shown, whether it overlaps; otherwise those are left out below.
               (overlaps if show_all else false()).label("overlaps"))
        .join(Appointment, Shift.appointment_id == Appointment.id)
        .join(Location, Appointment.location_id == Location.id)
        .join(Family, Appointment.family_id == Family.id)
        .where(Shift.is_claimable(bindparam("now")),
               ~Shift.claims.any(Claim.volunteer_id == bindparam("volunteer_id")))
        .order_by(Shift.starts_at, Shift.id)
        .limit(bindparam("limit"))
    )
    if roles:
        query = query.where(Shift.role.in_(bindparam("roles", expanding=True)))
    if first_day:
        query = query.where(Shift.starts_at >= bindparam("from"))
    if last_day:
        query = query.where(Shift.starts_at < bindparam("until"))
    if location:
        query = query.where(Appointment.location_id == bindparam("location_id"))
    if mine:
        query = query.where(Shift.language.in_(bindparam("mine", expanding=True)))
    if not show_all:
        # The requirements and overlaps, in SQL, so the limit counts only shifts this volunteer can take.
        query = query.where(*requirements_met(Shift), ~overlaps)
    return query


def open_shifts(
    volunteer: User, filters: BoardFilters, *, now: datetime, tz_name: str, limit: int = PAGE_SIZE
) -> list[BoardCard]:
    """Upcoming shifts with a free slot, soonest first, eligible ones only unless `show_all`."""
    params = {"now": now, "volunteer_id": volunteer.id, "limit": limit, **requirement_params(volunteer)}
    if filters.roles:
        params["roles"] = filters.roles
    if filters.first_day:
        params["from"] = from_local(filters.first_day, time(0), tz_name)
    if filters.last_day:
        params["until"] = from_local(filters.last_day + timedelta(days=1), time(0), tz_name)
    if filters.location_id:
        params["location_id"] = filters.location_id
    if filters.my_languages_only:
        params["mine"] = params["speaks"]
    query = _board_query(bool(filters.roles), bool(filters.first_day), bool(filters.last_day),
                         bool(filters.location_id), filters.my_languages_only, filters.show_all)
    cards = []
    for row in db.session.execute(query, params):
        problems = requirement_problems(row, volunteer)
        if row.overlaps:
            problems.append(OVERLAPS)
        place, town = _place(row)
        cards.append(BoardCard(
            shift_id=row.id, role=row.role, starts_at=row.starts_at, ends_at=row.ends_at,
            timezone=row.timezone, appointment_kind=row.appointment_kind, place=place, town=town,
            language=row.language, requirements=requirement_words(row),
            slots_left=row.slots_left, problems=problems,
        ))
    return cards
