"""The coordinators' inbox through the test client: the conversations, a thread, replying, marking
dealt with, opting a number out, and the family's replies shown on the dashboard and elsewhere."""

from __future__ import annotations

import html
import itertools
import logging

import pytest
from sqlalchemy import func, select

from accompany.models import AuditEvent, InboundMessage, MessageState, OptOut, OutboundMessage, Wording
from accompany.services.messaging import conversations, family_texts, inbound
from tests.conftest import csrf_token, from_now, log_in
from tests.support.browser import fits_the_screen, open_menu
from tests.support.browsing import hidden_fields, logged_in

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

SIDS = itertools.count(1)


def _text(db, number: str, body: str, *, minutes_ago: int = 0) -> InboundMessage:
    """`number` texts us `body`, as the webhook would hand it over."""
    handled = inbound.receive_text(number, body, provider_sid=f"SMtest{next(SIDS):08d}",
                                   now=from_now(minutes=-minutes_ago))
    db.session.commit()
    return handled.message


def _staff_replies(db) -> list[OutboundMessage]:
    return list(db.session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "staff_reply")))


def _waiting(db, key: str) -> int:
    return db.session.scalar(select(func.count()).select_from(InboundMessage).where(
        InboundMessage.from_hash == key, InboundMessage.handled_at.is_(None)))


def _coordinator_client(app, make, db):
    coordinator = make.coordinator(name="Carmen Coordinator")
    client = logged_in(app, coordinator)
    return client, coordinator


# -- the list --------------------------------------------------------------------------------------


def test_the_inbox_puts_waiting_conversations_first_and_masks_every_number(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    rosa = make.family(name="Rosalinda Q.", phone="617-555-0142")
    make.family(name="Tomas B.", phone="617-555-0143")
    vera = make.volunteer(name="Vera Volunteer", phone="617-555-0177")
    db.session.commit()
    _text(db, "617-555-0142", "Can someone call me about Tuesday?", minutes_ago=120)
    _text(db, "617-555-0142", "Please stop sending these", minutes_ago=90)
    _text(db, "+1 617 555 0143", "STOP", minutes_ago=5)  # a keyword: dealt with at once
    _text(db, "617-555-0177", "I will be ten minutes late", minutes_ago=60)
    _text(db, "857-555-0199", "who is this?", minutes_ago=30)

    page = client.get("/coordinator/inbox").get_data(as_text=True)

    where = [page.index(name) for name in ("Unknown number", "Vera Volunteer", "Rosalinda Q.", "Tomas B.")]
    assert where == sorted(where)  # waiting ones (latest first), then the dealt-with one
    assert f"/coordinator/families/{rosa.id}" in page and f"/coordinator/volunteers/{vera.id}" in page
    assert "2 waiting" in page and page.count("1 waiting") == 2
    assert page.count("asks to stop texting?") == 1
    assert "…0142" in page and "…0199" in page
    for number in ("555-0142", "5550142", "555 0142", "555-0199", "5550199", "555-0177", "5550177"):
        assert number not in page
    assert "Can someone call me" not in page  # what people wrote stays inside the conversation


def test_an_empty_inbox_says_so_in_plain_words(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    page = client.get("/coordinator/inbox").get_data(as_text=True)
    assert "Nobody has texted us yet" in page
    assert 'href="/coordinator/inbox"' in page  # in the navigation


# -- a conversation --------------------------------------------------------------------------------


def test_a_conversation_shows_both_directions_as_a_chat(app, make, db):
    client, coordinator = _coordinator_client(app, make, db)
    rosa = make.family(name="Rosalinda Q.", phone="617-555-0142")
    appointment = make.appointment(family=rosa, starts_at=from_now(days=8))
    assert family_texts.plan_family_reminders(appointment, now=from_now())  # planned, not sent: not shown
    db.session.commit()
    question = _text(db, "617-555-0142", "Can someone call me about Tuesday?", minutes_ago=30)
    _text(db, "617-555-0142", "1", minutes_ago=20)  # confirms the appointment
    thanks = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == "reply_confirmed"))
    thanks.state, thanks.sent_at, thanks.body = MessageState.SENT, from_now(minutes=-19), "Thank you for confirming."
    db.session.commit()
    conversations.reply(question.from_hash, "We will call you at noon.", by=coordinator, now=from_now(minutes=-10))
    db.session.commit()
    _text(db, "617-555-0142", "Thank you!", minutes_ago=1)

    page = html.unescape(client.get(f"/coordinator/inbox/{question.from_hash}").get_data(as_text=True))

    assert page.index("Can someone call me about Tuesday?") < page.index("We will call you at noon.") < page.index("Thank you!")
    assert page.count('<li class="incoming') == 3
    # The answer to "1" (sent) and the coordinator's reply (on its way); not the reminders
    # planned for the days ahead.
    assert page.count('<li class="outgoing') == 2
    assert "Thank you for confirming." in page and "We sent" in page
    assert "Coordinator's reply" in page and "Planned" in page
    assert "Read as yes" in page
    assert "Rosalinda Q." in page and "…0142" in page and "555-0142" not in page
    assert "Mark as dealt with" in page and "Send reply" in page
    assert "Stop texting this number" not in page  # nobody asked to be left alone


