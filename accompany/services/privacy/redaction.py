"""Taking names and numbers out of free text that leaves the app (texts, calendar feeds)."""

from __future__ import annotations

import re

from accompany.words import fold

PHONE_LIKE = re.compile(r"\+?\d(?:[\s().-]*\d){6,}")


def scrub_free_text(text: str | None, family_name: str | None) -> str:
    """Free text a coordinator typed, with the family's name and any phone number taken out.

    A meeting point such as "Maria's home, Chelsea" is usual; once it leaves the app (an SMS
    through the carrier, a calendar copied to another server) it reads "the family's home, Chelsea".
    """
    text = PHONE_LIKE.sub("(number removed)", text or "").strip()
    for word in sorted(set(re.findall(r"\w{2,}", family_name or "")), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(word)}\b", "the family", text, flags=re.IGNORECASE)
    return text


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
