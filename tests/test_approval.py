"""Approval reaches the volunteer: a welcome text through the outbox, in their language, only to a
confirmed number with texts on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accompany.models import OutboundMessage, UserStatus
from accompany.services.messaging.inbound import receive_text
from accompany.services.people.accounts import approve_volunteer
from accompany.services.people.phone_codes import start_phone_check
from tests.conftest import csrf_token, from_now
from tests.support.browsing import logged_in
from tests.support.texting import send_texts


def _welcomes(db) -> list[OutboundMessage]:
    return list(db.session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "volunteer_approved")))


def test_approving_texts_a_welcome_in_the_volunteers_language(app, make, db):
    app.config["PUBLIC_BASE_URL"] = "https://accompany.example.org"
    volunteer = make.pending_volunteer(name="Lucía Gómez", phone="617-555-0123", sms_opt_in=True,
                                       languages=["es"])
    staff = logged_in(app, make.coordinator())
    response = staff.post(f"/coordinator/volunteers/{volunteer.id}/approve",
                          data={"csrf_token": csrf_token(staff, "/coordinator/volunteers")})
    assert response.status_code == 302
    [welcome] = _welcomes(db)
    assert welcome.user_id == volunteer.id
    [(to, body)] = send_texts()
    assert to == "+16175550123"
    assert "¡Le damos la bienvenida! Su registro fue aprobado" in body
    assert body.endswith("https://accompany.example.org/shifts Responda PARAR para no recibir mensajes.")
    assert "Lucía" not in body and "Gómez" not in body


@pytest.mark.parametrize("case", ["texts off", "no number", "number waiting for its code", "number said STOP"])
def test_no_welcome_text_without_a_confirmed_number_that_takes_texts(make, db, case):
    volunteer = make.pending_volunteer(phone="" if case in ("no number", "number waiting for its code")
                                       else "617-555-0123", sms_opt_in=case != "texts off")
    if case == "number waiting for its code":
        start_phone_check(volunteer, "617-555-0123", now=from_now())
    if case == "number said STOP":
        receive_text("+16175550123", "STOP", provider_sid=None, now=from_now())
    approve_volunteer(volunteer, by=make.coordinator(), now=from_now())
    assert _welcomes(db) == []


def test_a_welcome_for_someone_deactivated_before_it_went_is_not_sent(make, db):
    volunteer = make.pending_volunteer(phone="617-555-0123", sms_opt_in=True)
    approve_volunteer(volunteer, by=make.coordinator(), now=from_now())
    volunteer.status = UserStatus.DISABLED
    db.session.commit()
    assert send_texts() == []
