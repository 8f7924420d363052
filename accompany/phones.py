"""Phone numbers: one normalized form (E.164) inside, national format for people to read."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from accompany.marks import N_

DEFAULT_REGION = "US"


class InvalidPhone(ValueError):
    """Not a phone number we can text. Its message is English, marked for the pages' catalogs:
    a page shows it translated (`gettext(str(error))`, or `committing.shown` once a service has
    made it a domain error)."""


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """`raw` as E.164 (+16175551234), or InvalidPhone with a message a person can act on."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone(N_("Enter a phone number."))
    if len(text) > 40:
        raise InvalidPhone(N_("That phone number is too long."))
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        raise InvalidPhone(N_(
            "That does not look like a phone number. Use 10 digits like 617-555-0123, "
            "or + and the country code for a number outside the US."
        )) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(N_(
            "That phone number is not valid. Check the digits (10 digits for a US number)."
        ))
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_national(e164: str | None) -> str:
    """How a person writes the number: (617) 555-0123 for US numbers, +33 … for others."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str | None) -> str:
    """The most a log may hold: the last four digits."""
    if not e164:
        return "(none)"
    return "…" + e164[-4:]
