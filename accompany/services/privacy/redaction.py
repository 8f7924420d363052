"""Taking names and numbers out of free text that leaves the app (texts, calendar feeds)."""

from __future__ import annotations

import re

from accompany.words import fold

PHONE_LIKE = re.compile(r"\+?\d(?:[\s().-]*\d){6,}")


def scrub_free_text(text: str | None, family_name: str | None) -> str:
    """Free text a coordinator typed, with the family's name and any phone number taken out.

    A meeting point such as "Maria's home, Chelsea" is usual; once it leaves the app (an SMS
    through the carrier, a calendar copied to another server) it reads "the family's home, Chelsea".
    Names are matched as `fold` reads words, on both sides: "José Pérez" is also "Jose", "JOSÉ",
    a "José" typed with a separate accent mark, and "the Perez home" (which reads "the family
    home"). The rest of the text keeps its accents and case.
    """
    text = PHONE_LIKE.sub("(number removed)", text or "").strip()
    words = sorted(set(re.findall(r"\w{2,}", fold(family_name))), key=len, reverse=True)
    if not words:
        return text
    name = "(?:" + "|".join(map(re.escape, words)) + ")"
    # One run of the name's words ("José Pérez", "the Perez") becomes one "the family".
    naming = re.compile(rf"(?<!\w)(?:the\s+)?{name}(?:\s+{name})*(?!\w)")
    folded, origin = _folded_with_origin(text)
    pieces, done = [], 0
    for found in naming.finditer(folded):
        start, end = origin[found.start()], origin[found.end()]
        pieces += [text[done:start], "The family" if text[start:start + 4] == "The " else "the family"]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """`fold(text)`, and for each of its characters (and for its end) the index in `text` it
    comes from. An accent mark typed on its own folds to nothing, so a match ends after it."""
    folded, origin = [], []
    for index, char in enumerate(text):
        part = fold(char)
        folded.append(part)
        origin += [index] * len(part)
    origin.append(len(text))
    return "".join(folded), origin


# Words a family on discreet wording is never sent (DESIGN §4), in the languages we text in.
DISCREET_WORDS = (
    "ice", "immigration", "immigrant", "court", "courthouse", "deportation", "deport", "deported",
    "detention", "detained", "removal", "judge", "hearing",
    "corte", "tribunal", "inmigracion", "migracion", "migra", "deportacion", "deportar", "detencion",
    "detenido", "detenida", "juez", "jueza", "audiencia", "expulsion", "remocion",
    "imigracao", "deportacao", "detencao", "detido", "detida", "juiz", "juiza", "audiencia", "remocao",
    "tribinal", "imigrasyon", "depotasyon", "detansyon", "jij", "odyans",
    "cour", "expulsion", "detention", "detenu", "detenue", "juge", "audience",
)


def indiscreet_words(text: str) -> list[str]:
    """The words of `text` (accents and case aside) that a discreet family must not be sent."""
    found = set(re.findall(r"\w+", fold(text))) & set(DISCREET_WORDS)
    return sorted(found)
