"""Taking one of a limited number of places atomically: a slot of a shift, a place on a task.

The record's count goes up by a conditional UPDATE and the holder's row is guarded by a unique
constraint (one per person and record), both inside one savepoint: two people taking the last
place at once get exactly one, and a double tap is harmless (the second tap gets what the first
made, even when that was the last place).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from accompany.database import db

Holder = TypeVar("Holder")


def take_a_place(record, *, count: InstrumentedAttribute, has_free: ColumnElement[bool], holder: Holder,
                 holders: str, find_held: Callable[[], Holder | None], full: type[Exception]) -> tuple[Holder, bool]:
    """Add `holder` to `record` if a place is free (where `has_free`), counting it in `count`.

    Returns the holder and True when this call took the place; the person's existing holder and
    False when they already held one (a double tap, or the other tap took the last place). Raises
    `full` when every place is taken by others."""
    try:
        with db.session.begin_nested():
            counted = db.session.scalar(_count_one_more(type(record), count, has_free), {"record_id": record.id})
            if counted is None:
                raise full()
            db.session.add(holder)
            db.session.flush()
    except (full, IntegrityError) as problem:
        db.session.expire(record, [count.key, holders])
        held = find_held()
        if held is None:
            raise problem from None
        return held, False
    db.session.expire(record, [holders])
    set_committed_value(record, count.key, counted)  # what the database now holds, read back by the UPDATE
    return holder, True


_COUNT_ONE_MORE: dict[tuple, object] = {}


def _count_one_more(model, count: InstrumentedAttribute, has_free: ColumnElement[bool]):
    """`count + 1` on one record while `has_free`, returning the new count (none when no place is
    free): built once per model and count, with the record's id a parameter."""
    key = (model, count.key)
    if key not in _COUNT_ONE_MORE:
        _COUNT_ONE_MORE[key] = (update(model).where(model.id == bindparam("record_id"), has_free)
                                .values({count: count + 1}).returning(count)
                                .execution_options(synchronize_session=False))
    return _COUNT_ONE_MORE[key]
