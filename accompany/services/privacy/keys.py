"""Key rotation: re-seal every encrypted field with the current (first) key."""

from __future__ import annotations

from sqlalchemy import Text, bindparam, select, type_coerce, update

from accompany.crypto import EncryptedText, keyring
from accompany.database import db


def encrypted_columns() -> list:
    """Every (table, column) pair stored with EncryptedText."""
    return [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def rotate_encrypted_fields(batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt values not sealed with the current key; returns counts per column.

    Each column is read `batch_size` rows at a time, in primary key order, and a batch's stale
    values are written back in one statement, so a table of any size never sits in memory whole.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    ring = keyring()
    counts: dict[str, int] = {}
    for table, column in encrypted_columns():
        pk = table.primary_key.columns.values()[0]
        batch = select(pk, type_coerce(column, Text)).where(column.is_not(None)).order_by(pk).limit(batch_size)
        reseal = update(table).where(pk == bindparam("_row")).values({column.name: bindparam("_sealed", type_=Text)})
        rotated, last = 0, None
        while True:
            rows = db.session.execute(batch if last is None else batch.where(pk > last)).all()
            stale = [{"_row": row_id, "_sealed": ring.rotate(token)} for row_id, token in rows if not ring.is_current(token)]
            if stale:
                db.session.execute(reseal, stale)
            rotated += len(stale)
            if len(rows) < batch_size:
                break
            last = rows[-1][0]
        counts[f"{table.name}.{column.name}"] = rotated
    db.session.flush()
    return counts
