"""Detention cases: opened by a report (a volunteer's held shift, a coordinator, a text, a
"detained" outcome), acknowledged once, and closed with an outcome the family's reminders follow.

One open case per family: a second report while one is open returns the open case (the unique
`open_family_id` makes that hold for two reports at the same moment too). Opening a case plans
the alert chain (alert_chain.py) and pauses the family's texts, in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from sqlalchemy import case as sql_case
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    AppointmentStatus,
    Claim,
    DetentionCase,
    DetentionOutcome,
    Family,
    Location,
    MessageKind,
    Role,
    Shift,
    User,
    UserStatus,
)
from accompany.services.detention import alert_chain, checklist, timeline
from accompany.services.detention.on_call import org_today
from accompany.services.detention.timeline import add_event as _event
from accompany.services.errors import DomainError
from accompany.services.messaging import family_texts, planning
from accompany.services.messaging.audience import org_timezone
from accompany.services.people import families as family_service
from accompany.services.privacy.audit import record_event
from accompany.timezones import to_local

# Letters and digits nobody mixes up when reading a text aloud (no 0/O, 1/I/L, 2/Z, 5/S, 8/B,
# 6/G, no vowels so no word is spelled), three of them with a digit among them (so "OK THX" is no
# acknowledgement): K7Q. Never anything of the family's. Must match keywords.DETENTION_CODE.
CODE_ALPHABET = "CDFHJKMNPQRTVWXY3479"
CODE_DIGITS = "3479"
CODE_LENGTH = 3
NOTE_MAX = 500


class CaseClosed(DomainError):
    whole_request = True
    message = N_("This case is closed already.")


class AlreadyAcknowledged(DomainError):
    whole_request = True

    def __init__(self, case: DetentionCase):
        if case.acknowledged_by is not None:
            super().__init__(N_("This case was already acknowledged by %(name)s."), name=case.acknowledged_by.first_name)
        else:
            super().__init__(N_("This case was already acknowledged."))
        self.case = case


class NoShiftToday(DomainError):
    message = N_("You can report a detention only from a shift you hold today.")


class NoteTooLong(DomainError):
    field = "note"
    message = N_("Keep the note under %(most)s characters.")

    def __init__(self) -> None:
        super().__init__(most=NOTE_MAX)


def _note(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise NoteTooLong()
    return text or None


# -- opening -------------------------------------------------------------------------------------


def open_case(family: Family, *, now: datetime, by: User | None, appointment: Appointment | None = None,
              shift: Shift | None = None, note: str | None = None,
              last_seen: Location | None = None, how: str = "") -> tuple[DetentionCase, bool]:
    """Open a case for `family`, or find the one open already. Returns (case, opened now)."""
    existing = open_case_of(family)
    if existing is not None:
        return existing, False
    note = _note(note)
    if appointment is None and shift is not None:
        appointment = shift.appointment
    case = DetentionCase(
        family=family, open_family_id=family.id, code="", appointment=appointment, shift=shift, reported_at=now,
        reported_by=by, report_note=note, texts_paused=True,
        last_seen_location=last_seen or (appointment.location if appointment is not None else None),
    )
    for _ in range(20):
        case.code = case.open_code = _new_code()
        try:
            with db.session.begin_nested():
                db.session.add(case)
        except IntegrityError:  # another report opened one for this family, or took the code
            existing = open_case_of(family)
            if existing is not None:
                return existing, False
            continue
        break
    else:  # pragma: no cover - twenty codes in a row taken by open cases
        raise DomainError(N_("Could not find a free case code; try again."))
    _event(case, "reported", now=now, actor=by, detail=how)
    _event(case, "texts_paused", now=now, detail=N_("the family's texts are held until a coordinator decides"))
    alert_chain.plan_chain(case, now=now)
    checklist.copy_steps(case, by=by, now=now)
    record_event("detention.reported", now=now, actor=by, subject=family, case_id=case.id)
    db.session.flush()
    return case, True


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch in CODE_DIGITS for ch in code):
            return code


def open_case_of(family: Family) -> DetentionCase | None:
    return db.session.scalar(select(DetentionCase).where(DetentionCase.open_family_id == family.id))


def report_from_shift(claim: Claim, *, note: str | None, now: datetime) -> tuple[DetentionCase, bool]:
    """The volunteer holding `claim` reports a detention (one tap on their held shift, today)."""
    if not held_today(claim.shift, now=now):
        raise NoShiftToday()
    shift = claim.shift
    return open_case(shift.appointment.family, now=now, by=claim.volunteer, shift=shift, note=note,
                     how=N_("from a held shift"))


def held_today(shift: Shift, *, now: datetime) -> bool:
    """The shift is on the org's date today, and its appointment is not cancelled."""
    return (shift.appointment.status in (AppointmentStatus.SCHEDULED, AppointmentStatus.CLOSED)
            and to_local(shift.starts_at, org_timezone()).date() == org_today(now))


