"""Hostile input everywhere: random and malicious values posted to every form and both webhooks
never cause a server error, and what is stored never comes back out as live markup."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_token
from tests.support.routes import FIELDS, FORM_POSTS, RULES, build_world, expected_access, url_for_rule
from tests.support.twilio_webhooks import AUTH_TOKEN, PUBLIC_BASE_URL, inbound_params, post_signed, sign

MARKER = "<script>alert('fz')</script>"
HOSTILE = [
    MARKER, "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "' OR '1'='1' --", "'; DROP TABLE families; --",
    "../../etc/passwd", "%00", "\x00", "\u202eevil", "\ufeff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "👩🏽‍⚖️" * 50, "x" * 5000, "9" * 400, "-1", "0",
    "1e309", "NaN", "2026-02-30", "25:61", "+1 (617) 555-0000000000", "@", "a@b", " ", "", "true", "null",
    "{{7*7}}", "${7*7}", "%s%s%s%n", "\r\nSet-Cookie: x=1", "ARRÊTER", "YES 0000",
]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300), st.integers().map(str),
                   st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=3))


# Each example gives any field of any form a hostile value or leaves it out: whatever form a route
# reads finds some of its own fields filled with garbage, and strangers' fields alongside.
FORMS = st.fixed_dictionaries({}, optional={name: VALUES for name in FIELDS})
SCRIPTLIKE = re.compile(r"<script>alert\('fz'\)|<img src=x onerror|<svg onload", re.IGNORECASE)
FUZZ = settings(max_examples=12, deadline=None, database=None,
                suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture
def world(app, make, db):
    return build_world(app, make, db)


def _roles_allowed(endpoint: str) -> list[str]:
    answers = expected_access(endpoint)
    if answers is None:  # a new route: tests/test_access_matrix.py asks for its entry
        return []
    return [role for role in ("anon", "holder", "admin") if answers[role] == "ok"] or ["admin"]


def _post_hostile_forms(client, url: str, token: str, where: tuple[str, str]) -> None:
    @FUZZ
    @given(data=FORMS)
    def post(data):
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code < 500, (*where, data)

    post()


def test_every_form_takes_hostile_values_without_a_server_error(app, world):
    client_for, values, extra = world
    assert len(FIELDS) > 40 and len(FORM_POSTS) > 30
    for endpoint, rule, _ in FORM_POSTS:
        url = url_for_rule(endpoint, rule, values, extra)
        for role in _roles_allowed(endpoint):
            client = client_for(role)
            token = csrf_token(client, "/login" if role == "anon" else "/password")

            _post_hostile_forms(client, url, token, (endpoint, role))

    # Whatever was stored comes back escaped on every page that shows it.
    for role in ("admin", "holder"):
        client = client_for(role)
        for endpoint, rule, method in RULES:
            answers = expected_access(endpoint)
            if method != "GET" or not answers or answers[role] != "ok" or endpoint == "static":
                continue
            page = client.get(url_for_rule(endpoint, rule, values, extra)).get_data(as_text=True)
            assert not SCRIPTLIKE.search(page), endpoint


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["From", "Body", "MessageSid", "OptOutType", "To", "NumMedia"]),
                              VALUES, max_size=6))
def test_the_inbound_webhook_takes_hostile_signed_requests_without_a_server_error(webhook_client, fields):
    params = {**inbound_params("+16175550142", "hi"), **fields}
    params = {key: value if isinstance(value, str) else value[0] for key, value in params.items()}
    response = post_signed(webhook_client, "/sms/inbound", params)
    assert response.status_code in (200, 400), response.status_code


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["MessageSid", "MessageStatus", "ErrorCode", "SmsSid", "To"]),
                              VALUES, max_size=5), query=st.sampled_from(["", "m=1", "m=abc", "m=" + "9" * 30]))
def test_the_status_webhook_takes_hostile_signed_requests_without_a_server_error(webhook_client, fields, query):
    params = {key: value if isinstance(value, str) else value[0] for key, value in fields.items()}
    path = "/sms/status" + (f"?{query}" if query else "")
    response = webhook_client.post(path, data=params,
                                   headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, params)})
    assert response.status_code in (204, 400), response.status_code


@pytest.fixture
def webhook_client(app):
    app.config.update(PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN)
    return app.test_client()


def test_the_login_form_takes_hostile_values_without_a_server_error(app, make, db):
    make.volunteer(email="val@example.org")
    db.session.commit()
    client = app.test_client()
    token = csrf_token(client, "/login")

    @FUZZ
    @given(email=VALUES, password=VALUES)
    def attempt(email, password):
        response = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
        assert response.status_code in (200, 302, 400, 429)

    attempt()
