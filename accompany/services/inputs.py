"""What a person typed, made ready for a service's rules: control characters dropped, text trimmed
to its column's limit, a phone number in E.164 (or none). Each refusal is a DomainError that names
the form field."""

from __future__ import annotations

import re

from accompany.phones import InvalidPhone, normalize_phone
from accompany.services.errors import DomainError


class FieldTooLong(DomainError):
    def __init__(self, field: str, limit: int):
        super().__init__(f"Keep this under {limit} characters.")
        self.field = field


# C0 and C1 control characters and DEL, but not tab, line feed or carriage return (a textarea's
# lines). Nobody types them; a NUL is refused by PostgreSQL's text columns with an error.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_control_characters(text: str) -> str:
    """`text` with every control character taken out (tabs and line breaks stay): the one filter
    every form's values and every query-string value pass through (accompany.formfields)."""
    return CONTROL_CHARACTERS.sub("", text)


def trimmed(value: str | None, field: str, limit: int) -> str:
    """`value` without control characters or the spaces around it, or FieldTooLong if it is longer
    than `limit`."""
    value = without_control_characters(value or "").strip()
    if len(value) > limit:
        raise FieldTooLong(field, limit)
    return value


def optional_phone(raw: str | None, invalid: type[DomainError]) -> str | None:
    """`raw` in E.164, None when left empty, or `invalid` (saying why) when it is no phone number."""
    if not (raw or "").strip():
        return None
    try:
        return normalize_phone(raw)
    except InvalidPhone as error:
        raise invalid(str(error)) from None
