"""Legal referrals (issue 14, point 5): the directory of legal providers, and each family's
referrals to them, with a follow-up date the dashboard watches.

A provider not taking cases is not offered for a new referral, and this service refuses it even
if a stale form names it. A referral's notes are about the family: sealed, and purged with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Date, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from accompany.database import db, save_unique
from accompany.marks import N_
from accompany.models import Family, Language, LegalProvider, LegalReferral, LegalService, ReferralStatus, User
from accompany.models.legal import AWAITING
from accompany.services.errors import DomainError
from accompany.services.inputs import trimmed
from accompany.services.messaging.audience import org_today
from accompany.services.privacy.audit import record_event

NAME_MAX, PHONE_MAX, EMAIL_MAX, WEBSITE_MAX, NOTES_MAX = 120, 40, 254, 255, 4000


# -- errors ----------------------------------------------------------------------------------------


class ReferralError(DomainError):
    """A legal-referral rule said no."""


class ProviderNameMissing(ReferralError):
    field = "name"
    message = N_("Enter the provider's name.")


class ProviderNameTaken(ReferralError):
    field = "name"
    message = N_("There is already a provider with this name. Edit that one, or choose another name.")


class ProviderNotTakingCases(ReferralError):
    field = "provider_id"
    message = N_("This provider is not taking cases now. Choose another one.")


class ProviderInvalid(ReferralError):
    field = "provider_id"
    message = N_("Choose a provider from the list.")


class SentDateInvalid(ReferralError):
    field = "sent_on"
    message = N_("Enter the day the referral was sent: today or earlier.")


class FollowUpInvalid(ReferralError):
    field = "follow_up_on"
    message = N_("Choose a follow-up day on or after the day the referral was sent.")


class FamilyNotOpen(ReferralError):
    whole_request = True
    message = N_("This family is closed or its record was purged: no new referral can be recorded.")


# -- providers -------------------------------------------------------------------------------------


@dataclass
class ProviderDetails:
    name: str
    languages: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    taking_cases: bool = True
    phone: str = ""
    email: str = ""
    website: str = ""


def list_providers() -> list[LegalProvider]:
    """Every provider, those taking cases first, by name."""
    return list(db.session.scalars(
        select(LegalProvider).order_by(LegalProvider.taking_cases.desc(), func.lower(LegalProvider.name))
    ))


def providers_taking_cases() -> list[LegalProvider]:
    return [provider for provider in list_providers() if provider.taking_cases]


def _provider_values(details: ProviderDetails, *, provider: LegalProvider | None) -> dict:
    name = trimmed(details.name, "name", NAME_MAX)
    if not name:
        raise ProviderNameMissing()
    taken = select(LegalProvider.id).where(func.lower(LegalProvider.name) == name.lower())
    if provider is not None:
        taken = taken.where(LegalProvider.id != provider.id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise ProviderNameTaken()
    return {
        "name": name,
        "languages": ",".join(member.value for member in Language if member.value in set(details.languages)),
        "services": ",".join(member.value for member in LegalService if member.value in set(details.services)),
        "taking_cases": bool(details.taking_cases),
        "phone": trimmed(details.phone, "phone", PHONE_MAX),
        "email": trimmed(details.email, "email", EMAIL_MAX),
        "website": trimmed(details.website, "website", WEBSITE_MAX),
    }


def create_provider(details: ProviderDetails, *, by: User, now: datetime) -> LegalProvider:
    provider = LegalProvider(created_at=now, updated_at=now)
    save_unique(provider, _provider_values(details, provider=None), is_new=True, taken=ProviderNameTaken)
    record_event("legal_provider.created", now=now, actor=by, subject=provider)
    return provider


def update_provider(provider: LegalProvider, details: ProviderDetails, *, by: User, now: datetime) -> list[str]:
    """Change a provider's details; returns the names of the fields that changed."""
    values = _provider_values(details, provider=provider)
    changed = [name for name, value in values.items() if getattr(provider, name) != value]
    if not changed:
        return []
    save_unique(provider, {**values, "updated_at": now}, is_new=False, taken=ProviderNameTaken)
    record_event("legal_provider.updated", now=now, actor=by, subject=provider, fields=changed)
    return changed


