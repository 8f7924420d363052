"""How many SQL statements `POST /sms/inbound` runs for each kind of text: the same on a small and
a bigger network, whatever the sender has ahead (a START plans it all again) and however many
coordinators an alert goes to. Speed itself is measured by bench/run-inbound, never here."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from accompany.services.messaging import family_texts, volunteer_texts
from accompany.services.messaging.urgent_calls import start_call
from tests.conftest import NOW
from tests.support.queries import count_queries
from tests.support.twilio_webhooks import AUTH_TOKEN, PUBLIC_BASE_URL, inbound_params, post_signed

PATH = "/sms/inbound"
_numbers = itertools.count(300)

# Statements per request (SAVEPOINT and RELEASE not counted), whatever the network's size.
EXPECTED = {
    "help": 4,
    "free text": 6,
    "unknown number": 6,
    "stop from a family": 14,
    "start from a family": 10,
    "stop from a volunteer": 9,
    "start from a volunteer": 9,
    "family 1": 10,
    "family 2": 13,
    "yes, takes the shift": 17,
    "yes, too late": 10,
}

# PostgreSQL inserts the two audit events of a YES that takes the shift in one statement (the
# claim's and the answer's, flushed together); SQLite's RETURNING keeps no order, so SQLAlchemy
# inserts them one at a time there.
FEWER_ON = {"postgresql": {"yes, takes the shift": 1}}


@pytest.fixture
def webhook(app):
    app.config.update(PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN)
    return app.test_client()


def phone() -> str:
    return f"617-555-{next(_numbers):04d}"


def network(make, size: int) -> None:
    """`size` families with an appointment ahead, its shift held by a volunteer and the reminders
    planned, and `size` coordinators who take texts (an alert goes to each)."""
    for _ in range(size):
        family = make.family(phone=phone())
        appointment = make.appointment(family=family, starts_at=NOW + timedelta(days=9))
        shift = make.shift(appointment=appointment)
        make.claim(shift, make.volunteer(phone=phone(), sms_opt_in=True))
        family_texts.plan_family_reminders(appointment, now=NOW)
        make.coordinator(phone=phone(), sms_opt_in=True)


def family_ahead(make, items: int):
    family = make.family(phone=phone())
    for n in range(items):
        appointment = make.appointment(family=family, starts_at=NOW + timedelta(days=4 + 7 * n, hours=2))
        family_texts.plan_family_reminders(appointment, now=NOW)
    return family


def volunteer_ahead(make, items: int):
    volunteer = make.volunteer(phone=phone(), sms_opt_in=True)
    for n in range(items):
        claim = make.claim(make.shift(starts_at=NOW + timedelta(days=4 + n)), volunteer)
        volunteer_texts.plan_volunteer_reminders(claim, now=NOW)
    return volunteer


def texts(kind: str, make, items: int) -> list[tuple[str, str]]:
    """What the sender of `kind` texts, in order; the last one is counted."""
    if kind == "help":
        return [(family_ahead(make, items).phone, "AYUDA")]
    if kind == "free text":
        return [(family_ahead(make, items).phone, "What time should we be there?")]
    if kind == "unknown number":
        return [(f"+1415555{next(_numbers):04d}", "Who is this?")]
    if kind in ("stop from a family", "start from a family"):
        number = family_ahead(make, items).phone
        return [(number, "STOP")] + ([(number, "START")] if kind.startswith("start") else [])
    if kind in ("stop from a volunteer", "start from a volunteer"):
        number = volunteer_ahead(make, items).phone
        return [(number, "STOP")] + ([(number, "START")] if kind.startswith("start") else [])
    if kind in ("family 1", "family 2"):
        return [(family_ahead(make, items).phone, kind[-1])]
    # An urgent call on a one-slot shift; the first asked takes it, the second is too late.
    shift = make.shift(starts_at=NOW + timedelta(days=3), slots=1)
    for _ in range(2):
        volunteer_ahead(make, items)
    call, asks = start_call(shift, by=make.coordinator(), now=NOW)
    first, second = (ask.volunteer.phone for ask in sorted(asks, key=lambda ask: ask.id)[:2])
    said = [(first, f"YES {call.code}")]
    return said if kind == "yes, takes the shift" else [*said, (second, f"YES {call.code}")]


def statements(webhook, db, make, kind: str, *, size: int, items: int) -> int:
    network(make, size)
    sent = texts(kind, make, items)
    db.session.commit()
    for number, body in sent[:-1]:
        assert post_signed(webhook, PATH, inbound_params(number, body)).status_code == 200
    number, body = sent[-1]
    db.session.expire_all()
    with count_queries(db.engine) as counted:
        assert post_signed(webhook, PATH, inbound_params(number, body)).status_code == 200
    return len(counted)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_kind_of_text_runs_a_fixed_number_of_statements_however_big_the_network(webhook, db, make, kind):
    small = statements(webhook, db, make, kind, size=1, items=1)
    large = statements(webhook, db, make, kind, size=4, items=5)
    expected = EXPECTED[kind] - FEWER_ON.get(db.engine.dialect.name, {}).get(kind, 0)
    assert (small, large) == (expected, expected)
