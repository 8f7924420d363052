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
    for meaning, words in [*catalog.KEYWORDS.items(), (YES, catalog.ACKNOWLEDGEMENTS)]
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
        ("alto", STOP, "es"), ("Basta", STOP, "es"), ("PARE", STOP, "pt"), ("sair", STOP, "pt"),
        ("SISPANN", STOP, "ht"), ("Arrêter", STOP, "fr"), ("ARRETER", STOP, "fr"), ("stopall", STOP, "en"),
        ("Unsubscribe", STOP, "en"), ("END", STOP, "en"), ("quit", STOP, "en"),
        ("unstop", START, "en"), ("comenzar", START, "es"), ("KÒMANSE", START, "ht"),
        ("HELP", HELP, "en"), ("ayuda", HELP, "es"), ("AJUDA", HELP, "pt"), ("ÈD", HELP, "ht"), ("aide", HELP, "fr"),
        # Shared by several languages: the word tells none (the sender's language decides, inbound.py).
        ("STOP", STOP, None), ("PARAR", STOP, None), ("cancel", STOP, "en"), ("CANCELAR", STOP, None),
        ("START", START, None), ("NO", NO, None), ("non", NO, None), ("OK", YES, None),
    ],
)
def test_the_words_the_issue_names_and_the_language_they_are_in(body, meaning, language):
    assert read(body) == Reading(meaning, language=language, acknowledgement=body == "OK")


@pytest.mark.parametrize(
    "body, meaning, language",
    [
        ("OK", YES, None), ("ok!", YES, None), ("Okay.", YES, None), ("si confirmo", YES, "es"),
        ("Sí, confirmo", YES, "es"), ("sí gracias", YES, "es"), ("Si, gracias!", YES, "es"),
        ("wi mèsi", YES, "ht"), ("Wi, mesi", YES, "ht"), ("dakò", YES, "ht"), ("DAKO", YES, "ht"),
        ("d'accord", YES, "fr"), ("D’accord.", YES, "fr"), ("certo", YES, "pt"), ("Tá certo", YES, "pt"),
        ("jalón", RIDE, "es"), ("Necesito un jalon", RIDE, "es"), ("rait", RIDE, "es"), ("necesito ride", RIDE, "es"),
        ("preciso carona", RIDE, "pt"), ("m bezwen woulib", RIDE, "ht"),
    ],
)
def test_the_common_forms_the_issue_adds(body, meaning, language):
    reading = read(body)
    assert (reading.meaning, reading.language) == (meaning, language)


@pytest.mark.parametrize("body", ["OK", "sí gracias", "wi mèsi", "dakò", "d'accord", "certo", "OK 4821"])
def test_acknowledgements_are_a_yes_marked_as_such(body):
    reading = read(body)
    assert reading.meaning == YES and reading.acknowledgement


@pytest.mark.parametrize("body", ["YES", "1", "Sí", "si confirmo", "oui", "YES 4821"])
def test_a_plain_yes_is_not_an_acknowledgement(body):
    assert not read(body).acknowledgement


@pytest.mark.parametrize("body", ["OK?", "Certo?", "d'accord ?", "Dakò?"])
def test_an_acknowledgement_asked_as_a_question_is_for_a_person(body):
    assert read(body).meaning == OTHER


@pytest.mark.parametrize(
    "body, language",
    [("Merci", "fr"), ("merci beaucoup!", "fr"), ("Gracias", "es"), ("Obrigada", "pt"), ("Mèsi anpil", "ht"),
     ("Thank you", "en"), ("hello, who is this?", None), ("Merci, à quelle heure ?", None)],
)
def test_thanks_alone_is_for_a_person_but_tells_its_language(body, language):
    assert read(body) == Reading(OTHER, language=language)


def test_a_stop_sentence_tells_its_language_when_only_one_has_its_words():
    assert read("Please stop texting me").language == "en"
    assert read("pa voye m mesaj ankò").language == "ht"


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


def test_a_thanks_that_is_also_a_keyword_is_refused_when_the_catalogs_load(monkeypatch):
    monkeypatch.setattr(CATALOGS["fr"], "THANKS", [*CATALOGS["fr"].THANKS, "OUI"])
    with pytest.raises(ValueError, match="is a keyword"):
        keywords._vocabulary()


def test_a_word_with_two_meanings_is_refused_when_the_catalogs_load(monkeypatch):
    monkeypatch.setitem(CATALOGS["fr"].KEYWORDS, "start", [*CATALOGS["fr"].KEYWORDS["start"], "PARAR"])
    with pytest.raises(ValueError, match="means both"):
        keywords._vocabulary()
