"""Dates and times in words, from CLDR patterns compiled once per pattern and locale.

babel's `format_datetime` parses its pattern and looks the locale up on every call, about 6 µs;
a board of 40 cards calls it 80 times. Here a pattern is parsed once per locale and each field
becomes a lookup in a table babel filled, so the words and their order are still CLDR's (the
names are babel's own output for sample dates; tests compare every field with babel's).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import DateTimeFormat, parse_pattern

Field = Callable[[date], str]

# A Monday, so that weekday() indexes the list of names.
_MONDAY = datetime(2024, 1, 1, 9)


def _names(key: str, locale: Locale, samples: list[datetime]) -> list[str]:
    return [DateTimeFormat(sample, locale)[key] for sample in samples]


def _own_names(locale: Locale) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(weekdays from Monday, months) for a language CLDR has no calendar words for: Kreyòl,
    whose babel data falls back to French. The texts' own names, in full at every width."""
    if locale.language == "ht":
        from accompany.services.messaging.wording import ht

        return ht.DAYS, ht.MONTHS
    return None


def _field(key: str, locale: Locale) -> Field:
    symbol, width = key[0], len(key)
    own = _own_names(locale)
    if own is not None and (symbol == "E" or (symbol in "ML" and width >= 3)):
        days, months = own
        if symbol == "E":
            return lambda moment: days[moment.weekday()]
        return lambda moment: months[moment.month - 1]
    if symbol == "E":
        names = _names(key, locale, [_MONDAY.replace(day=1 + i) for i in range(7)])
        return lambda moment: names[moment.weekday()]
    if symbol in "ML" and width >= 3:
        names = ["", *_names(key, locale, [_MONDAY.replace(month=m) for m in range(1, 13)])]
        return lambda moment: names[moment.month]
    if symbol == "a":
        am, pm = _names(key, locale, [_MONDAY.replace(hour=9), _MONDAY.replace(hour=15)])
        return lambda moment: am if moment.hour < 12 else pm
    numbers: dict[str, Callable[[datetime], int]] = {
        "d": lambda moment: moment.day,
        "M": lambda moment: moment.month,
        "h": lambda moment: moment.hour % 12 or 12,
        "H": lambda moment: moment.hour,
        "m": lambda moment: moment.minute,
    }
    if symbol in numbers and width <= 2:
        value, spec = numbers[symbol], f"0{width}d"
        return lambda moment: format(value(moment), spec)
    if symbol == "y" and width != 2:
        spec = f"0{width}d"
        return lambda moment: format(moment.year, spec)
    return lambda moment: DateTimeFormat(moment, locale)[key]  # anything rarer: babel itself


@cache
def compiled(pattern: str, locale: str) -> Callable[[date], str]:
    """A function formatting a date or datetime with the CLDR `pattern` in `locale`."""
    parsed = parse_pattern(pattern)
    where = Locale.parse(locale)
    fields = {key: _field(key, where) for key in _keys(parsed.format)}
    template = parsed.format
    return lambda moment: template % {key: field(moment) for key, field in fields.items()}


def _keys(template: str) -> list[str]:
    return re.findall(r"(?<!%)%\((\w+)\)s", template)


def format_moment(moment: date, pattern: str, locale: str) -> str:
    """`moment` (already in local time) in words: babel's format_datetime, compiled."""
    return compiled(pattern, locale)(moment)
