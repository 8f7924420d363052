"""The coordinators' message log through the test client."""

from datetime import timedelta

import pytest

from accompany.models import MessageState, OutboundMessage, RecipientKind
from tests.conftest import csrf_token, from_now
from tests.support.browsing import logged_in

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant


def _row(db, family, key, **fields):
    values = dict(dedupe_key=key, kind="family_reminder_1d", recipient_kind=RecipientKind.FAMILY, family=family,
                  not_before=from_now(hours=1), send_before=from_now(days=1), created_at=from_now(),
                  state=MessageState.PENDING, attempts=0)
    values.update(fields)
    row = OutboundMessage(**values)
    db.session.add(row)
    db.session.flush()
    return row


def test_the_log_masks_numbers_and_lets_a_coordinator_act(app, make, db):
    coordinator = make.coordinator()
    family = make.family(name="Rosalinda Q.", phone="617-555-0142")
    planned = _row(db, family, "p")
    unknown = _row(db, family, "u", state=MessageState.UNKNOWN, attempts=1,
                   not_before=from_now(hours=-1), send_before=from_now(hours=5))
    client = logged_in(app, coordinator)
    page = client.get("/coordinator/messages").get_data(as_text=True)
    assert "…0142" in page and "555-0142" not in page and "Rosalinda" not in page
    token = csrf_token(client, "/coordinator/messages")
    client.post(f"/coordinator/messages/{planned.id}/cancel", data={"csrf_token": token})
    problems = client.get("/coordinator/messages?view=problems").get_data(as_text=True)
    assert "It did not arrive" in problems
    client.post(f"/coordinator/messages/{unknown.id}/not-arrived", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(OutboundMessage, planned.id).state == MessageState.CANCELLED
    assert db.session.get(OutboundMessage, unknown.id).state == MessageState.FAILED
    response = client.post(f"/coordinator/messages/{unknown.id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "go again shortly" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OutboundMessage, unknown.id).state == MessageState.PENDING
    again = client.post(f"/coordinator/messages/{planned.id}/arrived", data={"csrf_token": token}, follow_redirects=True)
    assert "moved on" in again.get_data(as_text=True)  # a cancelled row is not unknown: nothing changes


def test_volunteers_get_404_on_the_message_log(app, make, db):
    family = make.family()
    row = _row(db, family, "p", not_before=from_now(hours=1) - timedelta(minutes=1))
    for person in (make.volunteer(), make.pending_volunteer()):
        client = logged_in(app, person)
        assert client.get("/coordinator/messages").status_code == 404
        token = csrf_token(client, "/password")
        for action in ("cancel", "retry", "arrived", "not-arrived"):
            assert client.post(f"/coordinator/messages/{row.id}/{action}", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(OutboundMessage, row.id).state == MessageState.PENDING
