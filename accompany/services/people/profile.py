"""A volunteer's own profile: what they can do (languages, car, training, obligor) and how to
reach them (phone, texts).

Pending volunteers have a profile too (DESIGN §3). Everything is checked before anything is
changed, so a broken rule saves nothing. The audit trail names the fields that changed, never
their values.

A new phone number is not saved by the form: we text it a code (phone_codes.py), and only once the
volunteer types the code back does it replace the number they had (`confirm_new_phone`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Claim,
    Language,
    PageLanguage,
    PhoneCode,
    Shift,
    User,
)
from accompany.phones import format_national
from accompany.services.errors import DomainError, NotAVolunteer
from accompany.services.inputs import optional_phone
from accompany.services.messaging import planning, volunteer_texts
from accompany.services.people import phone_codes
from accompany.services.people.accounts import set_user_languages, set_user_phone
from accompany.services.privacy.access import has_own_profile
from accompany.services.privacy.audit import record_event
from accompany.timezones import to_local

NAME_MAX = 120
HOME_AREA_MAX = 120


class NameMissing(DomainError):
    message = N_("Enter your name.")
    field = "name"


class NameTooLong(DomainError):
    message = N_("Keep your name under %(num)s characters.")
    field = "name"


class BadPhone(DomainError):
    field = "phone"


class PhoneNeededForTexts(DomainError):
    message = N_("Add a mobile number to get text reminders, or turn text reminders off.")
    field = "phone"


class PhoneAlreadyConfirmed(phone_codes.CodeNotAccepted):
    """The code was sent twice (a double tap): the first send confirmed the number, and this
    send, which changes nothing, is told so instead of "that code does not work"."""

    message = N_("That code confirmed your new number already: texts go to it now.")


class UnknownLanguage(DomainError):
    message = N_("Choose only from the languages listed.")
    field = "languages"


class UnknownPageLanguage(DomainError):
    message = N_("Choose one of the languages listed.")
    field = "preferred_language"


class TrainingInFuture(DomainError):
    message = N_("The training date cannot be in the future. Enter it once you have had the training.")
    field = "court_training_on"


class HomeAreaTooLong(DomainError):
    message = N_("Keep this under %(num)s characters.")
    field = "home_area"


@dataclass
class ProfileDetails:
    """What a volunteer can change about themselves."""

    name: str
    phone: str = ""
    languages: list[str] = field(default_factory=list)
    has_car: bool = False
    court_training_on: date | None = None
    obligor_eligible: bool = False
    home_area: str = ""
    sms_opt_in: bool = False
    preferred_language: str | None = None  # a PageLanguage code; "" for none chosen, None: leave it


def details_of(user: User) -> ProfileDetails:
    """The profile as it stands, phone written the way people write it."""
    return ProfileDetails(
        name=user.name,
        phone=format_national(user.phone),
        languages=list(user.language_codes),
        has_car=user.has_car,
        court_training_on=user.court_training_on,
        obligor_eligible=user.obligor_eligible,
        home_area=user.home_area,
        sms_opt_in=user.sms_opt_in,
        preferred_language=user.preferred_language.value if user.preferred_language else "",
    )


def _check(user: User, details: ProfileDetails, waiting: PhoneCode | None, *, now: datetime) -> str | None:
    """Raise the first broken rule; returns the phone in E.164 (or None when left empty)."""
    name = (details.name or "").strip()
    if not name:
        raise NameMissing()
    if len(name) > NAME_MAX:
        raise NameTooLong(num=NAME_MAX)
    phone = optional_phone(details.phone, BadPhone)
    # Left empty with no confirmed number, the number waiting for its code still counts.
    number = phone or (waiting.phone if waiting is not None and user.phone is None else None)
    if details.sms_opt_in and number is None:
        raise PhoneNeededForTexts()
    if _is_new_number(user, phone, waiting):
        phone_codes.check_may_send(user, phone, now=now)
    known = {member.value for member in Language}
    if any(code not in known for code in details.languages):
        raise UnknownLanguage()
    today = to_local(now, current_app.config["ORG_TIMEZONE"]).date()
    if details.court_training_on is not None and details.court_training_on > today:
        raise TrainingInFuture()
    if len((details.home_area or "").strip()) > HOME_AREA_MAX:
        raise HomeAreaTooLong(num=HOME_AREA_MAX)
    return phone


def upcoming_claims(user: User, *, now: datetime) -> list[Claim]:
    return list(
        db.session.scalars(
            select(Claim).join(Claim.shift).where(Claim.volunteer_id == user.id, Shift.is_open(now))
        )
    )


def _is_new_number(user: User, phone: str | None, waiting: PhoneCode | None) -> bool:
    """A number typed that is neither the confirmed one nor the one already waiting for its code."""
    return phone is not None and phone != user.phone and (waiting is None or waiting.phone != phone)


def update_profile(user: User, details: ProfileDetails, *, now: datetime) -> list[str]:
    """Save the volunteer's own profile; returns the names of the fields that changed
    ("new_phone": a code went to a new number, which is not saved yet).

    Ticking the obligor attestation records when it was made; unticking clears it. Turning
    text reminders off (or removing the phone) cancels the texts still waiting to go to them.
    Emptying the phone box removes the confirmed number (and any number waiting for its code).
    """
    if not has_own_profile(user):
        raise NotAVolunteer("Only volunteers have a volunteer profile.")
    waiting = phone_codes.pending_phone_check(user)
    phone = _check(user, details, waiting, now=now)
    language = user.preferred_language if details.preferred_language is None else \
        page_language_of(details.preferred_language)
    changed: list[str] = []

    def change(name: str, value: object) -> None:
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)

    change("name", details.name.strip())
    if phone is None and user.phone is not None:
        set_user_phone(user, "")
        if waiting is not None:
            phone_codes.cancel_phone_check(user, now=now)
        changed.append("phone")
    elif _is_new_number(user, phone, waiting):
        phone_codes.start_phone_check(user, phone, now=now)
        changed.append("new_phone")
    if set(details.languages) != set(user.language_codes):
        set_user_languages(user, details.languages)
        changed.append("languages")
    change("has_car", bool(details.has_car))
    change("court_training_on", details.court_training_on)
    if bool(details.obligor_eligible) != user.obligor_eligible:
        user.obligor_eligible = bool(details.obligor_eligible)
        user.obligor_attested_at = now if user.obligor_eligible else None
        changed.append("obligor_eligible")
    change("home_area", (details.home_area or "").strip())
    change("sms_opt_in", bool(details.sms_opt_in))
    change("preferred_language", language)

    _texts_follow(user, changed, now=now)
    if changed:
        record_event("profile.updated", now=now, actor=user, subject=user, fields=changed)
    db.session.flush()
    return changed


def _texts_follow(user: User, changed: list[str], *, now: datetime) -> None:
    """Texts off or no number: what waits to go to them is cancelled. Texts back on, or a new
    number: they are reminded of the shifts they hold."""
    if not user.sms_opt_in or user.phone is None:
        planning.cancel_user_messages(user)
    elif "sms_opt_in" in changed or "phone" in changed:
        db.session.flush()
        for claim in upcoming_claims(user, now=now):
            volunteer_texts.plan_volunteer_reminders(claim, now=now, announce=False)


def confirm_new_phone(user: User, typed_code: str, *, now: datetime) -> str:
    """The code texted to the number waiting for it is right: that number is now the volunteer's
    (texts go to it from now on). Returns the number; raises phone_codes.CodeNotAccepted."""
    if not has_own_profile(user):
        raise NotAVolunteer("Only volunteers have a volunteer profile.")
    # The newest number asked for: the one waiting for its code, or one this code confirmed already.
    waiting = phone_codes.latest_phone_check(user)
    if waiting is None:
        raise phone_codes.CodeNotAccepted()
    try:
        phone_codes.check_code(waiting, typed_code, now=now)
    except phone_codes.CodeNotAccepted:
        if phone_codes.was_used_with(waiting, typed_code):  # sent twice: the first send confirmed it
            raise PhoneAlreadyConfirmed() from None
        raise
    set_user_phone(user, waiting.phone)
    _texts_follow(user, ["phone"], now=now)
    record_event("profile.phone_confirmed", now=now, actor=user, subject=user)
    db.session.flush()
    return waiting.phone


def text_new_code(user: User, *, now: datetime, seen: int | None = None) -> PhoneCode:
    """Another code to the number waiting for one (the last one stops working); `seen` is the
    waiting code the page showed (see phone_codes.text_new_code)."""
    if not has_own_profile(user):
        raise NotAVolunteer("Only volunteers have a volunteer profile.")
    return phone_codes.text_new_code(user, now=now, seen=seen)


def page_language_of(code: str | None) -> PageLanguage | None:
    """The page language with this code ("" or None: none chosen), or UnknownPageLanguage."""
    if not code:
        return None
    try:
        return PageLanguage(code)
    except ValueError:
        raise UnknownPageLanguage() from None


def set_preferred_language(user: User, code: str) -> bool:
    """Make `code` the one language of `user`'s pages and texts (the picker, for anyone signed in);
    True if it changed. Last choice wins: the UPDATE compares nothing, so the same choice sent twice
    at once is made twice, never refused."""
    language = page_language_of(code)
    if language is None:
        raise UnknownPageLanguage()
    if user.preferred_language == language:
        return False
    db.session.execute(update(User).where(User.id == user.id).values(preferred_language=language))
    set_committed_value(user, "preferred_language", language)  # as saved: no ORM change, no version compare
    return True
