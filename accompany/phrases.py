"""Words a service hands to a page without translating them (services never do): a `Phrase` is
the plain English text (it is that str, for logs and tests) and the marked words and values a
page shows it from, in its own language (`accompany.presentation.in_words`)."""

from __future__ import annotations


class Phrase(str):
    """`Phrase(N_("this shift needs someone who speaks %(language)s"), language=Language.SPANISH)`:
    reads "this shift needs someone who speaks Spanish"; a page shows it translated, the
    language's name too (an enum value stands for its label)."""

    words: str
    values: dict[str, object]

    def __new__(cls, words: str, **values: object) -> Phrase:
        english = {name: getattr(value, "label", value) for name, value in values.items()}
        phrase = super().__new__(cls, words % english if values else words)
        phrase.words, phrase.values = words, values
        return phrase


class Phrases(list):
    """Phrases (reasons), joined with "; " where they are written out."""

    def __str__(self) -> str:
        return "; ".join(self)


class Code(str):
    """Words a file or a form takes as they are, in English (a CSV's column names and accepted
    words): a `Phrase` shows them untranslated, as code."""
