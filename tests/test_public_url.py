"""PUBLIC_BASE_URL, read in one place: links in texts, Twilio's callback and signatures, calendar UIDs."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from accompany.public_url import public_base_url
from accompany.services.messaging.sms.gateway import status_callback_url
from accompany.services.scheduling.calendar import ensure_calendar_token
from accompany.webhooks.signatures import signed_url
from tests.conftest import NOW, from_now

BASE = "https://accompany.example.org"


@pytest.mark.parametrize("setting, base", [(BASE, BASE), (BASE + "/", BASE), ("", ""), (None, "")])
def test_the_public_base_url_has_no_trailing_slash(app, setting, base):
    app.config["PUBLIC_BASE_URL"] = setting
    assert public_base_url() == base


def test_callbacks_signatures_and_calendar_uids_start_from_the_same_base(app, client, make, db):
    app.config["PUBLIC_BASE_URL"] = BASE + "/"
    assert status_callback_url(3) == f"{BASE}/sms/status?m=3"
    with app.test_request_context("/sms/status?m=3", method="POST"):
        assert signed_url() == f"{BASE}/sms/status?m=3"

    volunteer = make.volunteer()
    shift = make.shift(make.appointment(starts_at=from_now(days=2)))
    make.claim(shift, volunteer)
    ensure_calendar_token(volunteer, now=NOW)
    db.session.commit()
    body = client.get(f"/calendar/{volunteer.calendar_token}.ics").get_data()
    assert [str(event["uid"]) for event in Calendar.from_ical(body).walk("VEVENT")] == [
        f"shift-{shift.id}@accompany.example.org"
    ]
