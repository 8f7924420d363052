"""Filling an urgent shift by text, from the shift's page: texting eligible volunteers in groups,
the warnings when there is nobody to text for, and who was asked and what they answered."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from accompany.models import AppointmentStatus, OutboundMessage, PageLanguage, UrgentCall
from accompany.services.messaging import urgent_calls
from tests.conftest import csrf_token, from_now, log_in
from tests.support.browser import fits_the_screen
from tests.support.browsing import hidden_fields, logged_in
from tests.support.twilio_webhooks import AUTH_TOKEN, PUBLIC_BASE_URL, inbound_params, post_signed

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant


def _asks(db) -> list[OutboundMessage]:
    return list(db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "volunteer_urgent_ask").order_by(OutboundMessage.id)
    ))


def _helpers(make, count: int, **fields):
    return [make.volunteer(name=f"Helper{n} Example", phone=f"617-555-01{n:02d}", sms_opt_in=True, **fields)
            for n in range(1, count + 1)]


def _shift(make, **fields):
    return make.shift(make.appointment(starts_at=from_now(days=2)), slots=fields.pop("slots", 1), **fields)


def _coordinator_client(app, make, db):
    coordinator = make.coordinator(name="Carmen Coordinator")
    return logged_in(app, coordinator)


def _asked_entry(page: str, volunteer) -> str:
    """The line of the "who was asked" list about `volunteer`."""
    found = re.search(rf'<li id="ask-{volunteer.id}">(.*?)</li>', page, re.S)
    assert found, f"{volunteer.name} is not in the list of who was asked"
    return " ".join(found.group(1).split())


def test_texting_eligible_volunteers_asks_a_group_and_a_second_tap_asks_the_next(app, make, db):
    client = _coordinator_client(app, make, db)
    shift = _shift(make)
    helpers = _helpers(make, 7)
    make.volunteer(name="Nophone Example", sms_opt_in=True)  # cannot be texted
    make.volunteer(name="Notexts Example", phone="617-555-0188", sms_opt_in=False)
    db.session.commit()
    here = f"/coordinator/shifts/{shift.id}/assign"

    page = client.get(here).get_data(as_text=True)
    assert '<section id="urgent">' in page and "Text eligible volunteers" in page
    assert "7 volunteers who can take it and take texts could be texted next" in page

    response = client.post(f"/coordinator/shifts/{shift.id}/urgent", data={"csrf_token": csrf_token(client, here)})

    assert response.status_code == 302 and response.location.endswith(f"{here}#urgent")
    first = _asks(db)
    assert len(first) == 5
    [code] = {row.params["code"] for row in first}
    assert re.fullmatch(r"\d{4}", code)
    assert {row.user_id for row in first} <= {helper.id for helper in helpers}
    assert all(row.shift_id == shift.id for row in first)
    page = html.unescape(client.get(here).get_data(as_text=True))
    assert f"Texted 5 volunteers. They reply YES {code} to take it." in page
    assert f"Code {code}" in page and "1 group texted" in page
    assert "Text the next group now" in page and "2 volunteers who can take it" in page
    assert page.count("no answer yet") == 5
    assert "The next group is texted" in page

    response = client.post(f"/coordinator/shifts/{shift.id}/urgent", data={"csrf_token": csrf_token(client, here)},
                           follow_redirects=True)

    page = html.unescape(response.get_data(as_text=True))
    assert f"Texted 2 volunteers. They reply YES {code} to take it." in page
    everyone = _asks(db)
    assert len(everyone) == 7 and {row.user_id for row in everyone} == {helper.id for helper in helpers}
    assert {row.params["code"] for row in everyone} == {code}
    assert "2 groups texted" in page and "Nobody else can be texted" in page
    assert "Text the next group now" not in page and "Nobody is left to text" in page
    assert "Nophone" not in page.split('<section id="urgent">')[1].split("</section>")[0]

    response = client.post(f"/coordinator/shifts/{shift.id}/urgent", data={"csrf_token": csrf_token(client, here)},
                           follow_redirects=True)
    assert "Nobody is left to text: every volunteer who could take this shift" in response.get_data(as_text=True)
    assert len(_asks(db)) == 7


@pytest.mark.parametrize("language, said", [("es", "Responden SÍ {code} (o YES {code}) para tomarlo."),
                                            ("pt", "Eles respondem SIM {code} (ou YES {code}) para pegar."),
                                            ("fr", "Ils répondent OUI {code} (ou YES {code}) pour le prendre."),
                                            ("ht", "Yo reponn WI {code} (oswa YES {code}) pou yo pran l.")])
def test_a_coordinator_reading_another_language_is_told_the_yes_word_of_that_language(app, make, db, language, said):
    coordinator = make.coordinator(name="Carmen Coordinator", preferred_language=PageLanguage(language))
    shift = _shift(make)
    _helpers(make, 2)
    db.session.commit()
    client = logged_in(app, coordinator)
    here = f"/coordinator/shifts/{shift.id}/assign"
    page = html.unescape(client.post(f"/coordinator/shifts/{shift.id}/urgent", follow_redirects=True,
                                     data={"csrf_token": csrf_token(client, here)}).get_data(as_text=True))
    [code] = {row.params["code"] for row in _asks(db)}
    assert said.format(code=code) in page
    assert f"YES {code} to take it" not in page


def test_the_button_pressed_twice_texts_one_group(app, make, db):
    """A second tap on the same button (it says how many groups the page showed) texts nobody
    more; "Text the next group now", pressed on the page that shows the first group, still does."""
    client = _coordinator_client(app, make, db)
    shift = _shift(make)
    _helpers(make, 7)
    db.session.commit()
    here = f"/coordinator/shifts/{shift.id}/assign"
    button = hidden_fields(client, here)
    assert client.post(f"/coordinator/shifts/{shift.id}/urgent", data=button).status_code == 302
    again = client.post(f"/coordinator/shifts/{shift.id}/urgent", data=button, follow_redirects=True)
    assert "Another group was texted about this shift just now" in html.unescape(again.get_data(as_text=True))
    assert len(_asks(db)) == 5
    client.post(f"/coordinator/shifts/{shift.id}/urgent", data=hidden_fields(client, here))
    assert len(_asks(db)) == 7


@pytest.mark.parametrize("situation, warning", [
    ("filled", "Every slot of this shift is taken: there is nobody to text for."),
    ("cancelled", "This shift is no longer open: it has started, or its appointment was cancelled or closed."),
])
def test_a_shift_with_nobody_to_text_for_gets_a_warning_and_no_texts(app, make, db, situation, warning):
    client = _coordinator_client(app, make, db)
    shift = _shift(make)
    _helpers(make, 2)
    if situation == "filled":
        make.claim(shift, make.volunteer(name="Holder Example"))
    else:
        shift.appointment.status = AppointmentStatus.CANCELLED
    db.session.commit()
    here = f"/coordinator/shifts/{shift.id}/assign"
    page = client.get(here).get_data(as_text=True)
    assert "Text eligible volunteers</button>" not in page

    response = client.post(f"/coordinator/shifts/{shift.id}/urgent", data={"csrf_token": csrf_token(client, here)},
                           follow_redirects=True)

    page = response.get_data(as_text=True)
    assert 'class="flash flash-warning" role="status">' + html.escape(warning) + "</p>" in page  # the flash
    assert _asks(db) == []
    assert db.session.scalar(select(UrgentCall)) is None


def test_the_asked_list_shows_each_answer_in_plain_words(app, make, db):
    client = _coordinator_client(app, make, db)
    shift = _shift(make)
    no, yes, late, silent = _helpers(make, 4)
    db.session.commit()
    here = f"/coordinator/shifts/{shift.id}/assign"
    client.post(f"/coordinator/shifts/{shift.id}/urgent", data={"csrf_token": csrf_token(client, here)})
    call = urgent_calls.call_for(shift)
    asks = {ask.volunteer_id: ask for ask in call.asks}
    assert set(asks) == {no.id, yes.id, late.id, silent.id}

    urgent_calls.answer(asks[no.id], yes=False, now=from_now(minutes=1))
    urgent_calls.answer(asks[yes.id], yes=True, now=from_now(minutes=2))
    urgent_calls.answer(asks[late.id], yes=True, now=from_now(minutes=3))
    db.session.commit()

    page = html.unescape(client.get(here).get_data(as_text=True))
    assert "said no" in _asked_entry(page, no)
    assert "took it" in _asked_entry(page, yes)
    assert "too late: already covered" in _asked_entry(page, late)
    assert "no answer yet" in _asked_entry(page, silent)
    assert "group 1 · asked" in _asked_entry(page, silent)
    assert "Stopped" in page and "the shift was filled" in page
    assert f'id="holder-{yes.id}"' in page  # the YES took the slot
    assert "Text eligible volunteers</button>" not in page and "Text the next group now" not in page


def test_the_appointment_page_links_each_unfilled_shift_to_texting_volunteers(app, make, db):
    client = _coordinator_client(app, make, db)
    appointment = make.appointment(starts_at=from_now(days=2))
    unfilled = make.shift(appointment, slots=2)
    filled = make.shift(appointment, slots=1, starts_at=from_now(days=2, hours=-2))
    make.claim(filled, make.volunteer())
    db.session.commit()

    page = client.get(f"/coordinator/appointments/{appointment.id}").get_data(as_text=True)

    assert f'href="/coordinator/shifts/{unfilled.id}/assign#urgent"' in page
    assert f'href="/coordinator/shifts/{filled.id}/assign#urgent"' not in page
    assert page.count(">Text eligible volunteers</a>") == 1


def test_volunteers_get_404_and_visitors_are_sent_to_log_in_when_texting_volunteers(app, make, db):
    shift = _shift(make)
    _helpers(make, 2)
    volunteer = make.volunteer(name="Curious Example")
    db.session.commit()
    path = f"/coordinator/shifts/{shift.id}/urgent"

    client = app.test_client()
    log_in(client, volunteer)
    assert client.post(path, data={"csrf_token": csrf_token(client, "/password")}).status_code == 404
    assert client.get(f"/coordinator/shifts/{shift.id}/assign").status_code == 404

    visitor = app.test_client()
    response = visitor.post(path, data={"csrf_token": csrf_token(visitor, "/login")})
    assert response.status_code == 302 and "/login" in response.location

    coordinator_client = _coordinator_client(app, make, db)
    token = csrf_token(coordinator_client, "/password")
    assert coordinator_client.post("/coordinator/shifts/999999/urgent", data={"csrf_token": token}).status_code == 404
    assert _asks(db) == []


def test_a_coordinator_texts_volunteers_about_an_urgent_shift_and_sees_the_claim_arrive(phone, app, make, db):
    """The journey in a real browser at 360 px: open an unfilled shift, text eligible volunteers,
    and after a Twilio-signed "YES <code>" from one of them, see that volunteer on the shift."""
    app.config.update(PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN)
    coordinator = make.coordinator(name="Carmen Coordinator")
    appointment = make.appointment(starts_at=from_now(days=1))
    shift = make.shift(appointment, slots=1, meeting_point="Maverick station, outside the turnstiles")
    helpers = _helpers(make, 3)
    db.session.commit()

    phone.goto("/login")
    phone.get_by_label("Email").fill(coordinator.email)
    phone.get_by_label("Password").fill(make.PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.goto(f"/coordinator/appointments/{appointment.id}")
    phone.get_by_role("button", name="Text eligible volunteers").click()
    phone.get_by_role("heading", name="Text eligible volunteers").wait_for()
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Text eligible volunteers").click()
    phone.get_by_text("Texted 3 volunteers").wait_for()
    assert fits_the_screen(phone)
    db.session.expire_all()
    assert len(_asks(db)) == 3
    assert {row.shift_id for row in _asks(db)} == {shift.id}
    code = db.session.scalar(select(UrgentCall.code))
    asked = phone.locator(f"#ask-{helpers[1].id}")
    assert "no answer yet" in asked.inner_text()

    # Helper2 texts back; Twilio posts it to us, signed.
    response = post_signed(app.test_client(), "/sms/inbound", inbound_params(helpers[1].phone, f"yes {code}"))
    assert response.status_code == 200

    phone.reload()
    asked.get_by_text("took it").wait_for()
    assert "Helper2 Example" in phone.locator("#holders").inner_text()
    assert "1 of 1 slot taken" in phone.locator("#shift").inner_text()
    assert "the shift was filled" in phone.locator("#urgent").inner_text()
    assert fits_the_screen(phone)