"""Counting the SQL statements a piece of code runs."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event


class QueryCount:
    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine):
    """Count statements on `engine` (savepoint bookkeeping excluded) inside the block."""
    counted = QueryCount()

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO", "PRAGMA")):
            counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before)