def shift_held_today(volunteer: User, *, now: datetime) -> Shift | None:
    """The shift `volunteer` holds today that a DETAINED text is about: the latest one begun,
    else the next one today."""
    if volunteer.role != Role.VOLUNTEER or volunteer.status != UserStatus.ACTIVE:
        return None
    held = [shift for shift in db.session.scalars(
        select(Shift).join(Claim, Claim.shift_id == Shift.id).where(Claim.volunteer_id == volunteer.id)
        .order_by(Shift.starts_at)
    ) if held_today(shift, now=now)]
    begun = [shift for shift in held if shift.starts_at <= now]
    return begun[-1] if begun else (held[0] if held else None)


def report_by_text(volunteers: list[User], *, now: datetime) -> tuple[DetentionCase, User] | None:
    """A DETAINED text from a volunteer's number: a case for the family of the shift they hold
    today, with a confirmation planned to them; None (nothing opened) when they hold none."""
    for volunteer in volunteers:
        shift = shift_held_today(volunteer, now=now)
        if shift is None:
            continue
        case, _ = open_case(shift.appointment.family, now=now, by=volunteer, shift=shift, how=N_("by text"))
        alert_chain.plan_reply(case, MessageKind.REPLY_DETENTION_REPORTED, volunteer, now=now, tag="reported")
        return case, volunteer
    return None


# -- acknowledging -------------------------------------------------------------------------------


