"""The coordinators' inbox: texts people sent us, as conversations, one per phone number.

A conversation is keyed by the number's keyed hash (never the number), so its address names
nobody. Texts a keyword dealt with (STOP, 1, YES 4821...) arrive handled; anything else waits
for a coordinator, who can answer from the app (the answer goes through the outbox like every
other text), mark it dealt with, or opt the number out when it asked to be left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update

from accompany.database import db
from accompany.models import Family, InboundMessage, MessageKind, MessageState, OutboundMessage, User, Wording
from accompany.services.errors import DomainError
from accompany.services.messaging import audience, codes, family_texts, keywords, planning
from accompany.services.messaging.inbound import Senders, opt_out
from accompany.services.messaging.rendering import MAX_SEGMENTS
from accompany.services.messaging.segments import count_segments
from accompany.services.privacy.audit import record_event
from accompany.services.privacy.redaction import PHONE_LIKE, indiscreet_words

REPLY_VALID_FOR = timedelta(hours=12)
THREAD_LENGTH = 100  # the latest texts each way


class CannotReply(DomainError):
    field = "text"


@dataclass(frozen=True)
class Conversation:
    key: str
    family: Family | None
    user: User | None
    last_at: datetime
    waiting: int  # texts nobody has dealt with yet
    stop_request: bool  # one of them sounds like "stop texting me"
    phone: str  # the number, for showing masked


@dataclass(frozen=True)
class Entry:
    at: datetime
    incoming: bool
    body: str
    kind: str
    state: MessageState | None = None  # outgoing: where the text is (the page words it)
    handled: bool = True
    sent: bool = False  # outgoing: it went to the carrier (else it is still planned)


@dataclass(frozen=True)
class Thread:
    conversation: Conversation
    entries: list[Entry]
    opted_out: bool
    newest_id: int  # the newest text from the number: what "seen" means on the page

    @property
    def recipient(self) -> Family | User | None:
        return self.conversation.family or self.conversation.user


def conversations(*, limit: int = 50) -> list[Conversation]:
    """The latest conversations, those waiting for someone first (a fixed number of queries)."""
    waiting = func.sum(case((InboundMessage.handled_at.is_(None), 1), else_=0))
    asks_to_stop = func.max(case(
        ((InboundMessage.handled_at.is_(None)) & (InboundMessage.kind == keywords.STOP_REQUEST), 1), else_=0))
    rows = db.session.execute(
        select(InboundMessage.from_hash, func.max(InboundMessage.received_at), waiting, asks_to_stop,
               func.max(InboundMessage.id))
        .group_by(InboundMessage.from_hash)
        .order_by(case((waiting > 0, 0), else_=1), func.max(InboundMessage.received_at).desc())
        .limit(limit)
    ).all()
    latest = {m.from_hash: m for m in db.session.scalars(
        select(InboundMessage).where(InboundMessage.id.in_([row[4] for row in rows])))}
    senders = _senders(latest)
    return [_conversation(senders[key], last_at, count, bool(stop)) for key, last_at, count, stop, _ in rows]


def _conversation(senders: Senders, last_at: datetime, waiting: int, stop: bool) -> Conversation:
    return Conversation(
        key=senders.phone_hash, family=senders.families[0] if senders.families else None,
        user=senders.users[0] if senders.users else None, last_at=last_at, waiting=int(waiting or 0),
        stop_request=stop, phone=senders.phone,
    )


def _senders(latest: dict[str, InboundMessage]) -> dict[str, Senders]:
    """Who each number (by its key, with its latest text) belongs to now, or, if nobody has it
    any more, who sent that text. Four queries however many numbers."""
    keys = list(latest)
    families: dict[str, list[Family]] = {key: [] for key in keys}
    for family in db.session.scalars(select(Family).where(Family.phone_hash.in_(keys), Family.purged_at.is_(None))
                                     .order_by(Family.closed_at.is_not(None), Family.id)):
        families[family.phone_hash].append(family)
    users: dict[str, list[User]] = {key: [] for key in keys}
    for user in db.session.scalars(select(User).where(User.phone_hash.in_(keys)).order_by(User.id)):
        users[user.phone_hash].append(user)
    gone_families = {m.family_id for key, m in latest.items() if not families[key] and m.family_id}
    gone_users = {m.user_id for key, m in latest.items() if not users[key] and m.user_id}
    by_id_family = {f.id: f for f in db.session.scalars(select(Family).where(Family.id.in_(gone_families)))}
    by_id_user = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(gone_users)))}
    return {
        key: Senders(
            phone=message.from_phone, phone_hash=key,
            families=families[key] or _listed(by_id_family.get(message.family_id)),
            users=users[key] or _listed(by_id_user.get(message.user_id)),
        )
        for key, message in latest.items()
    }


def _listed(found):
    return [found] if found is not None else []


def thread(key: str, *, by: User, now: datetime) -> Thread | None:
    """Everything said each way with the number `key`, oldest first; None when it never texted us."""
    inbound = list(db.session.scalars(
        select(InboundMessage).where(InboundMessage.from_hash == key)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(THREAD_LENGTH)
    ))
    if not inbound:
        return None
    latest = inbound[0]
    waiting = sum(1 for m in inbound if m.handled_at is None)
    stop = any(m.handled_at is None and m.kind == keywords.STOP_REQUEST for m in inbound)
    senders = _senders({key: latest})[key]
    conversation = _conversation(senders, latest.received_at, waiting, stop)
    entries = [Entry(at=m.received_at, incoming=True, body=m.body, kind=m.kind, handled=m.handled_at is not None)
               for m in inbound]
    recipients = [OutboundMessage.family_id == f.id for f in senders.families]
    recipients += [OutboundMessage.user_id == u.id for u in senders.users]
    if recipients:
        # What went out, and the coordinators' own answers still on their way (not every
        # reminder planned for the weeks ahead).
        outbound = db.session.scalars(
            select(OutboundMessage).where(or_(*recipients), or_(OutboundMessage.sent_at.is_not(None),
                                                                OutboundMessage.kind == MessageKind.STAFF_REPLY))
            .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc()).limit(THREAD_LENGTH)
        )
        entries += [Entry(at=m.sent_at or m.created_at, incoming=False,
                          body=codes.HIDDEN if m.kind.is_one_time_code else m.body or "", kind=m.kind,
                          state=m.state, sent=m.sent_at is not None) for m in outbound]
    entries.sort(key=lambda entry: entry.at)
    if conversation.family is not None:
        record_event("conversation.viewed", now=now, actor=by, subject=conversation.family)
    return Thread(conversation=conversation, entries=entries, opted_out=audience.is_opted_out(key),
                  newest_id=latest.id)


# -- acting on a conversation ----------------------------------------------------------------------


def reply(key: str, text: str, *, by: User, now: datetime, seen: int | None = None) -> OutboundMessage:
    """Plan `text` to the family or person with this number, and mark the texts up to `seen`
    dealt with. Raises CannotReply with what to change."""
    found = thread_recipient(key)
    text = " ".join((text or "").split())
    if found is None:
        raise CannotReply("This number is not a family's or a volunteer's in our records, so we cannot text it from here.")
    if audience.is_opted_out(key):
        raise CannotReply("This number opted out (STOP). Nothing can be sent until they text START.")
    if not text:
        raise CannotReply("Write the reply first.")
    if count_segments(text) > MAX_SEGMENTS:
        raise CannotReply("That is too long for a text: keep it under about 300 letters (fewer with accents).")
    if PHONE_LIKE.search(text):
        raise CannotReply("Leave phone numbers out of texts: anyone holding the phone can read them.")
    if isinstance(found, Family):
        if _names(found.name) & _names(text):
            raise CannotReply("Leave the family's name out: anyone holding the phone can read the text.")
        if found.wording == Wording.DISCREET and indiscreet_words(text):
            raise CannotReply("This family gets discreet texts: leave out words like "
                              + ", ".join(indiscreet_words(text)) + ".")
        if not audience.family_may_be_texted(found):
            raise CannotReply("This family has no consent to texts on file, or its record is closed: call instead.")
        # Family texts wait for daytime in the family's zone (the next morning at worst).
        row = family_texts.plan_family_text(_key(key, now), MessageKind.STAFF_REPLY, found, now=now,
                                        send_before=family_texts.answer_deadline(now), params={"by": by.id})
        if row is None:
            raise CannotReply("There is no daytime hour to send it in soon: try again in the morning.")
    else:
        if not audience.user_may_be_texted(found):
            raise CannotReply(f"{found.first_name or 'This person'} does not take texts (texts are off in their "
                              "profile, or their account is not active): call instead.")
        row = planning.plan_message(_key(key, now), kind=MessageKind.STAFF_REPLY, now=now, not_before=now,
                                    send_before=now + REPLY_VALID_FOR, user=found, params={"by": by.id})
    row.body = text
    mark_handled(key, by=by, now=now, seen=seen)
    record_event("conversation.replied", now=now, actor=by, subject=found)
    db.session.flush()
    return row


def thread_recipient(key: str) -> Family | User | None:
    """Whom an answer to the number `key` goes to: its family (an open one first), else its account."""
    family = db.session.scalar(select(Family).where(Family.phone_hash == key, Family.purged_at.is_(None))
                               .order_by(Family.closed_at.is_not(None), Family.id).limit(1))
    return family or db.session.scalar(select(User).where(User.phone_hash == key).order_by(User.id).limit(1))


# Words inside names that are everyday words too ("María de la Cruz": "la cita es el martes").
NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "el", "da", "das", "do", "dos", "di", "du", "le",
                            "les", "van", "von", "der", "den", "y", "e", "et", "st", "ste"})


def _names(name: str | None) -> set[str]:
    """The words of a family's name that give it away (not initials, not particles)."""
    return {word for word in keywords.normalize(name or "").split() if len(word) > 1 and word not in NAME_PARTICLES}


