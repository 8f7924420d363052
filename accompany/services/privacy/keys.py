"""Key rotation: re-seal every encrypted field with the current (first) key."""

from __future__ import annotations

from sqlalchemy import Text, select, type_coerce, update

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
    """Re-encrypt values not sealed with the current key; returns counts per column."""
    ring = keyring()
    counts: dict[str, int] = {}
    for table, column in encrypted_columns():
        pk = table.primary_key.columns.values()[0]
        raw = type_coerce(column, Text)
        rotated = 0
        rows = db.session.execute(select(pk, raw).where(column.is_not(None)).order_by(pk)).all()
        for row_id, token in rows:
            if ring.is_current(token):
                continue
            db.session.execute(
                update(table).where(pk == row_id).values({column.name: type_coerce(ring.rotate(token), Text)})
            )
            rotated += 1
        counts[f"{table.name}.{column.name}"] = rotated
    db.session.flush()
    return counts
