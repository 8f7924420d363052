"""Reading what people text us: every keyword in every language we text in, however it is typed."""

from __future__ import annotations

import pytest

from accompany.services.messaging import keywords
from accompany.services.messaging.keywords import (
    HELP,
    NO,
    OTHER,
    RIDE,
    START,
    STOP,
    STOP_REQUEST,
    YES,
    Reading,
    normalize,
    read,
)
from accompany.services.messaging.wording import CATALOGS

# How people actually type a word: as written, lower case, padded, shouted with punctuation...
VARIANTS = {
    "as written": lambda word: word,
    "lower": str.lower,
    "title, padded": lambda word: f"   {word.title()}  ",
    "punctuation": lambda word: f"{word}!!",
    "trailing period": lambda word: f"{word.lower()}.",
    "line break": lambda word: f"\n{word}\r\n",
    "no accents": lambda word: normalize(word).upper(),
}
EVERY_KEYWORD = [
    (language, meaning, word)
    for language, catalog in CATALOGS.items()
    for meaning, words in catalog.KEYWORDS.items()
    for word in words
]


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
@pytest.mark.parametrize("language, meaning, word", EVERY_KEYWORD, ids=lambda value: str(value))
def test_every_keyword_in_every_language_and_every_typing(language, meaning, word, variant):
    reading = read(VARIANTS[variant](word))
    assert reading.meaning == meaning
    assert reading.code is None


@pytest.mark.parametrize(
    "body, meaning, language",
    [
        ("STOP", STOP, "en"), ("PARAR", STOP, "es"), ("alto", STOP, "es"), ("Basta", STOP, "es"),
        ("PARE", STOP, "pt"), ("sair", STOP, "pt"), ("SISPANN", STOP, "ht"), ("Arrêter", STOP, "fr"),
        ("ARRETER", STOP, "fr"), ("stopall", STOP, "en"), ("Unsubscribe", STOP, "en"), ("cancel", STOP, "en"),
        ("END", STOP, "en"), ("quit", STOP, "en"),
        ("START", START, "en"), ("unstop", START, "en"), ("comenzar", START, "es"), ("KÒMANSE", START, "ht"),
        ("HELP", HELP, "en"), ("ayuda", HELP, "es"), ("AJUDA", HELP, "pt"), ("ÈD", HELP, "ht"), ("aide", HELP, "fr"),
    ],
)
def test_the_words_the_issue_names_and_the_language_they_are_in(body, meaning, language):
    assert read(body) == Reading(meaning, language=language)


@pytest.mark.parametrize(
    "body, meaning",
    [("1", YES), (" 1 ", YES), ("1.", YES), ("2", RIDE), ("2!", RIDE), ("YES", YES), ("Sí", YES), ("sim", YES),
     ("WI", YES), ("oui", YES), ("ride", RIDE), ("raite", RIDE), ("carona", RIDE), ("NO", NO), ("Não", NO)],
)
def test_family_and_volunteer_answers(body, meaning):
    assert read(body).meaning == meaning


@pytest.mark.parametrize(
    "body, meaning, code",
    [("YES 4821", YES, "4821"), ("yes4821", YES, "4821"), ("Sí 4821!", YES, "4821"), ("4821 yes", YES, "4821"),
     ("OUI  0042", YES, "0042"), ("wi 1234", YES, "1234"), ("NO 4821", NO, "4821"), ("não 4821", NO, "4821"),
     ("non 7777", NO, "7777")],
)
def test_a_yes_or_no_with_an_urgent_shifts_code(body, meaning, code):
    reading = read(body)
    assert (reading.meaning, reading.code) == (meaning, code)


@pytest.mark.parametrize(
    "body",
    ["Please stop texting me", "STOP SENDING ME THESE", "wrong number", "No me escriban más por favor",
     "Parem de me mandar mensagem", "pa voye m mesaj ankò", "Arrêtez de m'écrire", "remove me from this list"],
)
def test_messages_that_sound_like_stop_are_for_a_coordinator_to_read(body):
    assert read(body).meaning == STOP_REQUEST


@pytest.mark.parametrize(
    "body",
    ["", "   ", "Hola, ¿a qué hora es mi cita?", "3", "YES please, thank you so much", "Yes 12", "maybe 4821",
     "Ils vont m'arrêter?", "stopped by the office today", "😀", "<script>alert(1)</script>", "1 2"],
)
def test_anything_else_is_just_a_message(body):
    assert read(body).meaning == OTHER


def test_normalize_takes_away_case_accents_and_punctuation():
    assert normalize("  ¡SÍ!4821 ") == "si 4821"
    assert normalize("Arrêter") == normalize("ARRETER") == "arreter"
    assert normalize("ÈD") == "ed"


def test_a_word_with_two_meanings_is_refused_when_the_catalogs_load(monkeypatch):
    monkeypatch.setitem(CATALOGS["fr"].KEYWORDS, "start", [*CATALOGS["fr"].KEYWORDS["start"], "PARAR"])
    with pytest.raises(ValueError, match="means both"):
        keywords._vocabulary()
