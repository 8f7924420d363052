"""What sending outbox rows reads besides the rows, read for a group of rows at once (issue 16).

Sending a row asks: who is the recipient (and their languages), has their number opted out, have
we texted them before (the first text introduces us), what is the row about (its appointment or
shift, the place, the family whose name a meeting point must not carry), and does the volunteer
still hold that shift. Asked row by row that is about ten queries a text. `prefetch` asks each
question once for a group of rows (the dispatcher's batch, a page of the message log) and answers
from memory; `ONE_BY_ONE` asks the database each time (one row on its own).

What is read here is only as fresh as the moment it was read: the dispatcher reads again for the
rows whose turn comes later than `dispatch.FRESH_FOR` after the last read (DESIGN §6.4: a text
says what is true when it goes, and the opt-out is checked then).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.models import Appointment, Claim, MessageKind, OptOut, OutboundMessage, Shift, User
from accompany.services.messaging import audience, outbox


def recipient_key(row: OutboundMessage) -> tuple[str, int]:
    return ("family", row.family_id) if row.family_id is not None else ("user", row.user_id)


class Lookups:
    """The questions sending a row asks, each answered with a query of its own."""

    def opted_out(self, phone_hash: str | None) -> bool:
        return audience.is_opted_out(phone_hash)

    def texted_before(self, row: OutboundMessage) -> bool:
        """Whether the row's recipient has had a text from us before (the first one introduces us)."""
        return outbox.has_been_texted(row)

    def holds(self, shift_id: int, volunteer_id: int) -> bool:
        """Whether the volunteer holds (has claimed) a slot of the shift."""
        return db.session.scalar(
            select(Claim.id).where(Claim.shift_id == shift_id, Claim.volunteer_id == volunteer_id).limit(1)
        ) is not None

    def first_held_shift(self, appointment_id: int, volunteer_id: int) -> Shift | None:
        """The volunteer's first shift of the appointment, if they hold one (a family's "who is coming")."""
        return db.session.scalar(_held_shifts({appointment_id}, {volunteer_id}).limit(1))


ONE_BY_ONE = Lookups()


class Prefetched(Lookups):
    """The answers for a group of rows, read together; `loaded` keeps what was read in memory
    (the session holds objects weakly, and rendering finds them there instead of asking). A
    question about anything else is asked the database, as ONE_BY_ONE does."""

    def __init__(self, rows: list[OutboundMessage], *, loaded: list, opted_out: set[str],
                 texted: dict[tuple[str, int], tuple[int, int]], held: set[tuple[int, int]],
                 first_held: dict[tuple[int, int], Shift]):
        self.rows, self.loaded = rows, loaded
        self.ids = {row.id for row in rows}
        self._opted_out, self._texted, self._held, self._first_held = opted_out, texted, held, first_held
        # What was asked about: the rows' numbers, recipients, shifts and volunteers, escorts.
        self._numbers = _numbers(rows)
        self._recipients = {recipient_key(row) for row in rows}
        self._shift_ids = {row.shift_id for row in rows if row.shift_id is not None}
        self._volunteer_ids = {row.user_id for row in rows if row.user_id is not None}
        self._escort_pairs = _escort_pairs(rows)

    def opted_out(self, phone_hash: str | None) -> bool:
        if phone_hash and phone_hash not in self._numbers:
            return super().opted_out(phone_hash)
        return not phone_hash or phone_hash in self._opted_out

    def texted_before(self, row: OutboundMessage) -> bool:
        if recipient_key(row) not in self._recipients:
            return super().texted_before(row)
        count, lowest_id = self._texted.get(recipient_key(row), (0, 0))
        return count > 1 or (count == 1 and lowest_id != row.id)  # a row's own sending does not count

    def note_texted(self, row_id: int, recipient: tuple[str, int]) -> None:
        """A row of this group went: its recipient has been texted now."""
        count, lowest_id = self._texted.get(recipient, (0, row_id))
        self._texted[recipient] = (count + 1, min(lowest_id, row_id))

    def holds(self, shift_id: int, volunteer_id: int) -> bool:
        if shift_id not in self._shift_ids or volunteer_id not in self._volunteer_ids:
            return super().holds(shift_id, volunteer_id)
        return (shift_id, volunteer_id) in self._held

    def first_held_shift(self, appointment_id: int, volunteer_id: int) -> Shift | None:
        if (appointment_id, volunteer_id) not in self._escort_pairs:
            return super().first_held_shift(appointment_id, volunteer_id)
        return self._first_held.get((appointment_id, volunteer_id))


