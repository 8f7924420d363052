"""Retention (DESIGN §4): purging families long after their last appointment (a volunteer
deleting their own account is accompany/services/privacy/account_deletion.py).

A purge anonymizes, it does not delete: the rows stay, so coverage numbers (appointments' kinds,
dates and outcomes; shifts; claims; how many texts went) survive, but nothing is left that says
who the family was. A family is due when its last appointment (the latest of any status; its
recording date when it has none) is more than `RETENTION_DAYS` ago. Nothing is purged while the
global `LEGAL_HOLD` is on, nor a family whose own `legal_hold` is set.

The carrier keeps each text's body and number too, so the purge deletes those records through
the SMS gateway. A deletion that fails leaves the message's provider SID in place (a deleted
one's is cleared), and the next run tries it again; the family itself is anonymized regardless.

Everything here flushes and never commits; audit events hold ids and counts, never values.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from accompany.crypto import keyring
from accompany.database import db
from accompany.models import (
    Appointment,
    Bond,
    Claim,
    DetentionCase,
    Family,
    InboundMessage,
    Need,
    OutboundMessage,
    Shift,
    Task,
    TaskTaker,
    User,
    UserStatus,
)
from accompany.services.casework.letters import purge_family_letters
from accompany.services.casework.referrals import purge_family_referrals
from accompany.services.errors import DomainError
from accompany.services.messaging import planning, volunteer_texts
from accompany.services.messaging.sms.gateway import DeleteError, Gateway, current_gateway
from accompany.services.privacy.account_deletion import deleted_email
from accompany.services.privacy.audit import record_event

log = logging.getLogger(__name__)

LEGAL_HOLD_OFF = ("", "0", "false", "no", "off")
LOCK_BATCH = 500


def purged_family_name(family_id: int) -> str:
    return f"Purged family {family_id}"


# -- errors ----------------------------------------------------------------------------------------


class RetentionError(DomainError):
    """A retention rule said no."""


class LegalHoldOn(RetentionError):
    message = "Legal hold is on (LEGAL_HOLD): nothing is purged."


class FamilyOnLegalHold(RetentionError):
    message = "This family is under legal hold, so its record is not purged."


class FamilyAlreadyPurged(RetentionError):
    message = "This family's record was purged already."


class RetentionDaysInvalid(RetentionError):
    message = "RETENTION_DAYS must be a whole number of days, 1 or more."


# -- settings --------------------------------------------------------------------------------------


def legal_hold_on() -> bool:
    """Whether the global legal hold (`LEGAL_HOLD`) is on. A string counts as on unless it is
    one of the plain "off" words, so a typo holds rather than purges."""
    value = current_app.config.get("LEGAL_HOLD", False)
    if isinstance(value, str):
        return value.strip().lower() not in LEGAL_HOLD_OFF
    return bool(value)


def retention_days(days: int | None = None) -> int:
    """`days`, or the configured `RETENTION_DAYS`, checked."""
    value = current_app.config.get("RETENTION_DAYS", 365) if days is None else days
    if isinstance(value, bool):
        raise RetentionDaysInvalid()
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise RetentionDaysInvalid() from None
    if value < 1:
        raise RetentionDaysInvalid()
    return value


# -- which families ----------------------------------------------------------------------------------


def last_activity():
    """A family's last appointment (any status), or when it was recorded if it has none."""
    return func.coalesce(func.max(Appointment.starts_at), Family.created_at)


def due_family_ids(*, now: datetime, days: int) -> list[int]:
    """Families not purged, not on hold, whose last activity is more than `days` before `now`."""
    cutoff = now - timedelta(days=days)
    return list(
        db.session.scalars(
            select(Family.id)
            .outerjoin(Appointment, Appointment.family_id == Family.id)
            .where(Family.purged_at.is_(None), Family.legal_hold.is_(False))
            .group_by(Family.id, Family.created_at)
            .having(last_activity() < cutoff)
            .order_by(Family.id)
        )
    )


