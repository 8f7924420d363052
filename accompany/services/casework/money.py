"""Money as people type it and read it: integer cents inside, "$7,500.00" at the edges (a page shows
it in its own locale: the `money` filter). Never a float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from accompany.marks import N_
from accompany.services.errors import DomainError

# The most one line may be: a bond is rarely past $50,000, and cents must fit an INTEGER column.
MAX_CENTS = 1_000_000_000  # $10,000,000.00
_TYPED = re.compile(r"^\$?\s*([0-9][0-9,]*)(\.[0-9]{1,2})?$|^\$?\s*(\.[0-9]{1,2})$")


class BadAmount(DomainError):
    field = "amount"
    message = N_("Enter an amount in dollars, like 7500 or $7,500.00.")


def parse_cents(text: str | None) -> int:
    """Cents from what a person typed ("$7,500.00", "7500", "7,500.5"), or BadAmount in plain words."""
    typed = (text or "").strip().replace(" ", "")
    match = _TYPED.match(typed)
    if not typed or match is None:
        raise BadAmount()
    whole, fraction, only_fraction = match.groups()
    if whole and "," in whole and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*", whole):
        raise BadAmount(N_("Put commas only between thousands, like $7,500.00."))
    try:
        amount = Decimal((whole or "0").replace(",", "") + (fraction or only_fraction or ""))
    except InvalidOperation:  # pragma: no cover - the pattern lets only digits through
        raise BadAmount() from None
    cents = int(amount * 100)
    if cents <= 0:
        raise BadAmount(N_("Enter an amount more than $0.00."))
    if cents > MAX_CENTS:
        raise BadAmount(N_("That amount is too large for one line: enter at most $10,000,000.00."))
    return cents


def dollars(cents: int | None) -> str:
    """7500000 → "$75,000.00"; a negative amount reads "-$12.50"."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}${whole:,}.{part:02d}"


class Amount(int):
    """Cents handed to a page inside a message: "$7,500.00" in English (a log line); a page shows it
    in its own locale (accompany.presentation.in_words)."""

    def __str__(self) -> str:
        return dollars(self)
