"""Locations: the courts, ICE offices and detention centers appointments happen at.

A location is never deleted (appointments point at it); it is deactivated so it is no longer
offered for new appointments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from accompany.database import db, save_unique
from accompany.marks import N_
from accompany.models import BringItem, Location, LocationKind, User
from accompany.services.errors import DomainError
from accompany.services.inputs import trimmed
from accompany.services.privacy.audit import record_event
from accompany.timezones import is_known_zone

# A place's name goes into texts (to staff, and to families set to plain wording), its discreet
# name into discreet family reminders, and a text has two segments at most: tests/test_texts.py
# renders every kind at these limits. (The town is no longer in any text; its limit stays.)
NAME_MAX, ADDRESS_MAX, TOWN_MAX, NOTES_MAX = 60, 255, 40, 4000
# What a discreet family reminder calls the place, and how early it asks them to be there.
LABEL_MAX, ARRIVE_EARLY_MAX, ARRIVE_EARLY_DEFAULT = 30, 180, 30


def fits_in_texts(location: Location) -> bool:
    """Whether texts can name `location`: within the limits every text is tested to fit at (a
    place saved before the limits were lowered may be longer)."""
    return len(location.name) <= NAME_MAX and len((location.town or "").strip()) <= TOWN_MAX


class LocationError(DomainError):
    """A location rule said no."""


class LocationNameMissing(LocationError):
    field = "name"
    message = N_("Enter the place's name.")


class LocationNameTaken(LocationError):
    field = "name"
    message = N_("There is already a place with this name. Choose another name, or edit that one.")


class LocationAddressMissing(LocationError):
    field = "address"
    message = N_("Enter the street address (it makes the map link).")


class ArriveMinutesOutOfRange(LocationError):
    field = "arrive_minutes_early"
    message = N_("Enter how many minutes early to arrive, from 0 to %(most)s.")

    def __init__(self) -> None:
        super().__init__(most=ARRIVE_EARLY_MAX)


class UnknownTimeZone(LocationError):
    field = "timezone"
    message = N_("Choose a time zone from the list, like America/New_York.")


@dataclass
class LocationDetails:
    """What a coordinator records about a place."""

    name: str
    kind: LocationKind
    address: str
    timezone: str
    town: str = ""
    arrival_notes: str = ""
    discreet_label: str = ""
    arrive_minutes_early: int = ARRIVE_EARLY_DEFAULT
    bring: tuple[str, ...] = ()


def _name_taken(name: str, *, other_than: Location | None) -> bool:
    query = select(Location.id).where(func.lower(Location.name) == name.lower())
    if other_than is not None:
        query = query.where(Location.id != other_than.id)
    return db.session.scalar(query.limit(1)) is not None


def _checked_values(details: LocationDetails, *, location: Location | None) -> dict:
    name = trimmed(details.name, "name", NAME_MAX)
    if not name:
        raise LocationNameMissing()
    if _name_taken(name, other_than=location):
        raise LocationNameTaken()
    address = trimmed(details.address, "address", ADDRESS_MAX)
    if not address:
        raise LocationAddressMissing()
    minutes = details.arrive_minutes_early
    if minutes is None or not 0 <= minutes <= ARRIVE_EARLY_MAX:
        raise ArriveMinutesOutOfRange()
    zone = (details.timezone or "").strip()
    if not zone or not is_known_zone(zone):
        raise UnknownTimeZone()
    return {
        "name": name,
        "kind": LocationKind(details.kind),
        "address": address,
        "town": trimmed(details.town, "town", TOWN_MAX),
        "timezone": zone,
        "arrival_notes": trimmed(details.arrival_notes, "arrival_notes", NOTES_MAX),
        "discreet_label": trimmed(details.discreet_label, "discreet_label", LABEL_MAX),
        "arrive_minutes_early": minutes,
        "bring": ",".join(item.value for item in BringItem if item.value in set(details.bring)),
    }


def create_location(details: LocationDetails, *, by: User, now: datetime) -> Location:
    """Add an (active) place."""
    location = Location(active=True)
    save_unique(location, _checked_values(details, location=None), is_new=True, taken=LocationNameTaken)
    record_event("location.created", now=now, actor=by, subject=location)
    return location


def update_location(location: Location, details: LocationDetails, *, by: User, now: datetime) -> list[str]:
    """Change a place's details; returns the names of the fields that changed."""
    values = _checked_values(details, location=location)
    changed = [name for name, value in values.items() if getattr(location, name) != value]
    if not changed:
        return []
    save_unique(location, values, is_new=False, taken=LocationNameTaken)
    record_event("location.updated", now=now, actor=by, subject=location, fields=changed)
    return changed


def set_location_active(location: Location, active: bool, *, by: User, now: datetime) -> bool:
    """Offer (or stop offering) a place for new appointments; True if anything changed."""
    if location.active == active:
        return False
    location.active = active
    record_event(
        "location.reactivated" if active else "location.deactivated", now=now, actor=by, subject=location
    )
    db.session.flush()
    return True


def list_locations(*, include_inactive: bool = True) -> list[Location]:
    """Places by name, active ones first."""
    query = select(Location).order_by(Location.active.desc(), func.lower(Location.name))
    if not include_inactive:
        query = query.where(Location.active.is_(True))
    return list(db.session.scalars(query))


def active_locations() -> list[Location]:
    """The places offered for new appointments."""
    return list_locations(include_inactive=False)


_ACTIVE_NAMES = (
    select(Location.id, Location.name)
    .where(Location.active.is_(True))
    .order_by(func.lower(Location.name))
)


def active_place_names() -> list[tuple[int, str]]:
    """(id, name) of the places offered, by name: what a filter lists, without loading the places."""
    return [(row.id, row.name) for row in db.session.execute(_ACTIVE_NAMES)]