def _lock_families(ids: list[int]) -> list[Family]:
    """The families `ids` still due (not purged, not on hold), locked for this transaction; on
    PostgreSQL one that another purge holds is skipped (that run purges it)."""
    families: list[Family] = []
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(ids), LOCK_BATCH):
        query = (
            select(Family)
            .where(Family.id.in_(ids[start:start + LOCK_BATCH]), Family.purged_at.is_(None),
                   Family.legal_hold.is_(False))
            .order_by(Family.id)
        )
        if postgres:
            query = query.with_for_update(skip_locked=True)
        families.extend(db.session.scalars(query))
    return families


# -- one family --------------------------------------------------------------------------------------


@dataclass
class FamilyPurge:
    """What purging one family did (or, in a dry run, would do)."""

    family_id: int
    appointments: int = 0
    texts_sent: int = 0  # outbound rows to the family or about its appointments and shifts
    texts_received: int = 0  # inbound rows from the family (or its number)
    cancelled: int = 0  # pending texts cancelled
    provider_records: int = 0  # texts the carrier holds a record of (with a provider SID)
    provider_deleted: int = 0  # of those: deleted now, or already gone
    provider_failed: int = 0  # of those: could not be deleted; tried again next run

    @property
    def texts(self) -> int:
        return self.texts_sent + self.texts_received


def _purged_sender_key(family_id: int) -> str:
    """What a purged family's texts are grouped under instead of the number's keyed hash: the same
    shape (the inbox addresses conversations by it) but derived from nothing about the number."""
    return keyring().blind_index("purged-family", str(family_id))


def _family_texts(family: Family, appointment_ids: list[int], shift_ids: list[int]):
    """(outbound condition, inbound condition) for the texts that belong to `family`: sent to it,
    about its appointments or shifts (volunteers' texts carry the meeting point, often its home),
    and received from it, or from its number while no family was linked to the text."""
    outbound = or_(
        OutboundMessage.family_id == family.id,
        OutboundMessage.appointment_id.in_(appointment_ids),
        OutboundMessage.shift_id.in_(shift_ids),
    )
    inbound = [InboundMessage.family_id == family.id, InboundMessage.appointment_id.in_(appointment_ids)]
    if family.phone_hash:
        # ...but not a volunteer's or coordinator's own text from a number they share with it.
        inbound.append((InboundMessage.from_hash == family.phone_hash) & InboundMessage.family_id.is_(None)
                       & InboundMessage.user_id.is_(None))
    return outbound, or_(*inbound)


