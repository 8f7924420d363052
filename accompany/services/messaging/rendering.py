"""The one place that turns an outbox row into the words of a text (DESIGN §4, §6.4); what the
text says comes from `facts`.

A row says who, what kind and what about (appointment, shift, `params`); the words are made at
send time from the current data, in the recipient's language. A text about something that has
changed says the new thing; a text about something that is gone or no longer true (a cancelled
appointment's reminder, a released shift's "starting soon") raises `NothingToSay`, and the
dispatcher cancels the row rather than send it.

Privacy: no family name is ever read here, so none can reach a body. Family texts say "your
appointment", the day and the time, and for the place only its discreet label (which a
coordinator sets per place; none set, no place is named: a town like "Burlington" would give an
ICE office away); only a family set to plain wording is told the place's name. Volunteers and
coordinators get the role and the place.

A family reminder helps them plan (issue 13, point 5): the time to be there by (the place's own
minutes early), what to bring (the place's list, worded in each language), "reply 2 for a ride",
a line asking them to plan the trip today, and, for hearings and check-ins only, what missing it
means (plain wording about a hearing says it plainly: the judge can order removal in absence).

Dates are always words ("sabado 3 de octubre", never "3/10", which reads as 10 March next to US
court notices); the letters of a day or month name that GSM-7 lacks lose their accents
("sábado" → "sabado", "août" → "aout"), since one of them would turn the text into UCS-2 and halve
its room.

Length: a text must fit in two SMS segments. The natural wording comes first; if it would not
fit, a name or place typed with letters outside GSM-7 is written without its accents; then the
date leaves out the day's name ("30 de septiembre"), and the family reminder's planning helps go
(first "plan today how you will get there", then what to bring); then the optional sentences go
(the gentle "missing it could hurt your case", a volunteer's meeting point that the linked page
also shows); last of all the link. If even that is too long, `TextTooLong` says so: a text is never sent as
three segments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import ModuleType

from flask import current_app

from accompany.marks import N_
from accompany.models import Family, Language, MessageKind, OutboundMessage, User
from accompany.models.enums import FAMILY_REMINDER_KIND
from accompany.phones import format_national
from accompany.services.messaging import audience
from accompany.services.messaging.facts import Facts, UnknownKind, gather_facts
from accompany.services.messaging.prefetch import ONE_BY_ONE, Lookups
from accompany.services.messaging.segments import count_segments, gsm_letters
from accompany.services.messaging.wording import CATALOGS, FALLBACK
from accompany.timezones import to_local

# Answers about a phone number (HELP, STOP, START), given in the webhook's reply to whoever
# texted, known or not: they name the organization and say how to stop already.
NUMBER_REPLIES = (MessageKind.REPLY_HELP, MessageKind.STOP_CONFIRMATION, MessageKind.START_CONFIRMATION)
# A coordinator's reply answers someone who texted us: it goes exactly as written.
AS_WRITTEN = frozenset({MessageKind.STAFF_REPLY})

MAX_SEGMENTS = 2
READY_EARLY = timedelta(minutes=10)  # for an appointment by video
# The ways to make a text fit, tried in order: (plain letters in values, the planning helps a
# family reminder keeps (2: plan line and what to bring, 1: what to bring, 0: neither), the day's
# name in the date, the optional sentences, the link). Our own words are GSM-7; a value typed by
# a person ("María", "Praça São João") may not be, and one such letter halves the room, so first
# its accents go. Then the "plan today" line, then what to bring; then the day's name
# ("Wednesday"); the date stays in words. Then a family reminder's "missing it could hurt your
# case" and a volunteer's meeting point (the linked page has it); last the link (the dashboard
# and the volunteer's shifts page lead there too). When, where, the time to be there and "reply
# 2 for a ride" always stay.
FITTING = (
    (False, 2, True, True, True),
    (True, 2, True, True, True),
    (True, 1, True, True, True),
    (True, 0, True, True, True),
    (True, 0, False, True, True),
    (True, 0, False, False, True),
    (True, 0, False, False, False),
)


TOO_LONG = N_("Not sent: even at its shortest this text would take %(segments)s SMS segments (at most %(most)s). "
              "Shorten the place's name or discreet name on the place's page.")


class TextTooLong(ValueError):
    """Even the shortest wording of a text takes more than MAX_SEGMENTS: it must not go."""

    def __init__(self, kind: str, segments: int):
        super().__init__(TOO_LONG % {"segments": segments, "most": MAX_SEGMENTS})
        self.kind, self.segments = kind, segments


@dataclass(frozen=True)
class RenderedText:
    body: str
    language: Language  # the language actually used (the recipient's, else English)
    segments: int


def render_text(message: OutboundMessage, *, now: datetime, first_contact: bool,
                lookups: Lookups = ONE_BY_ONE) -> RenderedText:
    """The body of `message` as it should go out now, or NothingToSay."""
    language = recipient_language(message)
    facts = gather_facts(message, now=now, lookups=lookups)
    if message.kind in AS_WRITTEN:
        return RenderedText(body=facts.message, language=language, segments=count_segments(facts.message))
    return _fitted(CATALOGS[language.value], message.kind, facts, language, now=now, first_contact=first_contact)


def render_number_reply(kind: MessageKind, language: str, *, now: datetime) -> RenderedText:
    """The answer to HELP, STOP or START (or the help text for a text left for a person), in
    `language` (inbound.answer_language chooses it)."""
    if kind not in NUMBER_REPLIES:
        raise UnknownKind(f"{kind!r} is not an answer about a number")
    if language not in CATALOGS:
        language = FALLBACK
    phone = format_national(current_app.config.get("ORG_HELP_PHONE"))
    key = f"{kind}.no_phone" if kind == MessageKind.REPLY_HELP and not phone else kind
    facts = Facts(key=key, tz_name=audience.org_timezone(), phone=phone)
    return _fitted(CATALOGS[language], kind, facts, Language(language), now=now, first_contact=False)


def _fitted(catalog: ModuleType, kind: str, facts: Facts, language: Language, *, now: datetime,
            first_contact: bool) -> RenderedText:
    """The first wording (see FITTING) that fits in MAX_SEGMENTS, or TextTooLong."""
    for plain_values, helps, weekday, keep_optional, keep_link in FITTING:
        body = compose(catalog, kind, facts, now=now, first_contact=first_contact, plain_values=plain_values,
                       helps=helps, weekday=weekday, keep_optional=keep_optional, keep_link=keep_link)
        segments = count_segments(body)
        if segments <= MAX_SEGMENTS:
            return RenderedText(body=body, language=language, segments=segments)
    raise TextTooLong(kind, segments)


# -- language --------------------------------------------------------------------------------------


def recipient_language(message: OutboundMessage) -> Language:
    """The family's language, or a user's first language we have texts for; else English."""
    if message.family is not None:
        return spoken_language([message.family], [])
    return spoken_language([], [message.user] if message.user is not None else [])


def spoken_language(families: Iterable[Family], users: Iterable[User]) -> Language:
    """The first of the families' languages, then of the users' (each user's chosen language, then
    the ones they speak), that we have texts for; else English."""
    wanted = [family.language for family in families]
    for user in users:
        wanted += [user.preferred_language, *(entry.language for entry in user.languages)]
    for language in wanted:
        if language is not None and language.value in CATALOGS:
            return Language(language.value)
    return Language(FALLBACK)


# -- words ------------------------------------------------------------------------------------------


def compose(
    catalog: ModuleType, kind: str, facts: Facts, *, now: datetime, first_contact: bool,
    plain_values: bool = False, helps: int = 2, weekday: bool = True, keep_optional: bool = True,
    keep_link: bool = True,
) -> str:
    """Fill the template for `facts` in `catalog`'s language."""
    words = catalog.WORDS
    org = current_app.config["SMS_SENDER_NAME"]
    if plain_values:
        facts = replace(facts, **{name: gsm_letters(getattr(facts, name))
                                  for name in ("place", "label", "volunteer", "meeting")})
    slots = {
        "org": gsm_letters(org) if plain_values else org,
        "phone": facts.phone,
        "stop": words["stop"],
        "volunteer": facts.volunteer,
        "place": facts.place,
        "role": catalog.ROLES.get(facts.role, facts.role),
        "escort": words.get(f"escort_{facts.escort}", words["escort"]),
        "meeting": words["meeting"].format(meeting=facts.meeting) if facts.meeting and keep_optional else "",
        "link": words["link"].format(link=facts.link) if facts.link and keep_link else "",
        "count": facts.count,
        "checks": facts.checks,
        "needs": _needs_due(words, facts.needs),
        "help": words["help"].format(phone=facts.phone) if facts.phone else words["help_reply"],
        "risk": _consequence(words, facts) if keep_optional else "",
        "plan": words["plan"] if helps >= 2 and not facts.video else "",
        "bring": _bring(catalog, facts) if helps >= 1 and not facts.video else "",
        "code": facts.code,
        "minutes": facts.minutes,
        "message": facts.message,
        "days": facts.days,
    }
    if facts.starts_at is not None:
        local = to_local(facts.starts_at, facts.tz_name)
        days_until = (local.date() - to_local(now, facts.tz_name).date()).days
        early = READY_EARLY if facts.video else timedelta(minutes=facts.arrive_early)
        slots.update(
            when=gsm_letters(catalog.when(local, days_until, weekday=weekday)),
            where=_where(words, facts),
            trip=words["trip_video" if facts.video else "trip"].format(arrive=catalog.arrival(local - early)),
            reply=words["reply_video" if facts.video else "reply"],
        )
    slots["escort"] = slots["escort"].format(when=slots.get("when", ""))  # "will pick you up {when}"
    key = facts.key
    if key not in catalog.TEXTS and FAMILY_REMINDER_KIND.fullmatch(key):
        key = MessageKind.FAMILY_REMINDER  # at days the catalogs do not word one by one
    body = catalog.TEXTS[key].format(**slots)
    if first_contact:
        body = f"{words['intro'].format(org=slots['org'])}{body} {words['stop']}"
    body = re.sub(r"(?<!\.)\.\.(?!\.)", ".", body)  # "p.m." ending a sentence
    return re.sub(r"\s+", " ", body).strip()


def _where(words: dict, facts: Facts) -> str:
    """Plain: the place's name. Discreet: the place's discreet label, else no place at all. By
    video: no place at all."""
    if facts.video:
        return words["where_video"]
    if facts.plain and facts.place:
        return words["where_place"].format(place=facts.place)
    if facts.label:
        return words["where_place"].format(place=facts.label)
    return ""


def _needs_due(words: dict, count: int) -> str:
    """'1 family need is due this week or overdue.' / '3 family needs are ...'; none: nothing."""
    if not count:
        return ""
    return words["needs_one"] if count == 1 else words["needs_many"].format(count=count)


def _consequence(words: dict, facts: Facts) -> str:
    """What missing it means: for hearings and check-ins only; said plainly only about a hearing
    to a family set to plain wording."""
    if not facts.stakes:
        return ""
    return words["risk_hearing"] if facts.plain and facts.stakes == "hearing" else words["risk"]


def _bring(catalog: ModuleType, facts: Facts) -> str:
    """'Bring a photo ID, your papers and the letter with this date.'"""
    items = [catalog.BRING[item] for item in facts.bring]
    if not items:
        return ""
    listed = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {catalog.WORDS['and']} {items[-1]}"
    return catalog.WORDS["bring"].format(items=listed)