def _key(key: str, now: datetime) -> str:
    return f"reply:{key[:24]}:{now.strftime('%Y%m%dT%H%M%S.%f')}"


def mark_handled(key: str, *, by: User, now: datetime, seen: int | None = None) -> int:
    """The waiting texts from this number, up to the newest the coordinator saw (`seen`), are
    dealt with; one that came in since stays waiting."""
    up_to = [InboundMessage.id <= seen] if seen is not None else []
    return db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.from_hash == key, InboundMessage.handled_at.is_(None), *up_to)
        .values(handled_at=now, handled_by_id=by.id)
        .execution_options(synchronize_session=False)
    ).rowcount


def opt_out_number(key: str, *, by: User, now: datetime, seen: int | None = None) -> bool:
    """A coordinator read "please stop texting me": nothing more goes to the number. False when it
    was opted out already (the button pressed twice): what waits is dealt with, nothing else."""
    latest = db.session.scalar(select(InboundMessage).where(InboundMessage.from_hash == key)
                               .order_by(InboundMessage.received_at.desc()).limit(1))
    if latest is None:
        raise DomainError("This number never texted us.")
    if audience.is_opted_out(key):
        mark_handled(key, by=by, now=now, seen=seen)
        return False
    senders = _senders({key: latest})[key]
    opt_out(senders, now=now, keyword="coordinator")
    mark_handled(key, by=by, now=now, seen=seen)
    subject = senders.families[0] if senders.families else senders.users[0] if senders.users else None
    record_event("conversation.opted_out", now=now, actor=by, subject=subject)
    return True
