"""Family records: finding families and reading one family's page.

Names are sealed at rest, so a name can only be matched after decrypting; the SQL narrows by
language, town and open/closed first. A phone is found by its blind index, never by decrypting
every row. Nothing here changes a family: recording, changing and closing are in `families`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accompany.crypto import phone_index
from accompany.database import db
from accompany.models import (
    Appointment,
    Claim,
    Family,
    InboundMessage,
    Language,
    OutboundMessage,
    Shift,
)
from accompany.phones import InvalidPhone, normalize_phone
from accompany.words import fold

# -- finding families ------------------------------------------------------------------------------

OPEN, CLOSED, ALL = "open", "closed", "all"


@dataclass
class FamilySearch:
    """A search of the family list: free text (a name or a full phone number) and filters."""

    text: str = ""
    language: Language | None = None
    town: str = ""
    status: str = OPEN  # OPEN, CLOSED or ALL
    sms_consent: bool | None = None  # None: either way


_PHONE_LIKE = re.compile(r"\+?[\d\s().\-]{7,40}")


def phone_in_query(text: str) -> str | None:
    """The E.164 number `text` spells, if it is a whole phone number and nothing else."""
    text = (text or "").strip()
    if not _PHONE_LIKE.fullmatch(text):
        return None
    try:
        return normalize_phone(text)
    except InvalidPhone:
        return None


def search_families(criteria: FamilySearch) -> list[Family]:
    """Families matching `criteria`: open ones first, then by name.

    Filters run in SQL. A full phone number is looked up by its blind index; any other text is
    matched against the decrypted names (case and accents ignored), since sealed names cannot
    be searched in SQL.
    """
    query = select(Family).where(Family.purged_at.is_(None))
    if criteria.language is not None:
        query = query.where(Family.language == Language(criteria.language))
    if criteria.town.strip():
        query = query.where(func.lower(Family.town) == criteria.town.strip().lower())
    if criteria.status == OPEN:
        query = query.where(Family.closed_at.is_(None))
    elif criteria.status == CLOSED:
        query = query.where(Family.closed_at.is_not(None))
    if criteria.sms_consent is not None:
        query = query.where(Family.sms_consent.is_(bool(criteria.sms_consent)))
    text = criteria.text.strip()
    e164 = phone_in_query(text)
    if e164 is not None:
        query = query.where(Family.phone_hash == phone_index(e164))
    families = list(db.session.scalars(query))
    if text and e164 is None:
        wanted = fold(text)
        families = [family for family in families if wanted in fold(family.name)]
    families.sort(key=lambda family: (not family.is_open, fold(family.name), family.id))
    return families


def family_towns() -> list[str]:
    """The towns families live in, once each however they were typed, for the list's filter."""
    towns = db.session.scalars(
        select(Family.town).where(Family.town != "", Family.purged_at.is_(None)).distinct()
    )
    spellings: dict[str, str] = {}
    for town in towns:
        town = town.strip()
        key = town.casefold()
        if town and (key not in spellings or town < spellings[key]):  # "Chelsea" over "chelsea"
            spellings[key] = town
    return sorted(spellings.values(), key=str.casefold)


# -- one family's page -----------------------------------------------------------------------------


def family_appointments(family: Family) -> list[Appointment]:
    """All the family's appointments, newest first, with location, shifts and who holds them."""
    return list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.family_id == family.id)
            .options(
                selectinload(Appointment.location),
                selectinload(Appointment.shifts)
                .selectinload(Shift.claims)
                .selectinload(Claim.volunteer),
            )
            .order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        )
    )


@dataclass
class MessageHistory:
    outbound: list[OutboundMessage]
    inbound: list[InboundMessage]


def family_messages(family: Family, *, limit: int = 100) -> MessageHistory:
    """The latest texts planned or sent to the family, and those it sent us."""
    outbound = db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.family_id == family.id)
        .order_by(OutboundMessage.not_before.desc(), OutboundMessage.id.desc())
        .limit(limit)
    )
    inbound = db.session.scalars(
        select(InboundMessage)
        .where(InboundMessage.family_id == family.id)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    )
    return MessageHistory(outbound=list(outbound), inbound=list(inbound))
