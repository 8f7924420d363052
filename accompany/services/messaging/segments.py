"""How many SMS segments a text costs, counted the way carriers count (GSM 03.38 / 3GPP TS 23.038).

A text that uses only the GSM-7 alphabet travels in 7-bit septets: 160 in a single segment,
153 per segment once it is split (the rest carries the concatenation header). Characters from
the extension table are sent as an escape plus a septet, so they cost two, and the two are never
split across segments. One character outside GSM-7 turns the whole text into UCS-2: 70 UTF-16
code units in one segment, 67 per segment when split, and a surrogate pair (most emoji) is never
split either.

No national language shift tables: carriers in the US do not use them, so "á" or "ç" mean UCS-2.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"

# The basic character set, in table order (0x00-0x7F). 0x1B is the escape to the extension
# table and is not a character of its own, so it is left out.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"  # 0x00-0x0F
    "Δ_ΦΓΛΩΠΨΣΘΞ" "ÆæßÉ"  # 0x10-0x1F (0x1B is the escape)
    " !\"#¤%&'()*+,-./"  # 0x20-0x2F
    "0123456789:;<=>?"  # 0x30-0x3F
    "¡ABCDEFGHIJKLMNO"  # 0x40-0x4F
    "PQRSTUVWXYZÄÖÑÜ§"  # 0x50-0x5F
    "¿abcdefghijklmno"  # 0x60-0x6F
    "pqrstuvwxyzäöñüà"  # 0x70-0x7F
)

# The extension table: each is sent as ESC + one septet.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {GSM_7: 160, UCS_2: 70}
PER_PART = {GSM_7: 153, UCS_2: 67}


def encoding(text: str) -> Literal["GSM-7", "UCS-2"]:
    """GSM-7 when every character is in the GSM basic or extension table, else UCS-2."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        return GSM_7
    return UCS_2


def _units(text: str, kind: str) -> list[int]:
    """What each character costs: septets for GSM-7, UTF-16 code units for UCS-2."""
    if kind == GSM_7:
        return [2 if char in GSM_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def count_segments(text: str) -> int:
    """How many segments `text` is sent as (an empty text still costs one)."""
    kind = encoding(text)
    units = _units(text, kind)
    if sum(units) <= SINGLE[kind]:
        return 1
    capacity = PER_PART[kind]
    segments, used = 1, 0
    for cost in units:  # fill greedily; a two-unit character never straddles a boundary
        if used + cost > capacity:
            segments, used = segments + 1, 0
        used += cost
    return segments


LOOKALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                            "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ",
                            "\u0153": "oe", "\u0152": "OE"})


def gsm_letters(text: str) -> str:
    """`text` in GSM-7 letters: "María" → "Maria", "août" → "aout", curly quotes straight; the
    accented letters GSM-7 has ("é", "ñ", "ü", "à") stay; what has no likeness goes."""
    kept = []
    for char in text.translate(LOOKALIKES):
        if char in GSM_BASIC or char in GSM_EXTENSION:
            kept.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        kept.extend(part for part in base if part in GSM_BASIC or part in GSM_EXTENSION)
    return "".join(kept)
