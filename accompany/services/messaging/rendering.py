"""The one place that turns an outbox row into the words of a text (DESIGN §4, §6.4); what the
text says comes from `facts`.

A row says who, what kind and what about (appointment, shift, `params`); the words are made at
send time from the current data, in the recipient's language. A text about something that has
changed says the new thing; a text about something that is gone or no longer true (a cancelled
appointment's reminder, a released shift's "starting soon") raises `NothingToSay`, and the
dispatcher cancels the row rather than send it.

Privacy: no family name is ever read here, so none can reach a body. Family texts say "your
appointment", the day, the time and the town; only a family set to plain wording is told the
place's name. Volunteers and coordinators get the role and the place.

Length: a text must fit in two SMS segments. The natural wording comes first; if it would not
fit (a long organization name, a Saturday in Spanish that turns the text into UCS-2), the date
is said the short way ("30/9"); then a name or place typed with letters outside GSM-7 is
written without its accents; only last do the optional sentences go (the gentle "missing it could
hurt your case", a volunteer's meeting point that the linked page also shows).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import ModuleType

from flask import current_app

from accompany.models import Language, MessageKind, OutboundMessage
from accompany.models.enums import FAMILY_REMINDER_KIND
from accompany.phones import format_national
from accompany.services.messaging import planning
from accompany.services.messaging.facts import Facts, UnknownKind, gather_facts
from accompany.services.messaging.segments import GSM_BASIC, GSM_EXTENSION, count_segments
from accompany.services.messaging.wording import CATALOGS, FALLBACK
from accompany.timezones import to_local

# Answers about a phone number (HELP, STOP, START), given in the webhook's reply to whoever
# texted, known or not: they name the organization and say how to stop already.
NUMBER_REPLIES = (MessageKind.REPLY_HELP, MessageKind.STOP_CONFIRMATION, MessageKind.START_CONFIRMATION)
# A coordinator's reply answers someone who texted us: it goes exactly as written.
AS_WRITTEN = frozenset({MessageKind.STAFF_REPLY})

MAX_SEGMENTS = 2
ARRIVE_EARLY = timedelta(minutes=30)  # security lines and check-in queues
READY_EARLY = timedelta(minutes=10)  # for an appointment by video
# The ways to make a text fit, tried in order: (compact date, plain letters in values, keep the
# optional sentences). Our own words are GSM-7; a value typed by a person ("María", "Praça São
# João") may not be, and one such letter halves the room, so only then are its accents dropped.
# Last of all go a family reminder's "missing it could hurt your case" and a volunteer's meeting
# point (the linked shift page still has it).
FITTING = ((False, False, True), (True, False, True), (True, True, True), (True, True, False))


@dataclass(frozen=True)
class RenderedText:
    body: str
    language: Language  # the language actually used (the recipient's, else English)
    segments: int


def render_text(message: OutboundMessage, *, now: datetime, first_contact: bool) -> RenderedText:
    """The body of `message` as it should go out now, or NothingToSay."""
    language = recipient_language(message)
    facts = gather_facts(message, now=now)
    if message.kind in AS_WRITTEN:
        return RenderedText(body=facts.message, language=language, segments=count_segments(facts.message))
    return _fitted(CATALOGS[language.value], message.kind, facts, language, now=now, first_contact=first_contact)


def render_number_reply(kind: MessageKind, language: str, *, now: datetime) -> RenderedText:
    """The answer to HELP, STOP or START, in `language` (the language of the word they sent:
    answering in a language we know them by would tell a stranger the number is ours)."""
    if kind not in NUMBER_REPLIES:
        raise UnknownKind(f"{kind!r} is not an answer about a number")
    if language not in CATALOGS:
        language = FALLBACK
    phone = format_national(current_app.config.get("ORG_HELP_PHONE"))
    key = f"{kind}.no_phone" if kind == MessageKind.REPLY_HELP and not phone else kind
    facts = Facts(key=key, tz_name=planning.org_timezone(), phone=phone)
    return _fitted(CATALOGS[language], kind, facts, Language(language), now=now, first_contact=False)


def _fitted(catalog: ModuleType, kind: str, facts: Facts, language: Language, *, now: datetime,
            first_contact: bool) -> RenderedText:
    """The first wording (see FITTING) that fits in MAX_SEGMENTS."""
    for compact, plain_values, keep_optional in FITTING:
        body = compose(catalog, kind, facts, now=now, first_contact=first_contact,
                       compact=compact, plain_values=plain_values, keep_optional=keep_optional)
        segments = count_segments(body)
        if segments <= MAX_SEGMENTS:
            break
    return RenderedText(body=body, language=language, segments=segments)


# -- language --------------------------------------------------------------------------------------


def recipient_language(message: OutboundMessage) -> Language:
    """The family's language, or a user's first language we have texts for; else English."""
    if message.family is not None:
        wanted = [message.family.language]
    elif message.user is not None:
        wanted = [entry.language for entry in message.user.languages]
    else:
        wanted = []
    for language in wanted:
        if language is not None and language.value in CATALOGS:
            return Language(language.value)
    return Language(FALLBACK)


# -- words ------------------------------------------------------------------------------------------


def compose(
    catalog: ModuleType, kind: str, facts: Facts, *, now: datetime, first_contact: bool,
    compact: bool = False, plain_values: bool = False, keep_optional: bool = True,
) -> str:
    """Fill the template for `facts` in `catalog`'s language."""
    words = catalog.WORDS
    org = current_app.config["ORG_NAME"]
    if plain_values:
        facts = replace(facts, **{name: gsm_letters(getattr(facts, name))
                                  for name in ("town", "place", "volunteer", "meeting")})
    slots = {
        "org": gsm_letters(org) if plain_values else org,
        "phone": facts.phone,
        "stop": words["stop"],
        "volunteer": facts.volunteer,
        "place": facts.place,
        "role": catalog.ROLES.get(facts.role, facts.role),
        "escort": words.get(f"escort_{facts.escort}", words["escort"]),
        "meeting": words["meeting"].format(meeting=facts.meeting) if facts.meeting and keep_optional else "",
        "link": words["link"].format(link=facts.link) if facts.link else "",
        "count": facts.count,
        "checks": facts.checks,
        "help": words["help"].format(phone=facts.phone) if facts.phone else words["help_reply"],
        "risk": words["risk"] if keep_optional else "",
        "code": facts.code,
        "minutes": facts.minutes,
        "message": facts.message,
    }
    if facts.starts_at is not None:
        local = to_local(facts.starts_at, facts.tz_name)
        days_until = (local.date() - to_local(now, facts.tz_name).date()).days
        early = READY_EARLY if facts.video else ARRIVE_EARLY
        slots.update(
            when=catalog.when(local, days_until, compact=compact),
            where=_where(words, facts),
            trip=words["trip_video" if facts.video else "trip"].format(arrive=catalog.arrival(local - early)),
            reply=words["reply_video" if facts.video else "reply"],
        )
    key = facts.key
    if key not in catalog.TEXTS and FAMILY_REMINDER_KIND.fullmatch(key):
        key = MessageKind.FAMILY_REMINDER  # at days the catalogs do not word one by one
    body = catalog.TEXTS[key].format(**slots)
    if first_contact:
        body = f"{words['intro'].format(org=slots['org'])}{body} {words['stop']}"
    body = re.sub(r"(?<!\.)\.\.(?!\.)", ".", body)  # "p.m." ending a sentence
    return re.sub(r"\s+", " ", body).strip()


def _where(words: dict, facts: Facts) -> str:
    """Discreet: the town only. Plain: the place's name. By video: no place at all."""
    if facts.video:
        return words["where_video"]
    if facts.plain and facts.place:
        return words["where_place"].format(place=facts.place)
    if facts.town:
        return words["where_town"].format(town=facts.town)
    return ""


LOOKALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                            "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ",
                            "\u0153": "oe", "\u0152": "OE"})


def gsm_letters(text: str) -> str:
    """`text` in GSM-7 letters: "María" → "Maria", curly quotes straight; what has no likeness goes."""
    kept = []
    for char in text.translate(LOOKALIKES):
        if char in GSM_BASIC or char in GSM_EXTENSION:
            kept.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        kept.extend(part for part in base if part in GSM_BASIC or part in GSM_EXTENSION)
    return "".join(kept)