def purge_family(family: Family, *, now: datetime, gateway: Gateway | None = None,
                 dry_run: bool = False) -> FamilyPurge:
    """Anonymize `family` and delete its texts at the carrier (or, with `dry_run`, only count).

    Raises LegalHoldOn, FamilyOnLegalHold or FamilyAlreadyPurged. Keeps appointments (kind,
    dates, place, status, outcome), shifts and claims; clears every free text and message body
    about the family and its number.
    """
    if legal_hold_on():
        raise LegalHoldOn()
    if family.legal_hold:
        raise FamilyOnLegalHold()
    if family.purged_at is not None:
        raise FamilyAlreadyPurged()
    appointments = list(db.session.scalars(select(Appointment).where(Appointment.family_id == family.id)))
    appointment_ids = [appointment.id for appointment in appointments]
    shifts = list(db.session.scalars(select(Shift).where(Shift.appointment_id.in_(appointment_ids))))
    shift_ids = [shift.id for shift in shifts]
    outbound_about, inbound_about = _family_texts(family, appointment_ids, shift_ids)
    result = FamilyPurge(family_id=family.id, appointments=len(appointments))
    if dry_run:
        outbound_sids = db.session.execute(select(OutboundMessage.provider_sid).where(outbound_about)).scalars().all()
        inbound_sids = db.session.execute(select(InboundMessage.provider_sid).where(inbound_about)).scalars().all()
        result.texts_sent, result.texts_received = len(outbound_sids), len(inbound_sids)
        result.provider_records = sum(1 for sid in [*outbound_sids, *inbound_sids] if sid)
        return result

    result.cancelled = planning.cancel_pending(outbound_about)
    outbound = list(db.session.scalars(select(OutboundMessage).where(outbound_about)))
    inbound = list(db.session.scalars(select(InboundMessage).where(inbound_about)))
    result.texts_sent, result.texts_received = len(outbound), len(inbound)

    family.name = purged_family_name(family.id)
    family.phone = family.phone_hash = family.notes = family.consent_given_by = None
    family.sms_consent, family.consent_at, family.consent_method = False, None, ""
    family.closed_at = family.closed_at or now
    family.purged_at = family.updated_at = now
    for appointment in appointments:
        appointment.notes = appointment.outcome_notes = None
    for shift in shifts:
        shift.meeting_point, shift.notes = "", ""  # often the family's address, or about them
    for claim in db.session.scalars(select(Claim).where(Claim.shift_id.in_(shift_ids))):
        claim.report_notes = None
    # Casework: letter writers' and contacts' names, referral notes (dates and counts stay).
    purge_family_letters(family)
    purge_family_referrals(family)
    _purge_needs(family)
    for row in outbound:
        row.body = None
    # Detention response (issue 15): a case's sealed words go; its dates, outcome and timeline stay.
    for case in db.session.scalars(select(DetentionCase).where(DetentionCase.family_id == family.id)):
        case.report_note = case.held_note = case.outcome_note = None
    # Casework: a bond keeps its amounts, dates and stages, and its fund lines stay as they are (the
    # books stay true); who was bonded, who signed and the references go.
    for bond in db.session.scalars(select(Bond).where(Bond.family_id == family.id)):
        bond.person = bond.obligor_name = bond.receipt_ref = bond.cancellation_ref = bond.obligor_id = None
        volunteer_texts.cancel_bond_messages(bond)
    key = _purged_sender_key(family.id)
    for row in inbound:
        row.family_id = family.id  # a text from its number before it was linked is its text too
        row.body, row.from_phone, row.from_hash = "", "", key
        row.handled_at = row.handled_at or now  # nothing left for a coordinator to read
    db.session.flush()  # the record is anonymized before anything is deleted at the carrier

    with_record = [row for row in [*outbound, *inbound] if row.provider_sid]
    result.provider_records = len(with_record)
    result.provider_deleted, result.provider_failed = delete_provider_records(
        with_record, gateway or current_gateway())
    record_event(
        "family.purged", now=now, subject=family, appointments=result.appointments,
        texts_sent=result.texts_sent, texts_received=result.texts_received,
        messages_cancelled=result.cancelled, provider_deleted=result.provider_deleted,
        provider_failed=result.provider_failed,
    )
    db.session.flush()
    return result


def _purge_needs(family: Family) -> None:
    """Casework (needs and tasks): the words go (notes, a task's title and details, reports); the
    kinds, statuses, dates and counts stay."""
    need_ids = select(Need.id).where(Need.family_id == family.id)
    for need in db.session.scalars(select(Need).where(Need.family_id == family.id)):
        need.notes = None
    task_ids = select(Task.id).where(Task.need_id.in_(need_ids))
    for task in db.session.scalars(select(Task).where(Task.need_id.in_(need_ids))):
        task.title, task.details = purged_task_title(task.id), None
    for taker in db.session.scalars(select(TaskTaker).where(TaskTaker.task_id.in_(task_ids))):
        taker.report = None


def purged_task_title(task_id: int) -> str:
    return f"Purged task {task_id}"


def delete_provider_records(rows: list[OutboundMessage | InboundMessage], gateway: Gateway) -> tuple[int, int]:
    """Delete each row's message at the carrier; a deleted (or already gone) one loses its
    provider SID. Returns (deleted, failed)."""
    deleted = failed = 0
    for row in rows:
        try:
            gateway.delete_message(row.provider_sid)
        except DeleteError as error:
            failed += 1
            log.warning("purge: %s %s not deleted at the SMS provider (%s)", type(row).__name__, row.id,
                        error.message)
            continue
        row.provider_sid = None
        deleted += 1
    db.session.flush()
    return deleted, failed


