"""The short name texts introduce us by ("Accompany Network: ..."), read once at start.

`ORG_NAME` is for pages and can be as long as the organization likes; every first text, and
every answer to HELP, STOP and START, starts with the sender name, so its length comes out of
the room a text has (two segments at most). `SMS_SENDER_NAME` is that name: at most
SENDER_NAME_MAX characters of the GSM-7 alphabet. Unset, it is `ORG_NAME` when that is short
enough; otherwise production refuses to start and says what to set, and development and tests
use a shortened `ORG_NAME`.
"""

from __future__ import annotations

from accompany.services.messaging.segments import GSM_BASIC, gsm_letters

SENDER_NAME_MAX = 20


class BadSenderName(ValueError):
    """The sender name cannot go in texts; the message says why and what to set."""


def sms_sender_name(configured: str | None, org_name: str | None, *, production: bool) -> str:
    """The name texts start with: SMS_SENDER_NAME if set and valid, else ORG_NAME if it would do,
    else (outside production) ORG_NAME shortened to fit; BadSenderName says what is wrong."""
    configured = " ".join((configured or "").split())
    if configured:
        if problem := _problem(configured):
            raise BadSenderName(f"SMS_SENDER_NAME {problem}.")
        return configured
    org = " ".join((org_name or "").split())
    problem = _problem(org)
    if not problem:
        return org
    if production:
        raise BadSenderName(
            f"ORG_NAME {problem}, so it cannot start our texts: set SMS_SENDER_NAME to a short name "
            f"(at most {SENDER_NAME_MAX} letters, no accents other than GSM-7's, e.g. \"Accompany Network\")."
        )
    return shortened(org) or "Accompany"


def shortened(name: str) -> str:
    """`name` in GSM-7 letters, cut after the last whole word that fits in SENDER_NAME_MAX."""
    kept = ""
    for word in gsm_letters(name).split():
        candidate = f"{kept} {word}".strip()
        if len(candidate) > SENDER_NAME_MAX:
            break
        kept = candidate
    return kept or gsm_letters(name)[:SENDER_NAME_MAX].strip()


def _problem(name: str) -> str:
    """What is wrong with `name` as a sender name, in plain words; "" when nothing is."""
    if not name:
        return "is empty"
    outside = sorted({char for char in name if char not in GSM_BASIC or char in "\r\n"})
    if outside:
        shown = " ".join(outside)
        return f"has characters a text cannot carry cheaply ({shown}): use plain letters (GSM-7)"
    if len(name) > SENDER_NAME_MAX:
        return f"is {len(name)} characters long; texts allow at most {SENDER_NAME_MAX}"
    return ""
