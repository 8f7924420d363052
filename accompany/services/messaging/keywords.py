"""What an inbound text means: STOP, START, HELP, a yes or no (maybe with an urgent shift's code),
a ride request, a message that sounds like "stop texting me", or anything else.

The words live in the language catalogs (`KEYWORDS`, `STOP_PHRASES` in accompany/services/messaging/wording/*.py), so a
language we text in is a language we understand back. Matching ignores case, accents, spaces and
punctuation: " Arrêter! ", "arreter" and "ARRÊTER" are one word. A keyword is the whole message;
the same word inside a longer message is for a person to read, not for us to act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accompany.services.messaging.wording import CATALOGS, FALLBACK
from accompany.words import fold

STOP, START, HELP = "stop", "start", "help"
YES, NO, RIDE = "yes", "no", "ride"
STOP_REQUEST, OTHER = "stop_request", "other"
MEANINGS = (STOP, START, HELP, YES, NO, RIDE)

# The digits a family reminder asks for ("Reply 1 to confirm, 2 if you need a ride").
DIGITS = {"1": YES, "2": RIDE}
CODE = re.compile(r"(?:(?P<word>[a-z]+) (?P<code>\d{4})|(?P<code_first>\d{4}) (?P<word_after>[a-z]+))")


@dataclass(frozen=True)
class Reading:
    meaning: str
    code: str | None = None  # the urgent shift's code in "YES 4821"
    language: str = FALLBACK  # the language of the word, for answering in kind

    @property
    def is_keyword(self) -> bool:
        return self.meaning in MEANINGS


def normalize(text: str) -> str:
    """Lower case, no accents, words and numbers apart, single spaces: "SÍ4821!" → "si 4821"."""
    plain = re.sub(r"[^\w]+|_", " ", fold(text))
    plain = re.sub(r"(?<=[^\W\d])(?=\d)|(?<=\d)(?=[^\W\d])", " ", plain)
    return " ".join(plain.split())


def _vocabulary() -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """{word: (meaning, language)} and [(phrase, language)] from every catalog; a word that
    meant two things would make a reply ambiguous, so that is refused at import."""
    words: dict[str, tuple[str, str]] = {}
    phrases: list[tuple[str, str]] = []
    for language, catalog in CATALOGS.items():
        for meaning, entries in catalog.KEYWORDS.items():
            if meaning not in MEANINGS:
                raise ValueError(f"{language}: unknown keyword meaning {meaning!r}")
            for entry in entries:
                word = normalize(entry)
                known = words.setdefault(word, (meaning, language))
                if known[0] != meaning:
                    raise ValueError(f"{entry!r} means both {known[0]} and {meaning}")
        phrases.extend((normalize(phrase), language) for phrase in catalog.STOP_PHRASES)
    return words, phrases


WORDS, STOP_PHRASES = _vocabulary()


def read(body: str) -> Reading:
    """What `body` means."""
    text = normalize(body)
    if text in DIGITS:
        return Reading(DIGITS[text])
    if text in WORDS:
        meaning, language = WORDS[text]
        return Reading(meaning, language=language)
    coded = CODE.fullmatch(text)
    if coded:
        word = coded["word"] or coded["word_after"]
        meaning, language = WORDS.get(word, (None, FALLBACK))
        if meaning in (YES, NO):
            return Reading(meaning, code=coded["code"] or coded["code_first"], language=language)
    padded = f" {text} "
    for phrase, language in STOP_PHRASES:
        if f" {phrase} " in padded:
            return Reading(STOP_REQUEST, language=language)
    return Reading(OTHER)
