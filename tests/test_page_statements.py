"""The volunteer's everyday pages run a fixed, small number of SQL statements, whatever the size of
the network (issue 16): the signed-in user with their languages and session row in one, and at most
three more for the page itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for

from accompany.routing import fixed_url, record_url
from tests.conftest import NOW
from tests.support.browsing import logged_in
from tests.support.queries import count_queries

PAGES = (("/shifts", "Open shifts", 4), ("/my/shifts", "My shifts", 4), ("/my/tasks", "My tasks", 3))


def _grow(make, volunteer, n):
    for i in range(n):
        make.shift(starts_at=NOW + timedelta(days=2, hours=i))
        make.claim(make.shift(starts_at=NOW + timedelta(days=30 + i)), volunteer)
        make.claim(make.shift(starts_at=NOW - timedelta(days=3 + i)), volunteer)


def _statements(client, path, marker):
    client.get(path)  # first request: templates compiled, compiled SQL cached
    with count_queries(client.application.extensions["sqlalchemy"].engine) as counted:
        response = client.get(path)
    assert response.status_code == 200 and marker in response.get_data(as_text=True)
    return counted.statements


@pytest.mark.parametrize(("path", "marker", "most"), PAGES)
def test_a_volunteer_page_runs_the_same_few_statements_at_any_size(app, make, db, path, marker, most):
    volunteer = make.volunteer()
    _grow(make, volunteer, 2)
    client = logged_in(app, volunteer)
    small = _statements(client, path, marker)
    _grow(make, volunteer, 45)
    db.session.commit()
    large = _statements(client, path, marker)
    assert len(small) == len(large) <= most, large
    assert "login_sessions" in large[0] and "volunteer_languages" in large[0]  # one query for who is asking


def test_urls_built_once_are_the_urls_flask_builds(app):
    with app.test_request_context("/", base_url="https://example.org/accompany"):
        assert fixed_url("volunteer.board_page") == url_for("volunteer.board_page") == "/accompany/shifts"
        assert fixed_url("static", filename="css/app.css") == url_for("static", filename="css/app.css")
        for shift_id in (1, 42, 2_000_000_000):
            assert record_url("volunteer.claim", shift_id, "shift_id") == url_for("volunteer.claim", shift_id=shift_id)
    with app.test_request_context("/"):  # another script root gets its own
        assert record_url("volunteer.claim", 7, "shift_id") == "/shifts/7/claim"


def test_messages_nobody_reads_do_not_pile_up_in_the_cookie(app, make, db):
    """Claiming and giving back again and again without following the redirects (a script, a
    phone that lost the answers) keeps the session cookie small: only the last messages wait."""
    volunteer = make.volunteer()
    shift = make.shift(starts_at=NOW + timedelta(days=9), slots=3)
    client = logged_in(app, volunteer)
    token = hidden_fields_token(client)
    sizes = []
    for _ in range(12):
        assert client.post(f"/shifts/{shift.id}/claim", data={"csrf_token": token}).status_code == 302
        assert client.post(f"/my/shifts/{shift.id}/release", data={"csrf_token": token}).status_code == 302
        sizes.append(len(client.get_cookie("session").value))
    assert sizes[-1] == sizes[4]  # bounded after the first few, not growing by one message a tap
    page = client.get("/my/shifts").get_data(as_text=True)
    assert page.count('class="flash') == 5 and "Released" in page


def hidden_fields_token(client) -> str:
    from tests.support.browsing import hidden_fields

    return hidden_fields(client, "/shifts")["csrf_token"]


def test_claiming_and_giving_back_load_the_volunteer_once_and_run_as_many_statements_at_any_size(app, make, db):
    """The claim and release POSTs: the signed-in volunteer is read once (their page language is
    chosen before the view commits, not by loading them again for the flash message), and the
    number of statements does not grow with what the volunteer already holds."""
    volunteer = make.volunteer()
    client = logged_in(app, volunteer)
    token = hidden_fields_token(client)
    engine = app.extensions["sqlalchemy"].engine
    counts = []
    for held in (0, 30):
        _grow(make, volunteer, held)  # nothing, then thirty upcoming and thirty past claims
        shift = make.shift(starts_at=NOW + timedelta(days=5, minutes=held))
        db.session.commit()
        statements = {}
        for action, path in (("claim", f"/shifts/{shift.id}/claim"), ("release", f"/my/shifts/{shift.id}/release")):
            with count_queries(engine) as counted:
                assert client.post(path, data={"csrf_token": token}).status_code == 302
            statements[action] = counted.statements
            assert sum(" FROM users " in " ".join(sql.split()) + " " for sql in counted.statements) == 1, action
        counts.append({action: len(found) for action, found in statements.items()})
    assert counts[0] == counts[1], counts