# -- referrals -------------------------------------------------------------------------------------


@dataclass
class ReferralDetails:
    provider_id: int | None
    sent_on: date | None
    status: ReferralStatus = ReferralStatus.SENT
    follow_up_on: date | None = None
    notes: str = ""


def _referral_values(details: ReferralDetails, *, today: date, current: LegalReferral | None = None) -> dict:
    provider = db.session.get(LegalProvider, details.provider_id) if details.provider_id else None
    if provider is None:
        raise ProviderInvalid()
    if not provider.taking_cases and (current is None or current.provider_id != provider.id):
        raise ProviderNotTakingCases()
    if details.sent_on is None or details.sent_on > today:
        raise SentDateInvalid()
    if details.follow_up_on is not None and details.follow_up_on < details.sent_on:
        raise FollowUpInvalid()
    return {
        "provider_id": provider.id,
        "sent_on": details.sent_on,
        "status": ReferralStatus(details.status),
        "follow_up_on": details.follow_up_on,
        "notes": trimmed(details.notes, "notes", NOTES_MAX) or None,
    }


def refer_family(family: Family, details: ReferralDetails, *, by: User, now: datetime) -> LegalReferral:
    """Record a referral of `family` to a provider taking cases."""
    if family.closed_at is not None or family.purged_at is not None:
        raise FamilyNotOpen()
    referral = LegalReferral(family=family, created_by_id=by.id, created_at=now, updated_at=now,
                             **_referral_values(details, today=org_today(now)))
    db.session.add(referral)
    db.session.flush()
    record_event("legal_referral.created", now=now, actor=by, subject=referral)
    return referral


def update_referral(referral: LegalReferral, details: ReferralDetails, *, by: User, now: datetime) -> list[str]:
    """Record what came of a referral (status, follow-up day, notes); a provider who stopped taking
    cases stays on the referrals already sent to it."""
    values = _referral_values(details, today=org_today(now), current=referral)
    changed = [name for name, value in values.items() if getattr(referral, name) != value]
    if not changed:
        return []
    for name, value in values.items():
        setattr(referral, name, value)
    referral.updated_at = now
    db.session.flush()  # a version check: a referral changed meanwhile fails here
    record_event("legal_referral.updated", now=now, actor=by, subject=referral, fields=changed)
    return changed


def family_referrals(family: Family) -> list[LegalReferral]:
    return list(db.session.scalars(
        select(LegalReferral).where(LegalReferral.family_id == family.id)
        .options(selectinload(LegalReferral.provider))
        .order_by(LegalReferral.sent_on.desc(), LegalReferral.id.desc())
    ))


@cache
def _follow_ups_due_statement():
    # Built once per process (a bound parameter for the day): the dashboard runs it on every request.
    return (
        select(LegalReferral)
        # The family's state as EXISTS, not a join: SQLite then reads the few referrals due first
        # (by their follow-up day) instead of every family, with or without planner statistics.
        .where(LegalReferral.status.in_(AWAITING), LegalReferral.follow_up_on <= bindparam("today", type_=Date()),
               LegalReferral.family.has(Family.purged_at.is_(None)))
        # One query: the provider and the family (its name only) come with it, joined.
        .options(joinedload(LegalReferral.provider), joinedload(LegalReferral.family).load_only(Family.id, Family.name))
        .order_by(LegalReferral.follow_up_on, LegalReferral.id)
    )


def follow_ups_due(*, now: datetime) -> list[LegalReferral]:
    """Referrals still waiting on the provider whose follow-up day is today or past, oldest first."""
    return list(db.session.scalars(_follow_ups_due_statement(), {"today": org_today(now)}))


def purge_family_referrals(family: Family) -> int:
    """The purge (services/privacy/retention.py): notes go; provider, status and dates stay."""
    referrals = family_referrals(family)
    for referral in referrals:
        referral.notes = None
    db.session.flush()
    return len(referrals)
