"""Families: recording, changing and closing the households the network accompanies.

Names, phones and notes are sealed at rest; a phone is matched by its blind index, never by
decrypting every row. Consent withdrawn or a family closed cancels whatever texts are pending.
Audit events carry ids and field names, never the values. Finding families and reading one
family's page are in `family_records`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from accompany.crypto import phone_index
from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    AppointmentStatus,
    Family,
    Language,
    User,
    Wording,
)
from accompany.services.errors import DomainError
from accompany.services.inputs import optional_phone, trimmed
from accompany.services.messaging.audience import family_may_be_texted
from accompany.services.messaging.family_texts import plan_family_reminders
from accompany.services.messaging.planning import cancel_family_messages
from accompany.services.privacy.audit import record_event

NAME_MAX, TOWN_MAX, CONSENT_TEXT_MAX, NOTES_MAX = 120, 80, 120, 4000


# -- errors --------------------------------------------------------------------------------------


class FamilyError(DomainError):
    """A family rule said no."""


class FamilyNameMissing(FamilyError):
    field = "name"
    message = N_("Enter the family's name (first name and initial is enough).")


class FamilyPhoneInvalid(FamilyError):
    field = "phone"


class PhoneInUse(FamilyError):
    field = "phone"

    def __init__(self, other: Family):
        super().__init__(N_("Another family (number %(number)s) already has this phone number. "
                            "Open that family instead of adding it twice."), number=other.id)
        self.other_id = other.id


class ConsentNeedsPhone(FamilyError):
    field = "phone"
    message = N_("Enter a phone number: SMS consent needs a number to text.")


class ConsentWhoMissing(FamilyError):
    field = "consent_given_by"
    message = N_("Say who gave consent (for example: herself, or her son).")


class ConsentHowMissing(FamilyError):
    field = "consent_method"
    message = N_("Say how consent was given (for example: verbally at intake, or by phone).")


class ConsentDateInFuture(FamilyError):
    field = "consent_on"
    message = N_("The consent date cannot be in the future.")


class FamilyAlreadyClosed(FamilyError):
    message = N_("This family is already closed.")


class FamilyNotClosed(FamilyError):
    message = N_("This family is open already.")


class FamilyHasUpcomingAppointments(FamilyError):
    def __init__(self, count: int):
        if count == 1:
            super().__init__(N_("This family still has 1 upcoming appointment. Cancel or close it first, so no "
                                "volunteer goes for nothing."))
        else:
            super().__init__(N_("This family still has %(count)s upcoming appointments. Cancel or close them "
                                "first, so no volunteer goes for nothing."), count=count)
        self.count = count


class FamilyPurged(FamilyError):
    message = N_("This family's record was anonymized and cannot be changed.")


# -- inputs --------------------------------------------------------------------------------------


@dataclass
class FamilyDetails:
    """What a coordinator records about a family. `phone` is as typed; it is normalized here."""

    name: str
    language: Language
    phone: str = ""
    town: str = ""
    notes: str = ""
    wording: Wording = Wording.DISCREET
    sms_consent: bool = False
    consent_given_by: str = ""
    consent_at: datetime | None = None  # aware; None with consent means "now"
    consent_method: str = ""
    legal_hold: bool = False  # while on, `flask purge` leaves the family alone (DESIGN §4)


# -- changing families -----------------------------------------------------------------------------

# The fields an edit can change, in the order the audit log lists them.
TRACKED_FIELDS = (
    "name", "phone", "language", "town", "notes", "wording",
    "sms_consent", "consent_given_by", "consent_at", "consent_method", "legal_hold",
)


def find_family_by_phone(e164: str) -> Family | None:
    """The (not anonymized) family with this normalized phone, found by its blind index."""
    return db.session.scalar(
        select(Family)
        .where(Family.phone_hash == phone_index(e164), Family.purged_at.is_(None))
        .order_by(Family.id)
        .limit(1)
    )


def _checked_values(details: FamilyDetails, *, family: Family | None, now: datetime) -> dict:
    """The column values `details` asks for, or the first rule it breaks."""
    name = trimmed(details.name, "name", NAME_MAX)
    if not name:
        raise FamilyNameMissing()
    e164 = optional_phone(details.phone, FamilyPhoneInvalid)
    if e164 is not None:
        other = find_family_by_phone(e164)
        if other is not None and (family is None or other.id != family.id):
            raise PhoneInUse(other)
    values = {
        "name": name,
        "phone": e164,
        "phone_hash": phone_index(e164) if e164 else None,
        "language": Language(details.language),
        "town": trimmed(details.town, "town", TOWN_MAX),
        "notes": trimmed(details.notes, "notes", NOTES_MAX) or None,
        "wording": Wording(details.wording),
        "sms_consent": bool(details.sms_consent),
        "consent_given_by": trimmed(details.consent_given_by, "consent_given_by", CONSENT_TEXT_MAX),
        "consent_method": trimmed(details.consent_method, "consent_method", CONSENT_TEXT_MAX),
        "consent_at": details.consent_at,
        "legal_hold": bool(details.legal_hold),
    }
    if values["sms_consent"]:
        if e164 is None:
            raise ConsentNeedsPhone()
        if not values["consent_given_by"]:
            raise ConsentWhoMissing()
        if not values["consent_method"]:
            raise ConsentHowMissing()
        if values["consent_at"] is None:
            values["consent_at"] = now
        elif values["consent_at"] > now:
            raise ConsentDateInFuture()
    else:
        # No consent, no record of one: a stale "who/how" would read as consent.
        values.update(consent_given_by="", consent_method="", consent_at=None)
    return values


def _upcoming(family: Family, now: datetime):
    return select(Appointment).where(
        Appointment.family_id == family.id,
        Appointment.status.in_([AppointmentStatus.SCHEDULED, AppointmentStatus.DRAFT]),
        Appointment.starts_at >= now,
    )


def _sync_messages(family: Family, *, was_textable: bool, now: datetime) -> tuple[int, int]:
    """Cancel pending texts if the family may no longer be texted; plan reminders if it now may.

    Returns (cancelled, planned).
    """
    if not family_may_be_texted(family):
        return cancel_family_messages(family), 0
    if was_textable:
        return 0, 0
    planned = 0
    scheduled = _upcoming(family, now).where(Appointment.status == AppointmentStatus.SCHEDULED)
    for appointment in db.session.scalars(scheduled):
        planned += len(plan_family_reminders(appointment, now=now))
    return 0, planned


def create_family(details: FamilyDetails, *, by: User, now: datetime) -> Family:
    """Record a new (open) family."""
    values = _checked_values(details, family=None, now=now)
    family = Family(**values, created_at=now, updated_at=now)
    db.session.add(family)
    db.session.flush()
    record_event("family.created", now=now, actor=by, subject=family, sms_consent=family.sms_consent)
    return family


def update_family(family: Family, details: FamilyDetails, *, by: User, now: datetime) -> list[str]:
    """Change a family's details; returns the names of the fields that changed.

    Consent withdrawn (or the phone removed) cancels the family's pending texts; consent given
    plans the reminders for its upcoming appointments.
    """
    if family.purged_at is not None:
        raise FamilyPurged()
    values = _checked_values(details, family=family, now=now)
    was_textable = family_may_be_texted(family)
    changed = [name for name in TRACKED_FIELDS if getattr(family, name) != values[name]]
    if not changed:
        return []
    for name, value in values.items():
        setattr(family, name, value)
    family.updated_at = now
    db.session.flush()
    cancelled, planned = _sync_messages(family, was_textable=was_textable, now=now)
    record_event(
        "family.updated", now=now, actor=by, subject=family, fields=changed,
        messages_cancelled=cancelled, messages_planned=planned,
    )
    db.session.flush()
    return changed


def close_family(family: Family, *, by: User, now: datetime) -> int:
    """Close a family that has nothing coming up; returns how many pending texts were cancelled."""
    if family.closed_at is not None:
        raise FamilyAlreadyClosed()
    upcoming = db.session.scalar(select(func.count()).select_from(_upcoming(family, now).subquery()))
    if upcoming:
        raise FamilyHasUpcomingAppointments(upcoming)
    family.closed_at = now
    family.updated_at = now
    cancelled = cancel_family_messages(family)
    record_event("family.closed", now=now, actor=by, subject=family, messages_cancelled=cancelled)
    db.session.flush()
    return cancelled


def reopen_family(family: Family, *, by: User, now: datetime) -> None:
    """Open a closed family again."""
    if family.purged_at is not None:
        raise FamilyPurged()
    if family.closed_at is None:
        raise FamilyNotClosed()
    family.closed_at = None
    family.updated_at = now
    db.session.flush()
    _, planned = _sync_messages(family, was_textable=False, now=now)
    record_event("family.reopened", now=now, actor=by, subject=family, messages_planned=planned)
    db.session.flush()


def record_family_view(family: Family, *, by: User, now: datetime, page: str = "family") -> None:
    """Note that `by` looked at this family's personal details."""
    record_event("family.viewed", now=now, actor=by, subject=family, page=page)

