"""Taking one of a limited number of places atomically: a slot of a shift, a place on a task.

The record's count goes up by a conditional UPDATE and the holder's row is guarded by a unique
constraint (one per person and record), both inside one savepoint: two people taking the last
place at once get exactly one, and a double tap is harmless (the second tap gets what the first
made, even when that was the last place).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from accompany.database import db

Holder = TypeVar("Holder")


def take_a_place(record, *, count: InstrumentedAttribute, has_free: ColumnElement[bool], holder: Holder,
                 holders: str, find_held: Callable[[], Holder | None], full: type[Exception]) -> tuple[Holder, bool]:
    """Add `holder` to `record` if a place is free (where `has_free`), counting it in `count`.

    Returns the holder and True when this call took the place; the person's existing holder and
    False when they already held one (a double tap, or the other tap took the last place). Raises
    `full` when every place is taken by others."""
    model = type(record)
    try:
        with db.session.begin_nested():
            taken = db.session.execute(
                update(model)
                .where(model.id == record.id, has_free)
                .values({count: count + 1})
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                raise full()
            db.session.add(holder)
            db.session.flush()
    except (full, IntegrityError) as problem:
        db.session.expire(record, [count.key, holders])
        held = find_held()
        if held is None:
            raise problem from None
        return held, False
    db.session.expire(record, [count.key, holders])
    return holder, True
