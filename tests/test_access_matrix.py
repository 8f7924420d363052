"""Who may reach what, for every route the app has (DESIGN §3).

Every rule in `app.url_map` is tried, by every method it takes, as each kind of person: nobody
signed in, a volunteer waiting for approval, an approved volunteer who holds nothing, the
volunteer who holds the shift, a coordinator and an admin, against real records. A forbidden
answer is a 404 (the record might as well not exist), or the login page for nobody signed in.
A route missing from ACCESS fails `test_every_route_has_an_entry`, so a new route cannot slip in
unexamined.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accompany.models import OutboundMessage
from tests.conftest import csrf_token, from_now
from tests.support.browsing import logged_in
from tests.support.routes import ACCESS, ROLES, RULES, build_world, expected_access, outcome, url_for_rule


@pytest.fixture
def world(app, make, db):
    return build_world(app, make, db)


def test_every_route_has_an_entry():
    missing = sorted({endpoint for endpoint, _, _ in RULES if expected_access(endpoint) is None})
    assert missing == [], "add these routes to ACCESS in tests/support/routes.py"
    stale = sorted(set(ACCESS) - {endpoint for endpoint, _, _ in RULES})
    assert stale == []


def _try(client_for, role: str, url: str, method: str) -> str:
    client = client_for(role)
    if method == "GET":
        return outcome(client.get(url))
    token = csrf_token(client, "/login" if role == "anon" else "/password")
    return outcome(client.post(url, data={"csrf_token": token}))


@pytest.mark.parametrize("endpoint, rule, method", [r for r in RULES if r[2] == "GET"], ids=lambda value: str(value))
def test_each_role_reads_only_what_it_may(world, endpoint, rule, method):
    """Reading changes nothing, so every role tries the page in one world."""
    client_for, values, extra = world
    url = url_for_rule(endpoint, rule, values, extra)
    assert {role: _try(client_for, role, url, method) for role in ROLES} == expected_access(endpoint)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint, rule, method", [r for r in RULES if r[2] != "GET"], ids=lambda value: str(value))
def test_each_role_changes_only_what_it_may(world, endpoint, rule, method, role):
    """One person, one action, a world of their own (an allowed action may change it)."""
    client_for, values, extra = world
    url = url_for_rule(endpoint, rule, values, extra)
    assert _try(client_for, role, url, method) == expected_access(endpoint)[role]


def test_a_volunteer_sees_a_held_shift_only_while_access_lasts(app, make, db):
    """The holder's window (DESIGN §3): from claiming until a day after the appointment."""
    holder = make.volunteer()
    past = make.shift(make.appointment(starts_at=from_now(days=-2)))
    make.claim(past, holder)
    client = logged_in(app, holder)
    assert client.get(f"/my/shifts/{past.id}").status_code == 404
    assert db.session.scalar(select(OutboundMessage.id)) is None
