"""One page of a long list: its rows, which page it is, and whether there are pages either side.

Lists build a Page here, from a query (`paginate`) or from rows already matched in memory
(`page_of`, for sealed names searched after decrypting); templates draw its links with the
`page_links` macro in templates/_pagination.html.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from accompany.database import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int  # from 1
    pages: int  # at least 1, even with no rows
    total: int  # rows on every page together

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _place(number: int | None, total: int, per_page: int) -> tuple[int, int]:
    """(page number, page count); a number past either end (or none) is the nearest page."""
    pages = max(1, -(-total // per_page))
    return min(max(number or 1, 1), pages), pages


def paginate(query: Select, number: int | None, *, per_page: int) -> Page:
    """Page `number` of `query`'s rows, in its order: one count, then one select of a page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number, pages = _place(number, total, per_page)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, pages=pages, total=total)


def page_of(rows: list[T], number: int | None, *, per_page: int) -> Page[T]:
    """Page `number` of rows already in memory."""
    number, pages = _place(number, len(rows), per_page)
    return Page(items=rows[(number - 1) * per_page : number * per_page], number=number, pages=pages, total=len(rows))
