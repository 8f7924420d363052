"""A create form's one-time key, used up with what the form made (models.FormSubmission).

The same filled-in form sent twice (a double tap, a phone resending on a bad connection) carries
the same key; the key is unique, so only the first send's change can be saved.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from accompany.database import db
from accompany.models import FormSubmission, User
from accompany.services.errors import DomainError

KEEP_KEYS_FOR = timedelta(days=2)


class AlreadySent(DomainError):
    message = "This form was sent twice. It was saved the first time, and not again."
    whole_request = True


def use_form_key(token: str, *, by: User | None, now: datetime) -> None:
    """Note the form's key as used (flushed with the caller's change), or AlreadySent if a send of
    the same form has been saved already; the caller then rolls back, as after any DomainError.

    No savepoint around the insert: on SQLite one would commit what came before it on its own. A
    failed flush leaves the transaction for the caller's rollback, which a DomainError gets anyway.
    """
    db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < now - KEEP_KEYS_FOR))
    db.session.add(FormSubmission(token=token, user_id=by.id if by is not None else None, created_at=now))
    try:
        db.session.flush()
    except IntegrityError:
        raise AlreadySent() from None
