"""Sending the same request twice at once to a live server, and comparing what the database holds.

Used by tests/test_double_submit.py. A `Stage` is a live server (werkzeug, threaded) on a database
that holds one world: `restore()` puts the world's rows back exactly (same ids, sequences reset),
`state()` reads every table as comparable values, and `send_twice` posts one request from two
threads on two connections, released together. While two requests race, every write the app makes
is held back a moment (`hold_writes`), so both have read what they decide on before either writes:
the window a real double tap needs, made wide enough to hit every time.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import requests
from sqlalchemy import JSON, DateTime, Integer, event, text

from accompany.database import db

HOLD_SECONDS = 0.02
WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Request:
    """One POST as a browser (or Twilio) sends it."""

    path: str
    data: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    files: dict | None = None


@dataclass
class Stage:
    app: object
    base_url: str
    kept: dict[str, list[dict]] = field(default_factory=dict)  # every table's rows, as `keep_world` found them
    racing: threading.Event = field(default_factory=threading.Event)

    # -- the world ------------------------------------------------------------------------------

    def keep_world(self) -> None:
        """Remember every row as it is now: `restore()` puts them back."""
        with self.app.app_context():
            self.kept = {
                table.name: [dict(row._mapping) for row in db.session.execute(table.select().order_by(*table.primary_key))]
                for table in db.metadata.sorted_tables
            }
            db.session.rollback()

    def restore(self) -> None:
        """The kept world again: every table emptied and refilled, id sequences where they were."""
        with self.app.app_context():
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            for table in db.metadata.sorted_tables:
                if self.kept[table.name]:
                    db.session.execute(table.insert(), self.kept[table.name])
            if db.engine.dialect.name == "postgresql":
                for table in db.metadata.sorted_tables:
                    if "id" in table.c and isinstance(table.c.id.type, Integer):
                        db.session.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"
                        ))
            db.session.commit()

    # -- requests -------------------------------------------------------------------------------

    def browser(self, cookies: dict | None = None) -> requests.Session:
        session = requests.Session()
        session.cookies.update(cookies or {})
        return session

    def get(self, path: str, cookies: dict) -> str:
        response = self.browser(cookies).get(self.base_url + path, allow_redirects=False, timeout=60)
        assert response.status_code == 200, (path, response.status_code)
        return response.text

    def _post(self, browser: requests.Session, request: Request) -> requests.Response:
        return browser.post(self.base_url + request.path, data=request.data, files=request.files,
                            headers=request.headers, allow_redirects=False, timeout=60)

    def send_once(self, request: Request) -> list[int]:
        return [self._post(self.browser(request.cookies), request).status_code]

    def send_twice(self, request: Request) -> list[int]:
        """The same request from two threads, each on its own connection, released together."""
        browsers = [self.browser(request.cookies) for _ in range(2)]
        for browser in browsers:  # open both connections first, so neither send waits for one
            browser.get(self.base_url + "/static/favicon.svg", timeout=60)
        together = threading.Barrier(2)
        answers: list[object] = [None, None]

        def send(index: int) -> None:
            together.wait()
            try:
                answers[index] = self._post(browsers[index], request).status_code
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                answers[index] = error

        threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
        with self.hold_writes():
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert all(isinstance(answer, int) for answer in answers), answers
        return answers

    @contextmanager
    def hold_writes(self):
        self.racing.set()
        try:
            yield
        finally:
            self.racing.clear()

    def install_write_delay(self) -> None:
        racing = self.racing

        def hold(conn, cursor, statement, parameters, context, executemany):
            if racing.is_set() and statement.lstrip()[:6].upper() in WRITES:
                time.sleep(HOLD_SECONDS)

        with self.app.app_context():
            event.listen(db.engine, "before_cursor_execute", hold)

    # -- what the database holds ----------------------------------------------------------------

    def state(self, opaque: set[str]) -> dict[str, list[tuple]]:
        """Every table's rows as comparable values, in a stable order.

        Row ids become ranks (the third row of a table is 3, whichever id a sequence gave it) and
        so do the ids that point at rows; times are kept to the minute (the clock ticks on while a
        request runs); columns named in `opaque` ("table.column": random tokens, hashes; or
        "table.column.key" for a key of a JSON column) only say whether they are set.
        """
        with self.app.app_context():
            rows = {
                table: [dict(row._mapping) for row in db.session.execute(table.select().order_by(*table.primary_key))]
                for table in db.metadata.sorted_tables
            }
            db.session.rollback()
        ranks = {
            table.name: {row["id"]: rank for rank, row in enumerate(found, 1)}
            for table, found in rows.items() if "id" in table.c and isinstance(table.c.id.type, Integer)
        }
        subject_tables = {mapper.class_.__name__: mapper.local_table.name for mapper in db.Model.registry.mappers}
        state = {}
        for table, found in rows.items():
            values = []
            for row in found:
                values.append(tuple(
                    (name, _comparable(table, name, value, row, ranks, subject_tables, opaque))
                    for name, value in row.items()
                ))
            state[table.name] = sorted(values, key=repr)
        return state


def _comparable(table, name, value, row, ranks, subject_tables, opaque):
    column = table.c[name]
    if value is None:
        return None
    if f"{table.name}.{name}" in opaque:
        return "set"
    if name == "id" and table.name in ranks:
        return ranks[table.name].get(value)
    for key in column.foreign_keys:
        return ranks.get(key.column.table.name, {}).get(value, value)
    if table.name == "audit_events" and name == "subject_id":
        return ranks.get(subject_tables.get(row["subject_type"], ""), {}).get(value, value)
    if isinstance(column.type, DateTime) or isinstance(value, datetime):
        return value.replace(second=0, microsecond=0)
    if isinstance(column.type, JSON):
        if not isinstance(value, dict):
            return repr(value)
        return repr(sorted((key, "set" if f"{table.name}.{name}.{key}" in opaque else item) for key, item in value.items()))
    return value


def differences(one: dict[str, list[tuple]], two: dict[str, list[tuple]]) -> dict[str, dict]:
    """The tables whose rows differ: what only one send left, and what only two sends left."""
    found = {}
    for table in one:
        if one[table] != two[table]:
            found[table] = {
                "once": [row for row in one[table] if row not in two[table]],
                "twice": [row for row in two[table] if row not in one[table]],
                "rows": (len(one[table]), len(two[table])),
            }
    return found