def prefetch(rows: Iterable[OutboundMessage] | None = None, *, ids: Iterable[int] = ()) -> Prefetched:
    """Read what sending `rows` (or the rows with `ids`, read here too) asks, one query per kind
    of thing: the rows, their recipients and languages, the opt-outs among their numbers, who has
    been texted before, the shifts and appointments they are about with places and families, and
    the volunteers' claims on those shifts."""
    if rows is None:
        ids = list(ids)
        rows = list(db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.id.in_(ids))
            .options(selectinload(OutboundMessage.user).selectinload(User.languages),
                     selectinload(OutboundMessage.family))
        )) if ids else []
    rows = list(rows)
    loaded: list = list(rows)
    shift_ids = {row.shift_id for row in rows if row.shift_id is not None}
    shifts = list(db.session.scalars(select(Shift).where(Shift.id.in_(shift_ids)))) if shift_ids else []
    appointment_ids = {row.appointment_id for row in rows if row.appointment_id is not None}
    appointment_ids |= {shift.appointment_id for shift in shifts}
    if appointment_ids:
        loaded += db.session.scalars(
            select(Appointment).where(Appointment.id.in_(appointment_ids))
            .options(selectinload(Appointment.location), selectinload(Appointment.family))
        ).all()
    loaded += shifts
    first_held = _escorts(rows)
    loaded += [*first_held.values(), *_escort_users(rows)]
    return Prefetched(rows, loaded=loaded, opted_out=_opted_out(rows), texted=_texted(rows),
                      held=_held(rows, shift_ids), first_held=first_held)


def _numbers(rows: list[OutboundMessage]) -> set[str]:
    """The blind indexes of the rows' recipients' numbers."""
    return {person.phone_hash for row in rows for person in (row.family, row.user)
            if person is not None and person.phone_hash}


def _opted_out(rows: list[OutboundMessage]) -> set[str]:
    hashes = _numbers(rows)
    if not hashes:
        return set()
    return set(db.session.scalars(
        select(OptOut.phone_hash).where(OptOut.phone_hash.in_(hashes), OptOut.active.is_(True))
    ))


def _texted(rows: list[OutboundMessage]) -> dict[tuple[str, int], tuple[int, int]]:
    """Per recipient: how many of their rows went, and the lowest id among them."""
    family_ids = {row.family_id for row in rows if row.family_id is not None}
    user_ids = {row.user_id for row in rows if row.user_id is not None}
    if not family_ids and not user_ids:
        return {}
    found = db.session.execute(
        select(OutboundMessage.family_id, OutboundMessage.user_id, func.count(), func.min(OutboundMessage.id))
        .where(or_(OutboundMessage.family_id.in_(family_ids), OutboundMessage.user_id.in_(user_ids)),
               OutboundMessage.sent_at.is_not(None))
        .group_by(OutboundMessage.family_id, OutboundMessage.user_id)
    )
    return {(("family", family_id) if family_id is not None else ("user", user_id)): (count, lowest)
            for family_id, user_id, count, lowest in found}


def _held(rows: list[OutboundMessage], shift_ids: set[int]) -> set[tuple[int, int]]:
    """The (shift, volunteer) claims among the rows' shifts and their volunteers."""
    user_ids = {row.user_id for row in rows if row.user_id is not None and row.shift_id is not None}
    if not shift_ids or not user_ids:
        return set()
    return set(db.session.execute(
        select(Claim.shift_id, Claim.volunteer_id).where(and_(Claim.shift_id.in_(shift_ids),
                                                              Claim.volunteer_id.in_(user_ids)))
    ).tuples())


def _held_shifts(appointment_ids, volunteer_ids):
    """The shifts of the appointments the volunteers hold, each with its volunteer, first first."""
    return (select(Shift).join(Claim, Claim.shift_id == Shift.id)
            .where(Shift.appointment_id.in_(appointment_ids), Claim.volunteer_id.in_(volunteer_ids))
            .order_by(Shift.starts_at, Shift.id))


def _escort_pairs(rows: list[OutboundMessage]) -> set[tuple[int, int]]:
    """(appointment, volunteer) of each "a volunteer is coming with you" text among the rows."""
    return {(row.appointment_id, row.params["volunteer_id"]) for row in rows
            if row.kind == MessageKind.FAMILY_VOLUNTEER_CONFIRMED and row.appointment_id is not None
            and isinstance((row.params or {}).get("volunteer_id"), int)}


def _escorts(rows: list[OutboundMessage]) -> dict[tuple[int, int], Shift]:
    """For each of those pairs, the volunteer's first shift of the appointment, if they hold one."""
    pairs = _escort_pairs(rows)
    if not pairs:
        return {}
    found: dict[tuple[int, int], Shift] = {}
    for shift, volunteer_id in db.session.execute(
        _held_shifts({a for a, _ in pairs}, {v for _, v in pairs}).add_columns(Claim.volunteer_id)
    ):
        found.setdefault((shift.appointment_id, volunteer_id), shift)
    return {pair: shift for pair, shift in found.items() if pair in pairs}


def _escort_users(rows: list[OutboundMessage]) -> list[User]:
    """The volunteers those texts name (the family reads their first name)."""
    volunteer_ids = {volunteer_id for _, volunteer_id in _escort_pairs(rows)}
    return list(db.session.scalars(select(User).where(User.id.in_(volunteer_ids)))) if volunteer_ids else []