def test_a_reply_sent_twice_goes_once(app, make, db):
    """The reply form sent twice (a double tap, a resend): one text is planned, and the second
    send comes back to the conversation saying so."""
    client, _ = _coordinator_client(app, make, db)
    make.family(name="Rosalinda Q.", phone="617-555-0142")
    db.session.commit()
    key = _text(db, "617-555-0142", "Can someone call me about Tuesday?").from_hash
    form = {**hidden_fields(client, f"/coordinator/inbox/{key}"), "text": "We will call you at noon."}
    assert client.post(f"/coordinator/inbox/{key}/reply", data=form).status_code == 302
    again = client.post(f"/coordinator/inbox/{key}/reply", data=form, follow_redirects=True)
    assert "This form was sent twice" in again.get_data(as_text=True)
    assert len(_staff_replies(db)) == 1


def test_replying_plans_the_text_and_marks_the_conversation_dealt_with(app, make, db, caplog):
    caplog.set_level(logging.DEBUG)
    client, coordinator = _coordinator_client(app, make, db)
    rosa = make.family(name="Rosalinda Q.", phone="617-555-0142")
    db.session.commit()
    key = _text(db, "617-555-0142", "Can someone call me about Tuesday?").from_hash
    token = csrf_token(client, f"/coordinator/inbox/{key}")

    response = client.post(f"/coordinator/inbox/{key}/reply",
                           data={"text": "We will call you at noon.", "csrf_token": token})

    assert response.status_code == 302 and response.location.endswith(f"/coordinator/inbox/{key}")
    [row] = _staff_replies(db)
    assert (row.body, row.family_id, row.state) == ("We will call you at noon.", rosa.id, MessageState.PENDING)
    assert row.params == {"by": coordinator.id}
    assert _waiting(db, key) == 0
    page = client.get(response.location).get_data(as_text=True)
    assert "Reply planned" in page and "We will call you at noon." in page
    assert "Mark as dealt with" not in page  # nothing waits any more
    for secret in ("555-0142", "5550142", "call you at noon", "Can someone call me", "Rosalinda"):
        assert secret not in caplog.text


@pytest.mark.parametrize("text, message", [
    ("Rosalinda, we will call you at noon.", "Leave the family's name out"),
    ("Call us back at 617-555-0100 please", "Leave phone numbers out"),
    ("We will meet you at court at 9.", "This family gets discreet texts"),
])
def test_a_reply_that_could_expose_the_family_is_refused_and_nothing_is_planned(app, make, db, text, message):
    client, _ = _coordinator_client(app, make, db)
    make.family(name="Rosalinda Q.", phone="617-555-0142", wording=Wording.DISCREET)
    db.session.commit()
    key = _text(db, "617-555-0142", "Where do we meet?").from_hash
    token = csrf_token(client, f"/coordinator/inbox/{key}")

    response = client.post(f"/coordinator/inbox/{key}/reply", data={"text": text, "csrf_token": token})

    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert message in page
    assert f"\n{text}</textarea>" in page  # what was typed is kept
    assert _staff_replies(db) == []
    assert _waiting(db, key) == 1