def _left_at_provider():
    """(outbound query, inbound query): texts whose carrier record should be gone and is not yet:
    those of purged families (not on hold) an earlier purge could not delete, and those of
    volunteers who deleted their account."""
    purged = select(Family.id).where(Family.purged_at.is_not(None), Family.legal_hold.is_(False))
    appointments = select(Appointment.id).where(Appointment.family_id.in_(purged))
    shifts = select(Shift.id).where(Shift.appointment_id.in_(appointments))
    # Volunteers who deleted their account: their texts go from the carrier on the next purge
    # (not during their web request).
    deleted = select(User.id).where(User.email.like(deleted_email("%")), User.status == UserStatus.DISABLED)
    outbound = select(OutboundMessage).where(
        OutboundMessage.provider_sid.is_not(None),
        or_(OutboundMessage.family_id.in_(purged), OutboundMessage.appointment_id.in_(appointments),
            OutboundMessage.shift_id.in_(shifts), OutboundMessage.user_id.in_(deleted)),
    ).order_by(OutboundMessage.id)
    inbound = select(InboundMessage).where(
        InboundMessage.provider_sid.is_not(None),
        or_(InboundMessage.family_id.in_(purged), InboundMessage.appointment_id.in_(appointments),
            InboundMessage.user_id.in_(deleted)),
    ).order_by(InboundMessage.id)
    return outbound, inbound


# -- a run ---------------------------------------------------------------------------------------------


@dataclass
class PurgeRun:
    """What `purge_due_families` did (or would do)."""

    days: int
    cutoff: datetime
    dry_run: bool = False
    held: bool = False  # the global legal hold was on: nothing was looked at
    families: list[FamilyPurge] = field(default_factory=list)
    retried: int = 0  # texts of families purged before, whose carrier record was tried again
    retried_deleted: int = 0
    retried_failed: int = 0

    @property
    def family_ids(self) -> list[int]:
        return [purge.family_id for purge in self.families]

    @property
    def texts(self) -> int:
        return sum(purge.texts for purge in self.families)

    @property
    def provider_records(self) -> int:
        return sum(purge.provider_records for purge in self.families)

    @property
    def provider_deleted(self) -> int:
        return sum(purge.provider_deleted for purge in self.families)

    @property
    def provider_failed(self) -> int:
        return sum(purge.provider_failed for purge in self.families) + self.retried_failed


def purge_due_families(*, now: datetime, days: int | None = None, gateway: Gateway | None = None,
                       dry_run: bool = False) -> PurgeRun:
    """Purge every family due (see the module's docstring); with `dry_run`, only say which.

    Under the global legal hold nothing is read, changed or deleted. Carrier records that an
    earlier run could not delete are tried again first.
    """
    days = retention_days(days)
    run = PurgeRun(days=days, cutoff=now - timedelta(days=days), dry_run=dry_run)
    if legal_hold_on():
        run.held = True
        log.info("purge: legal hold is on, nothing purged")
        return run
    gateway = None if dry_run else gateway or current_gateway()

    outbound_left, inbound_left = _left_at_provider()
    if dry_run:
        run.retried = sum(
            db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
            for query in (outbound_left, inbound_left)
        )
    else:
        left = [*db.session.scalars(outbound_left), *db.session.scalars(inbound_left)]
        if left:
            run.retried = len(left)
            run.retried_deleted, run.retried_failed = delete_provider_records(left, gateway)
            record_event("purge.provider_records_retried", now=now, texts=run.retried,
                         provider_deleted=run.retried_deleted, provider_failed=run.retried_failed)

    ids = due_family_ids(now=now, days=days)
    families = (list(db.session.scalars(select(Family).where(Family.id.in_(ids)).order_by(Family.id)))
                if dry_run else _lock_families(ids))
    for family in families:
        run.families.append(purge_family(family, now=now, gateway=gateway, dry_run=dry_run))
    log.info("purge%s: %d families, %d texts, %d carrier records (%d failed), %d retried",
             " (dry run)" if dry_run else "", len(run.families), run.texts, run.provider_records,
             run.provider_failed, run.retried)
    return run
