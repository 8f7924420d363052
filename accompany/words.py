"""Words people type, read the same way everywhere: folded for matching, and a name's first word."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """`text` without case or accents, for matching what a person typed: 'Lucía' -> 'lucia'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def first_name(name: str | None) -> str:
    """The first word of a name ("" for none): how texts and buttons address a person, and all
    a volunteer is shown of a family."""
    return name.split()[0] if name and name.strip() else ""
