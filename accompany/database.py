"""The database handle and the column types every model shares.

Times are stored as timezone-aware UTC. `UTCDateTime` refuses naive datetimes so a local
time can never slip in unnoticed, and hands back aware UTC on every database.

Rows that requests read, check and then change carry a version (`Versioned`): every UPDATE or
DELETE the ORM makes of one matches only the version this request read, so of two requests that
change the same row at once (a double tap, two coordinators) the second changes nothing and
fails whole (StaleDataError, which `accompany.committing` answers in plain words).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, Integer, MetaData, event, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The largest id a record can have: ids are INTEGER columns, and PostgreSQL's integer stops here.
# An id from outside (a URL, a query string) past it is no record, never a query that fails.
MAX_RECORD_ID = 2**31 - 1


class UTCDateTime(TypeDecorator):
    """A datetime column that only takes aware values and always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: pass an aware datetime (UTC inside)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite has no time zones; store the UTC wall time, re-attach UTC on the way out.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# How long a request waits for another one's write to SQLite to finish before giving up. SQLite
# takes one writer at a time: two requests writing at once (a double tap) take turns.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith(("sqlite3", "pysqlite2"))


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores foreign keys unless asked; ask, so it behaves like PostgreSQL. And wait for
    another connection's write rather than fail at once with "database is locked"."""
    if _is_sqlite(dbapi_connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


def _write_ahead(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def write_ahead(engine: Engine) -> None:
    """Run `engine`'s SQLite database in write-ahead mode (WAL) with `synchronous=NORMAL` (config
    SQLITE_WAL, on except in the test suite): a commit appends to the log and syncs only at
    checkpoints, instead of syncing a rollback journal and the database twice per commit, and
    readers no longer wait for a writer. A power cut can lose the last commits before a
    checkpoint but never corrupts the file (https://sqlite.org/wal.html). An in-memory database
    stays in memory (SQLite answers "memory")."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _write_ahead):
        event.listen(engine, "connect", _write_ahead)


def refresh_statistics() -> None:
    """Let the database's planner know how big each table is now: SQLite keeps no statistics of its
    own (without them the board's query scans the year ahead; `ANALYZE` lets it use the index),
    PostgreSQL's autovacuum keeps them already. Commits nothing itself; ANALYZE is its own work."""
    bind = db.session.get_bind()
    if bind.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(conn, name) -> None:
    """On SQLite a SAVEPOINT outside a transaction starts one of its own, and releasing it commits:
    a service's savepoint taken before the request's first write (planning a text, taking a slot)
    would be committed on its own, whatever the request does after. Python's sqlite3 begins a
    transaction only before a write, so begin one here, as that write would (IMMEDIATE: it takes
    the write lock at once, waiting its turn like any write), and the savepoint nests inside it."""
    dbapi_connection = conn.connection.dbapi_connection
    if _is_sqlite(dbapi_connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class Versioned:
    """A row changed by read-check-write: each ORM UPDATE or DELETE of it is a compare-and-set on
    the version this session read (SQLAlchemy's `version_id_col`), which it then moves on by one.

    Statements written by hand (`update(Model)`) do not check or move it: each of those states
    its own condition (`filled < slots`, `state = 'pending'`) and reads its rowcount.
    """

    version: Mapped[int] = mapped_column(Integer, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


def set_once(row, name: str, value) -> bool:
    """Set `row.<name>` to `value` only if it is still empty, in one conditional UPDATE: True for
    the one request that set it (of two at once, the other gets False). `row` then holds what the
    database has, this request's value or the one set first.

    For a value that is set once and then kept (the first confirmation, a token made on first
    use); a row's version is neither checked nor moved, so this never makes another change fail.
    """
    model = row.__class__  # the model, also through a proxy such as flask_login's current_user
    done = db.session.execute(
        update(model).where(model.id == row.id, getattr(model, name).is_(None)).values({name: value})
        .execution_options(synchronize_session=False)
    ).rowcount
    if done:  # the database holds this value now: nothing to read back
        set_committed_value(getattr(row, "_get_current_object", lambda: row)(), name, value)
    else:  # another request set it first: read theirs
        db.session.refresh(row, [name])
    return bool(done)


def save_unique(record, values: dict, *, is_new: bool, taken: type[Exception]) -> None:
    """Apply `values` to `record` (and add it when new) and flush inside a savepoint, so a unique
    value a concurrent save took just before us raises `taken` and leaves nothing half-done in the
    session: a new record is dropped, a changed one reloaded. (The changes are made inside the
    savepoint: `begin_nested` flushes what is already pending before it starts.)"""
    try:
        with db.session.begin_nested():
            for name, value in values.items():
                setattr(record, name, value)
            if is_new:
                db.session.add(record)
            db.session.flush()
    except IntegrityError:
        if is_new:
            if record in db.session:
                db.session.expunge(record)
        else:
            db.session.refresh(record)
        raise taken() from None


def enum_type(enum_cls, name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint listing the values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_cls),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def column_rows(statement, params: dict | None = None) -> list:
    """All rows of a statement that selects columns (no entities), fetched at once, run on the
    session's connection in its transaction but without the ORM's handling of results, and without
    autoflush: for the reads of a busy page that has changed nothing (the dashboard's two weeks),
    where that handling cost as much as the query."""
    return db.session.connection().execute(statement, params or {}).all()
