"""`N_`: mark a string for the pages' catalogs where it is written, from any layer (models and
services included, which never translate); the page that shows it looks it up (`gettext(text)`).
Domain errors and enum labels are marked this way: logs keep the English, pages translate."""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 (the name babel's extractor looks for)
    """Return `text` unchanged: only marks it for `scripts/translations`."""
    return text
