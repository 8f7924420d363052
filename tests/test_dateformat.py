"""The compiled date patterns say exactly what babel's format_datetime says, in every locale."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from babel.dates import format_datetime

from accompany.dateformat import compiled, format_moment

PATTERNS = ("EEE, MMM d, h:mm a", "h:mm a", "EEEE, MMMM d", "EEE, MMM d", "MMM d, y",
            "EEE, MMM d, y, h:mm a", "EEEE d 'de' MMMM", "H'h'mm", "dd/MM/yyyy HH:mm", "LLLL y", "QQQ y")
LOCALES = ("en_US", "es", "pt_BR", "fr", "ht")

# Every hour of two days, every weekday and month, midnight and noon, years with 1 and 4 digits.
MOMENTS = [datetime(2026, 1, 1) + timedelta(hours=h) for h in range(48)] + [
    datetime(2026, m, 1 + m, 12, 4 * m) for m in range(1, 13)
] + [datetime(999, 3, 4, 0, 0), datetime(2027, 12, 31, 23, 59)]


# Kreyòl's day and month names are the texts' own (babel has only French ones for it): its patterns
# that name none match babel's, and the names are checked below.
NAMELESS = [pattern for pattern in PATTERNS if not any(name in pattern for name in ("E", "MMM", "LLL"))]
CASES = [(pattern, locale) for pattern in PATTERNS for locale in LOCALES if locale != "ht" or pattern in NAMELESS]


@pytest.mark.parametrize(("pattern", "locale"), CASES)
def test_compiled_pattern_matches_babel(pattern, locale):
    for moment in MOMENTS:
        assert format_moment(moment, pattern, locale) == format_datetime(moment, pattern, locale=locale)


def test_a_plain_date_formats_like_babel():
    day = date(2026, 11, 21)
    assert format_moment(day, "EEE, MMM d", "en_US") == "Sat, Nov 21"
    assert format_moment(day, "EEEE d 'de' MMMM", "es") == "sábado 21 de noviembre"


def test_kreyol_days_and_months_are_in_kreyol_not_french():
    day = date(2026, 11, 21)
    assert format_moment(day, "EEEE d MMMM", "ht") == "samdi 21 novanm"
    assert format_moment(day, "E d MMM", "ht") == "samdi 21 novanm"  # no made-up abbreviations
    assert format_moment(date(2027, 7, 14), "EEE d LLLL y", "ht") == "mèkredi 14 jiyè 2027"


def test_a_pattern_is_compiled_once_per_locale():
    assert compiled("h:mm a", "en_US") is compiled("h:mm a", "en_US")
    assert compiled("h:mm a", "en_US") is not compiled("h:mm a", "fr")