def test_an_opted_out_number_cannot_be_replied_to(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    make.family(name="Rosalinda Q.", phone="617-555-0142")
    db.session.commit()
    _text(db, "617-555-0142", "Who gave you my number?", minutes_ago=5)
    key = _text(db, "617-555-0142", "STOP").from_hash

    page = client.get(f"/coordinator/inbox/{key}").get_data(as_text=True)
    assert "This number opted out" in page
    assert "Send reply" not in page and 'name="text"' not in page
    assert "Read as STOP" in page

    token = csrf_token(client, "/password")
    response = client.post(f"/coordinator/inbox/{key}/reply", data={"text": "Sorry to bother you.", "csrf_token": token})
    assert response.status_code == 200
    assert "This number opted out (STOP)" in response.get_data(as_text=True)
    assert _staff_replies(db) == []


def test_stop_texting_this_number_records_an_opt_out(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    make.family(name="Rosalinda Q.", phone="617-555-0142")
    db.session.commit()
    key = _text(db, "617-555-0142", "Please stop sending me these messages").from_hash
    page = client.get(f"/coordinator/inbox/{key}").get_data(as_text=True)
    assert "Stop texting this number" in page and "Sounds like" in page

    response = client.post(f"/coordinator/inbox/{key}/opt-out",
                           data={"csrf_token": csrf_token(client, f"/coordinator/inbox/{key}")},
                           follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Nothing more will be texted to this number" in page
    assert "This number opted out" in page and "Stop texting this number" not in page
    opted = db.session.scalar(select(OptOut).where(OptOut.phone_hash == key))
    assert opted is not None and opted.active
    assert _waiting(db, key) == 0
    assert "asks to stop texting?" not in client.get("/coordinator/inbox").get_data(as_text=True)


def test_stop_texting_this_number_pressed_twice_records_it_once(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    make.family(name="Rosalinda Q.", phone="617-555-0142")
    db.session.commit()
    key = _text(db, "617-555-0142", "Please stop sending me these messages").from_hash
    button = hidden_fields(client, f"/coordinator/inbox/{key}")
    for _ in range(2):
        assert client.post(f"/coordinator/inbox/{key}/opt-out", data=button).status_code == 302
    opted_out = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "conversation.opted_out"))
    assert opted_out.all() == ["conversation.opted_out"]


def test_mark_as_dealt_with_empties_the_conversation(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    make.volunteer(name="Vera Volunteer", phone="617-555-0177")
    db.session.commit()
    key = _text(db, "617-555-0177", "Running late, sorry").from_hash
    _text(db, "617-555-0177", "Here now")

    response = client.post(f"/coordinator/inbox/{key}/handled",
                           data={"csrf_token": csrf_token(client, f"/coordinator/inbox/{key}")}, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Marked as dealt with" in page and "badge-waiting" not in page
    assert _waiting(db, key) == 0


def test_an_unknown_number_shows_but_cannot_be_texted_from_here(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    key = _text(db, "857-555-0199", "hello? is this the church?").from_hash
    page = client.get(f"/coordinator/inbox/{key}").get_data(as_text=True)
    assert "Unknown number" in page and "hello? is this the church?" in page
    assert "Send reply" not in page and "not a family" in page


# -- who may see it --------------------------------------------------------------------------------


def test_bad_or_unknown_keys_are_404(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    key = _text(db, "857-555-0199", "hello").from_hash
    token = csrf_token(client, "/password")
    never_texted = "0" * 64
    for bad in ("abc", key.upper(), key[:63], key + "0", never_texted, "../" + key[3:]):
        assert client.get(f"/coordinator/inbox/{bad}").status_code == 404, bad
    for bad in ("abc", key.upper(), never_texted[:40]):
        for action in ("reply", "handled", "opt-out"):
            assert client.post(f"/coordinator/inbox/{bad}/{action}",
                               data={"csrf_token": token, "text": "Hi"}).status_code == 404, (bad, action)
    assert client.post(f"/coordinator/inbox/{never_texted}/reply",
                       data={"csrf_token": token, "text": "Hi"}).status_code == 404
    assert _staff_replies(db) == []


def test_volunteers_get_404_and_visitors_are_sent_to_log_in_on_every_inbox_page(app, make, db):
    make.family(name="Rosalinda Q.", phone="617-555-0142")
    volunteer = make.volunteer()
    pending = make.pending_volunteer()
    db.session.commit()
    key = _text(db, "617-555-0142", "Please stop sending these").from_hash
    pages = ["/coordinator/inbox", f"/coordinator/inbox/{key}"]
    actions = [f"/coordinator/inbox/{key}/{action}" for action in ("reply", "handled", "opt-out")]

    for person in (volunteer, pending):
        client = app.test_client()
        log_in(client, person)
        token = csrf_token(client, "/password")
        for path in pages:
            assert client.get(path).status_code == 404, path
        for path in actions:
            assert client.post(path, data={"csrf_token": token, "text": "Hello"}).status_code == 404, path

    visitor = app.test_client()
    token = csrf_token(visitor, "/login")
    for path in pages:
        response = visitor.get(path)
        assert response.status_code == 302 and "/login" in response.location, path
    for path in actions:
        response = visitor.post(path, data={"csrf_token": token, "text": "Hello"})
        assert response.status_code == 302 and "/login" in response.location, path

    assert _staff_replies(db) == [] and _waiting(db, key) == 1
    assert db.session.scalar(select(OptOut).where(OptOut.phone_hash == key)) is None


# -- the family's replies, shown elsewhere ---------------------------------------------------------


def test_the_family_replies_show_on_the_dashboard_the_appointment_and_the_family(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    rosa = make.family(name="Rosalinda Q.", phone="617-555-0142")
    appointment = make.appointment(family=rosa, starts_at=from_now(days=2))
    other = make.appointment(starts_at=from_now(days=3))  # nobody replied about this one
    db.session.commit()
    dashboard = client.get("/").get_data(as_text=True)
    assert "Family confirmed" not in dashboard and "waiting for a reply" not in dashboard

    _text(db, "617-555-0142", "1", minutes_ago=3)
    _text(db, "617-555-0142", "2", minutes_ago=2)
    _text(db, "617-555-0142", "Can my cousin come too?", minutes_ago=1)
    db.session.expire_all()
    assert appointment.family_confirmed_at is not None and appointment.ride_requested_at is not None

    dashboard = client.get("/").get_data(as_text=True)
    assert dashboard.count("Family confirmed") == 1 and dashboard.count("Ride requested") == 1
    assert "1</strong> text waiting for a reply" in dashboard
    assert 'href="/coordinator/inbox" id="waiting-texts"' in dashboard
    shown = client.get(f"/coordinator/appointments/{appointment.id}").get_data(as_text=True)
    assert "Family confirmed" in shown and "Ride requested" in shown
    assert "Family confirmed" not in client.get(f"/coordinator/appointments/{other.id}").get_data(as_text=True)
    family_page = client.get(f"/coordinator/families/{rosa.id}").get_data(as_text=True)
    assert "Family confirmed" in family_page and "Ride requested" in family_page


# -- on a phone ------------------------------------------------------------------------------------


def test_a_coordinator_reads_and_answers_a_text_on_a_phone(phone, make, db):
    coordinator = make.coordinator(name="Carmen Coordinator")
    make.family(name="Rosalinda Q.", phone="617-555-0142")
    db.session.commit()
    _text(db, "617-555-0142", "Hello, can someone tell me where exactly we meet on Tuesday morning? "
                              "My daughter will come with me and she has a stroller.", minutes_ago=5)
    _text(db, "857-555-0199", "wrong number, please stop", minutes_ago=2)

    phone.goto("/login")
    phone.get_by_label("Email").fill(coordinator.email)
    phone.get_by_label("Password").fill(make.PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    open_menu(phone)
    phone.get_by_role("link", name="Inbox").first.click()
    phone.get_by_text("asks to stop texting?").wait_for()
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Read and reply").nth(1).click()
    phone.get_by_role("button", name="Send reply").wait_for()
    assert fits_the_screen(phone)
    phone.get_by_label("Your reply").fill("We meet at the main door at 8:30. The stroller is fine.")
    phone.get_by_role("button", name="Send reply").click()
    phone.get_by_text("Reply planned").wait_for()
    assert fits_the_screen(phone)
    db.session.expire_all()
    [row] = _staff_replies(db)
    assert row.body == "We meet at the main door at 8:30. The stroller is fine."


def test_the_inbox_list_makes_the_same_number_of_queries_for_3_or_30_conversations(app, make, db):
    from tests.support.queries import count_queries

    client, _ = _coordinator_client(app, make, db)

    def texts_from(numbers):
        for n in numbers:
            if n % 3 == 0:
                make.family(name=f"Family{n} Example", phone=f"617-555-{n:04d}")
            elif n % 3 == 1:
                make.volunteer(phone=f"617-555-{n:04d}")
            _text(db, f"+1617555{n:04d}", "Hello, can you call me?")

    texts_from(range(100, 103))
    with count_queries(db.engine) as few:
        assert client.get("/coordinator/inbox").status_code == 200
    texts_from(range(103, 130))
    with count_queries(db.engine) as many:
        page = client.get("/coordinator/inbox").get_data(as_text=True)
    assert page.count('href="/coordinator/inbox/') == 30
    assert len(few) == len(many)


def test_a_text_that_arrives_while_the_page_is_open_stays_waiting_after_dealt_with(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    first = _text(db, "+16175550142", "Can you call me?")
    page = client.get(f"/coordinator/inbox/{first.from_hash}").get_data(as_text=True)
    seen = int(html.unescape(page).split('name="seen" type="hidden" value="')[1].split('"')[0])
    assert seen == first.id
    _text(db, "+16175550142", "Also, my address changed")
    token = csrf_token(client, f"/coordinator/inbox/{first.from_hash}")
    response = client.post(f"/coordinator/inbox/{first.from_hash}/handled", data={"csrf_token": token, "seen": seen})
    assert response.status_code == 302
    assert _waiting(db, first.from_hash) == 1


def test_a_seen_of_spaces_is_refused_in_plain_words_not_a_server_error(app, make, db):
    client, _ = _coordinator_client(app, make, db)
    first = _text(db, "+16175550142", "Can you call me?")
    token = csrf_token(client, f"/coordinator/inbox/{first.from_hash}")
    response = client.post(f"/coordinator/inbox/{first.from_hash}/handled", data={"csrf_token": token, "seen": " "})
    assert response.status_code == 400
    assert _waiting(db, first.from_hash) == 1
