"""What a person typed, made ready for a service's rules: text trimmed to its column's limit, a
phone number in E.164 (or none). Each refusal is a DomainError that names the form field."""

from __future__ import annotations

from accompany.phones import InvalidPhone, normalize_phone
from accompany.services.errors import DomainError


class FieldTooLong(DomainError):
    def __init__(self, field: str, limit: int):
        super().__init__(f"Keep this under {limit} characters.")
        self.field = field


def trimmed(value: str | None, field: str, limit: int) -> str:
    """`value` without the spaces around it, or FieldTooLong if it is longer than `limit`."""
    value = (value or "").strip()
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
