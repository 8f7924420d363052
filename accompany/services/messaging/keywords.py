"""What an inbound text means: STOP, START, HELP, a yes or no (maybe with an urgent shift's code),
a ride request, a message that sounds like "stop texting me", or anything else.

The words live in the language catalogs (`KEYWORDS`, `ACKNOWLEDGEMENTS`, `THANKS`, `STOP_PHRASES` in
accompany/services/messaging/wording/*.py), so a language we text in is a language we understand
back. Matching ignores case, accents, spaces and punctuation: " Arrêter! ", "arreter" and "ARRÊTER"
are one word. A keyword is the whole message; the same word inside a longer message is for a
person to read, not for us to act on.

A reading also says the language of the words when they belong to one language only (AYUDA is
Spanish; PARAR is Spanish and Portuguese, STOP English and French, START every language's, so
those say none): the answer is then in that language, whoever sent it.

An acknowledgement ("OK", "d'accord", "sí gracias") is a yes that only confirms a family's
appointment: it is as likely to answer any text as the one asking, so it takes an urgent shift
only with the shift's code, and a question ("OK?") is for a person to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accompany.services.messaging.wording import CATALOGS
from accompany.words import fold

STOP, START, HELP = "stop", "start", "help"
YES, NO, RIDE = "yes", "no", "ride"
STOP_REQUEST, OTHER = "stop_request", "other"
DETAINED = "detained"  # a volunteer's report that someone was detained (services/detention/)
MEANINGS = (STOP, START, HELP, YES, NO, RIDE, DETAINED)

# The digits a family reminder asks for ("Reply 1 to confirm, 2 if you need a ride").
DIGITS = {"1": YES, "2": RIDE}
CODE = re.compile(r"(?:(?P<word>[a-z]+) (?P<code>\d{4})|(?P<code_first>\d{4}) (?P<word_after>[a-z]+))")


@dataclass(frozen=True)
class Reading:
    meaning: str
    code: str | None = None  # the urgent shift's code in "YES 4821"
    language: str | None = None  # the words' language, when they belong to one language only
    acknowledgement: bool = False  # "OK": a family's yes, not a volunteer's without the code

    @property
    def is_keyword(self) -> bool:
        return self.meaning in MEANINGS


def normalize(text: str) -> str:
    """Lower case, no accents, words and numbers apart, single spaces: "SÍ4821!" → "si 4821"."""
    plain = re.sub(r"[^\w]+|_", " ", fold(text))
    plain = re.sub(r"(?<=[^\W\d])(?=\d)|(?<=\d)(?=[^\W\d])", " ", plain)
    return " ".join(plain.split())


def _one(languages: frozenset[str]) -> str | None:
    """The language, when there is exactly one."""
    return next(iter(languages)) if len(languages) == 1 else None


@dataclass(frozen=True)
class Word:
    """A keyword: what it means and every language that has it."""

    meaning: str
    languages: frozenset[str]
    acknowledgement: bool = False

    @property
    def language(self) -> str | None:
        return _one(self.languages)


def _vocabulary() -> tuple[dict[str, Word], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """{word: Word}, {thanks: languages} and {phrase: languages} from every catalog. A word may be
    in several languages (PARAR), but a word that meant two things would make a reply ambiguous,
    so that is refused at import; so is a "thank you" that is also a keyword."""
    words: dict[str, Word] = {}
    thanks: dict[str, frozenset[str]] = {}
    phrases: dict[str, frozenset[str]] = {}

    def add(entry: str, meaning: str, language: str, acknowledgement: bool = False) -> None:
        word = normalize(entry)
        known = words.get(word)
        if known is not None and (known.meaning, known.acknowledgement) != (meaning, acknowledgement):
            raise ValueError(f"{entry!r} means both {known.meaning} and {meaning}")
        words[word] = Word(meaning, (known.languages if known else frozenset()) | {language}, acknowledgement)

    for language, catalog in CATALOGS.items():
        for meaning, entries in catalog.KEYWORDS.items():
            if meaning not in MEANINGS:
                raise ValueError(f"{language}: unknown keyword meaning {meaning!r}")
            for entry in entries:
                add(entry, meaning, language)
        for entry in catalog.ACKNOWLEDGEMENTS:
            add(entry, YES, language, acknowledgement=True)
        for entry in catalog.THANKS:
            thanks[normalize(entry)] = thanks.get(normalize(entry), frozenset()) | {language}
        for phrase in catalog.STOP_PHRASES:
            phrases[normalize(phrase)] = phrases.get(normalize(phrase), frozenset()) | {language}
    for entry in thanks:
        if entry in words:
            raise ValueError(f"{entry!r} is a keyword, not just thanks")
    return words, thanks, phrases


WORDS, THANKS, STOP_PHRASES = _vocabulary()


def read(body: str) -> Reading:
    """What `body` means."""
    text = normalize(body)
    if text in DIGITS:
        return Reading(DIGITS[text])
    if text in WORDS:
        word = WORDS[text]
        if word.acknowledgement and "?" in (body or ""):
            return Reading(OTHER, language=word.language)  # "OK?" asks something
        return Reading(word.meaning, language=word.language, acknowledgement=word.acknowledgement)
    coded = CODE.fullmatch(text)
    if coded:
        word = WORDS.get(coded["word"] or coded["word_after"])
        if word is not None and word.meaning in (YES, NO):
            return Reading(word.meaning, code=coded["code"] or coded["code_first"], language=word.language,
                           acknowledgement=word.acknowledgement)
    padded = f" {text} "
    heard = frozenset().union(*(languages for phrase, languages in STOP_PHRASES.items() if f" {phrase} " in padded))
    if heard:
        return Reading(STOP_REQUEST, language=_one(heard))
    return Reading(OTHER, language=_one(THANKS.get(text, frozenset())))


# "OK K7Q": a coordinator acknowledging a detention case. Any language's yes or acknowledgement
# (OK, YES, SI, SIM, WI, OUI...) and the case's code of three letters and digits; the code's
# alphabet (services/detention/cases.py) has no vowels and every code holds a digit, so no word
# ("ok thx") is mistaken for one.
DETENTION_CODE = re.compile(r"(?=.*[3479])[cdfhjkmnpqrtvwxy3479]{3}")


def read_case_acknowledgement(body: str) -> str | None:
    """The case code `body` acknowledges ("OK K7Q", "si, k7q", "Oui K7Q!"), upper case; else None."""
    words = re.sub(r"[^\w]+|_", " ", fold(body or "")).split()
    if len(words) < 2 or not DETENTION_CODE.fullmatch(words[-1]):
        return None
    said = WORDS.get(" ".join(words[:-1]))
    return words[-1].upper() if said is not None and said.meaning == YES else None
