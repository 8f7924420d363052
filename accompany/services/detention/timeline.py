"""A detention case's timeline, as its page shows it: the case's own events (report, pause,
acknowledgement, resume, close...) and each step of its alert chain from the outbox (planned,
sent, stopped), in time order. Nothing here names a family or a number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accompany.database import db
from accompany.models import DetentionCase, DetentionEvent, MessageKind, MessageState, User
from accompany.services.detention.alert_chain import STEP_LABELS, chain_rows

EVENT_LABELS = {
    "reported": "Detention reported",
    "texts_paused": "The family's texts paused",
    "acknowledged": "Acknowledged",
    "texts_resumed": "The family's texts resumed",
    "texts_cancelled": "The family's waiting texts cancelled",
    "number_switched": "The family's contact number changed",
    "where_held": "Where held recorded",
    "closed": "Case closed",
    "step_done": "Checklist step done",
    "step_undone": "Checklist step undone",
}
ANSWER_LABELS = {
    MessageKind.REPLY_DETENTION_ACKNOWLEDGED: "Answer to an acknowledgement by text",
    MessageKind.REPLY_DETENTION_REPORTED: "Confirmation to the volunteer who reported",
}
SENT = (MessageState.QUEUED, MessageState.SENT, MessageState.DELIVERED, MessageState.UNDELIVERED)


def add_event(case: DetentionCase, kind: str, *, now: datetime, actor: User | None = None,
              detail: str = "") -> None:
    """Add a line to the case's timeline: `detail` is fixed words, never a family's or free text."""
    db.session.add(DetentionEvent(case=case, at=now, kind=kind, actor=actor, detail=detail[:120]))


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str
    who: str = ""  # a coordinator's or volunteer's name (staff pages only)
    state: str = ""  # an alert step's state: planned, sent, stopped...
    detail: str = ""


def case_timeline(case: DetentionCase) -> list[Entry]:
    entries = [Entry(event.at, EVENT_LABELS.get(event.kind, event.kind),
                     who=event.actor.name if event.actor is not None else "", detail=event.detail)
               for event in case.events]
    for row in chain_rows(case):
        what = STEP_LABELS.get(row.kind) or ANSWER_LABELS.get(row.kind, row.kind.value)
        if row.state in SENT:
            at, state = row.sent_at or row.not_before, "sent" if not row.kind.is_voice_call else "call placed"
        elif row.state == MessageState.CANCELLED:
            at, state = row.status_at or row.not_before, "not sent" if row.kind in STEP_LABELS else "cancelled"
        else:
            at, state = row.not_before, row.state.label.lower()
        entries.append(Entry(at, what, who=row.user.name if row.user is not None else "", state=state))
    return sorted(entries, key=lambda entry: entry.at)
