"""A detention case's timeline, as its page shows it: the case's own events (report, pause,
acknowledgement, resume, close...) and each step of its alert chain from the outbox (planned,
sent, stopped), in time order. Nothing here names a family or a number.

An event's detail is stored in English (fixed words, marked `N_` where they are written, or a
number in fixed words: `counted`); the timeline hands the page Phrases, so it reads in the
page's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from accompany.database import db
from accompany.marks import N_
from accompany.models import DetentionCase, DetentionEvent, MessageKind, MessageState, User
from accompany.phrases import Phrase
from accompany.services.detention.alert_chain import STEP_LABELS, chain_rows

EVENT_LABELS = {
    "reported": N_("Detention reported"),
    "texts_paused": N_("The family's texts paused"),
    "acknowledged": N_("Acknowledged"),
    "texts_resumed": N_("The family's texts resumed"),
    "texts_cancelled": N_("The family's waiting texts cancelled"),
    "number_switched": N_("The family's contact number changed"),
    "where_held": N_("Where held recorded"),
    "closed": N_("Case closed"),
    "step_done": N_("Checklist step done"),
    "step_undone": N_("Checklist step undone"),
}
ANSWER_LABELS = {
    MessageKind.REPLY_DETENTION_ACKNOWLEDGED: N_("Answer to an acknowledgement by text"),
    MessageKind.REPLY_DETENTION_REPORTED: N_("Confirmation to the volunteer who reported"),
}
# Details that carry a number (stored as their English: "3 waiting texts cancelled").
TEXTS_CANCELLED = N_("%(count)s waiting texts cancelled")
STEP_NUMBER = N_("step %(count)s")
COUNTED = (TEXTS_CANCELLED, STEP_NUMBER)
SENT = (MessageState.QUEUED, MessageState.SENT, MessageState.DELIVERED, MessageState.UNDELIVERED)


def add_event(case: DetentionCase, kind: str, *, now: datetime, actor: User | None = None,
              detail: str = "") -> None:
    """Add a line to the case's timeline: `detail` is fixed words, never a family's or free text."""
    db.session.add(DetentionEvent(case=case, at=now, kind=kind, actor=actor, detail=detail[:120]))


def counted(words: str, count: int) -> str:
    """A detail with a number (one of COUNTED), in English as it is stored."""
    return words % {"count": count}


def _detail(text: str) -> Phrase:
    """A stored detail as words a page translates: fixed words, an outcome's label, or COUNTED."""
    number = re.search(r"\d+", text)
    if number is not None:
        words = f"{text[:number.start()]}%(count)s{text[number.end():]}"
        if words in COUNTED:
            return Phrase(words, count=int(number[0]))
    return Phrase(text)


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: Phrase
    who: str = ""  # a coordinator's or volunteer's name (staff pages only)
    state: Phrase | MessageState | str = ""  # an alert step's state: planned, sent, stopped...
    detail: Phrase | str = ""


def case_timeline(case: DetentionCase) -> list[Entry]:
    entries = [Entry(event.at, Phrase(EVENT_LABELS.get(event.kind, event.kind)),
                     who=event.actor.name if event.actor is not None else "",
                     detail=_detail(event.detail) if event.detail else "")
               for event in case.events]
    for row in chain_rows(case):
        what = Phrase(STEP_LABELS.get(row.kind) or ANSWER_LABELS.get(row.kind, row.kind.value))
        if row.state in SENT:
            at, state = row.sent_at or row.not_before, Phrase(N_("sent") if not row.kind.is_voice_call else N_("call placed"))
        elif row.state == MessageState.CANCELLED:
            at, state = row.status_at or row.not_before, Phrase(N_("not sent") if row.kind in STEP_LABELS else N_("cancelled"))
        else:
            at, state = row.not_before, row.state
        entries.append(Entry(at, what, who=row.user.name if row.user is not None else "", state=state))
    return sorted(entries, key=lambda entry: entry.at)