def acknowledge(case: DetentionCase, *, by: User, now: datetime) -> DetentionCase:
    """`by` has seen the alert and is on it: the chain stops. A compare-and-set: of two at once,
    the first wins and the second raises AlreadyAcknowledged (naming the first)."""
    if not case.is_open:
        raise CaseClosed()
    done = db.session.execute(
        update(DetentionCase).where(DetentionCase.id == case.id, DetentionCase.acknowledged_at.is_(None),
                                    DetentionCase.closed_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_id=by.id).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(case)
    if not done:
        raise AlreadyAcknowledged(case)
    _event(case, "acknowledged", now=now, actor=by)
    checklist.own_unowned_steps(case, by=by)
    record_event("detention.acknowledged", now=now, actor=by, subject=case.family, case_id=case.id)
    db.session.flush()
    return case


def find_open_by_code(code: str) -> DetentionCase | None:
    return db.session.scalar(select(DetentionCase).where(DetentionCase.open_code == code.upper()))


def acknowledge_by_text(staff: list[User], code: str, *, now: datetime) -> DetentionCase | None:
    """"OK K7Q" from a coordinator's confirmed phone: acknowledge the open case with that code and
    plan the answer (thanks, or who acknowledged first). None when no open case has the code."""
    case = find_open_by_code(code)
    user = staff[0] if staff else None
    if case is None or user is None:
        return None
    try:
        acknowledge(case, by=user, now=now)
        tag = "acknowledged"
    except AlreadyAcknowledged:
        tag = "already-acknowledged"
    alert_chain.plan_reply(case, MessageKind.REPLY_DETENTION_ACKNOWLEDGED, user, now=now, tag=tag)
    return case


# -- the family's texts ----------------------------------------------------------------------------


def _open(case: DetentionCase) -> DetentionCase:
    if not case.is_open:
        raise CaseClosed()
    return case


class TextsNotPaused(DomainError):
    whole_request = True
    message = N_("The family's texts are going already.")


class NothingWaiting(DomainError):
    whole_request = True
    message = N_("No texts are waiting for the family: nothing to cancel.")


class SameNumber(DomainError):
    field = "phone"
    message = N_("The family is texted at this number already.")


class NothingChanged(DomainError):
    whole_request = True
    message = N_("Nothing was changed: that is what the case says already.")


def resume_texts(case: DetentionCase, *, by: User, now: datetime) -> None:
    """The family's texts go again: what is still pending, and reminders for what is ahead."""
    _open(case)
    if not case.texts_paused:
        raise TextsNotPaused()
    _resume(case, now=now)
    _event(case, "texts_resumed", now=now, actor=by)
    db.session.flush()


def _resume(case: DetentionCase, *, now: datetime) -> None:
    case.texts_paused = False
    db.session.flush()
    for appointment in _upcoming(case.family, now=now):
        family_texts.plan_family_reminders(appointment, now=now)


def cancel_texts(case: DetentionCase, *, by: User | None, now: datetime) -> int:
    """Cancel every text waiting for the family; they stay paused until resumed or closed."""
    cancelled = planning.cancel_family_messages(case.family)
    if not cancelled:
        raise NothingWaiting()
    _event(case, "texts_cancelled", now=now, actor=by, detail=timeline.counted(timeline.TEXTS_CANCELLED, cancelled))
    db.session.flush()
    return cancelled


def switch_number(case: DetentionCase, phone: str, *, by: User, now: datetime) -> None:
    """Text the family at another number from now on (the detained person's phone may be held):
    the family's own phone change, then its texts resume, to the new number."""
    _open(case)
    family = case.family
    details = family_service.FamilyDetails(
        name=family.name, language=family.language, phone=phone, town=family.town, notes=family.notes or "",
        wording=family.wording, sms_consent=family.sms_consent, consent_given_by=family.consent_given_by or "",
        consent_at=family.consent_at, consent_method=family.consent_method, legal_hold=family.legal_hold,
    )
    if not family_service.update_family(family, details, by=by, now=now):
        raise SameNumber()
    _event(case, "number_switched", now=now, actor=by, detail=N_("the family's contact number was changed"))
    _resume(case, now=now)
    _event(case, "texts_resumed", now=now, actor=by)
    db.session.flush()


def _upcoming(family: Family, *, now: datetime) -> list[Appointment]:
    return list(db.session.scalars(select(Appointment).where(
        Appointment.family_id == family.id, Appointment.status == AppointmentStatus.SCHEDULED,
        Appointment.starts_at > now)))


# -- where held, and closing -----------------------------------------------------------------------


def set_where_held(case: DetentionCase, *, location: Location | None, note: str | None, by: User,
                   now: datetime) -> None:
    _open(case)
    note = _note(note)
    if (case.held_location_id, case.held_note) == (location.id if location else None, note):
        raise NothingChanged()
    case.held_location, case.held_note = location, note
    _event(case, "where_held", now=now, actor=by, detail=N_("where they are held was recorded"))
    db.session.flush()


# What closing does to the family's texts (README, "Detention response", says why).
RESUMES = frozenset({DetentionOutcome.RELEASED_ON_BOND, DetentionOutcome.RELEASED_OTHER})


def close_case(case: DetentionCase, outcome: DetentionOutcome, *, note: str | None, by: User,
               now: datetime) -> None:
    """Close with an outcome: released (on bond or otherwise) resumes the family's texts;
    transferred, removed and other cancel what is waiting."""
    _open(case)
    outcome = DetentionOutcome(outcome)
    done = db.session.execute(
        update(DetentionCase).where(DetentionCase.id == case.id, DetentionCase.closed_at.is_(None))
        .values(closed_at=now, closed_by_id=by.id, outcome=outcome, outcome_note=_note(note),
                open_family_id=None, open_code=None,
                acknowledged_at=sql_case((DetentionCase.acknowledged_at.is_(None), now),
                                         else_=DetentionCase.acknowledged_at),
                acknowledged_by_id=sql_case((DetentionCase.acknowledged_by_id.is_(None), by.id),
                                            else_=DetentionCase.acknowledged_by_id))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(case)
    if not done:
        raise CaseClosed()
    if outcome in RESUMES:
        _resume(case, now=now)
        _event(case, "texts_resumed", now=now, actor=by)
    else:
        case.texts_paused = False
        cancelled = planning.cancel_family_messages(case.family)
        _event(case, "texts_cancelled", now=now, actor=by, detail=timeline.counted(timeline.TEXTS_CANCELLED, cancelled))
    _event(case, "closed", now=now, actor=by, detail=outcome.label)  # an enum label: marked in models/enums.py
    record_event("detention.closed", now=now, actor=by, subject=case.family, case_id=case.id,
                 outcome=outcome.value)
    db.session.flush()


# -- reading -----------------------------------------------------------------------------------------


# What a case's card shows, loaded with the cases in the same query (many-to-one joins): the
# family's name, never its phone or notes.
CARD = (joinedload(DetentionCase.family).load_only(Family.id, Family.name), joinedload(DetentionCase.acknowledged_by),
        joinedload(DetentionCase.last_seen_location))


def list_cases() -> list[DetentionCase]:
    """Open cases first (newest first), then closed ones."""
    return list(db.session.scalars(
        select(DetentionCase).options(*CARD)
        .order_by(DetentionCase.closed_at.is_not(None), DetentionCase.reported_at.desc(), DetentionCase.id.desc())
    ))


@cache
def _open_cases_statement():
    # Built once per process: the dashboard runs it on every request.
    return select(DetentionCase).options(*CARD).where(DetentionCase.closed_at.is_(None)).order_by(DetentionCase.reported_at)


def open_cases() -> list[DetentionCase]:
    """Open cases, the longest open first (one query, their cards' facts with them)."""
    return list(db.session.scalars(_open_cases_statement()))


def reported_by_volunteer(case_id: int, volunteer: User) -> DetentionCase | None:
    """The case, if `volunteer` reported it from a shift they hold (their confirmation page)."""
    case = db.session.get(DetentionCase, case_id)
    if case is None or case.reported_by_id != volunteer.id or case.shift_id is None:
        return None
    held = db.session.scalar(select(Claim.id).where(Claim.shift_id == case.shift_id,
                                                    Claim.volunteer_id == volunteer.id))
    return case if held is not None else None


def family_paused(family_id: int) -> bool:
    return db.session.scalar(select(DetentionCase.id).where(
        DetentionCase.family_id == family_id, DetentionCase.texts_paused.is_(True),
        DetentionCase.closed_at.is_(None)).limit(1)) is not None
