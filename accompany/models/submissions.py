"""Forms that create something, each sent once: the one-time key a form carries, once used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from accompany.database import UTCDateTime, db


class FormSubmission(db.Model):
    """A create form's one-time key (`accompany.formfields.SentOnce`), saved with what it made.

    The key is unique, so of two sends of one filled-in form (a double tap, a resend) only the
    first can commit; the second is told it was saved already. Keys are kept a few days.
    """

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<FormSubmission {self.id}>"
