"""One page of a long list, from a query or from rows in memory, the same way for every list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accompany.models import Location
from accompany.pagination import page_of, paginate
from tests.support.queries import count_queries


@pytest.mark.parametrize("asked, number, has_previous, has_next, items", [
    (1, 1, False, True, [0, 1]),
    (2, 2, True, True, [2, 3]),
    (3, 3, True, False, [4]),
    (None, 1, False, True, [0, 1]),
    (-3, 1, False, True, [0, 1]),
    (99, 3, True, False, [4]),
])
def test_a_page_of_a_query_and_of_rows_in_memory_agree(make, db, asked, number, has_previous, has_next, items):
    made = [make.location(name=f"Place {n}").id for n in range(5)]
    with count_queries(db.engine) as statements:
        from_query = paginate(select(Location.id).order_by(Location.id), asked, per_page=2)
    assert len(statements) == 2  # a count and a page
    in_memory = page_of(made, asked, per_page=2)
    for page in (from_query, in_memory):
        assert (page.number, page.pages, page.total) == (number, 3, 5)
        assert (page.has_previous, page.has_next) == (has_previous, has_next)
        assert page.items == [made[n] for n in items]


def test_an_empty_list_is_one_page_with_nowhere_to_go(db):
    for page in (paginate(select(Location.id), 2, per_page=50), page_of([], 2, per_page=50)):
        assert (page.items, page.number, page.pages, page.total) == ([], 1, 1, 0)
        assert not page.has_previous and not page.has_next
