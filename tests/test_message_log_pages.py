"""The coordinators' message log through the test client: soonest first, a page at a time, each
text with its words, narrowed to a family or an appointment; and its buttons."""

import re
from datetime import timedelta
from html import escape

import pytest

from accompany.models import AppointmentKind, AppointmentStatus, Language, MessageState, OutboundMessage, RecipientKind
from accompany.services.messaging import family_texts, volunteer_texts
from accompany.services.messaging.rendering import render_text
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


# -- what is planned: soonest first, paged, with its words ------------------------------------------


def _planned(make, db, **appointment_fields):
    """An appointment ten days ahead with the family's reminders planned; the rows, soonest first."""
    family = appointment_fields.pop("family", None) or make.family(phone=f"617-555-01{make._n() % 90 + 10}")
    appointment = make.appointment(family=family, starts_at=from_now(days=10), **appointment_fields)
    rows = family_texts.plan_family_reminders(appointment, now=from_now())
    db.session.flush()
    return appointment, sorted(rows, key=lambda row: row.not_before)


def test_the_planned_texts_come_soonest_first_a_page_at_a_time(app, make, db):
    family = make.family()
    later = [_row(db, family, f"later-{n}", not_before=from_now(days=35, minutes=n), send_before=from_now(days=36))
             for n in range(100)]
    soonest = [_row(db, family, f"soon-{n}", not_before=from_now(hours=20, minutes=n), send_before=from_now(days=2))
               for n in range(10)]
    client = logged_in(app, make.coordinator())

    first = client.get("/coordinator/messages").get_data(as_text=True)
    assert "110 texts · page 1 of 5, soonest first" in first
    shown = [int(n) for n in re.findall(r'id="message-(\d+)"', first)]
    assert shown[:10] == [row.id for row in soonest]
    assert shown[10:] == [row.id for row in later[:15]]
    assert 'href="/coordinator/messages?page=2">Next page' in first
    last = client.get("/coordinator/messages?page=5").get_data(as_text=True)
    assert [int(n) for n in re.findall(r'id="message-(\d+)"', last)] == [row.id for row in later[90:]]
    assert "Previous page" in last and "Next page" not in last


def test_each_planned_text_shows_its_words_in_the_recipients_language(app, make, db):
    appointment, rows = _planned(make, db, family=make.family(language=Language.PORTUGUESE))
    client = logged_in(app, make.coordinator())
    page = client.get("/coordinator/messages").get_data(as_text=True)
    for row in rows:
        expected = render_text(row, now=max(from_now(), row.not_before), first_contact=True)
        assert expected.language == Language.PORTUGUESE
        assert f'lang="pt">{escape(expected.body)}</blockquote>' in page
    assert page.count("As it would go, in Portuguese") == len(rows) == 3


def test_a_planned_text_whose_subject_is_gone_says_so_plainly(app, make, db):
    appointment, rows = _planned(make, db)
    appointment.status = AppointmentStatus.CANCELLED  # its rows left pending, as a crash could
    volunteer = make.volunteer(phone="617-555-0177", sms_opt_in=True)
    _row(db, None, "gone-shift", kind="volunteer_soon", recipient_kind=RecipientKind.VOLUNTEER,
         user=volunteer, shift_id=make.shift(make.appointment(starts_at=from_now(days=3))).id)  # not theirs
    silent = make.family(phone="617-555-0178", sms_consent=False)
    _row(db, silent, "no-consent")
    client = logged_in(app, make.coordinator())
    page = client.get("/coordinator/messages").get_data(as_text=True)
    assert page.count("It will not be sent: the appointment is gone or no longer scheduled.") == 3
    assert "It will not be sent: the volunteer no longer holds this shift." in page
    assert "It will not be sent: no consent to texts, no phone, or the number opted out." in page
    assert "<blockquote" not in page


def test_a_sent_text_shows_the_words_it_went_with(app, make, db):
    family = make.family()
    _row(db, family, "sent", state=MessageState.DELIVERED, attempts=1, sent_at=from_now(hours=-2),
         not_before=from_now(hours=-3), body="Recordatorio: su cita es mañana.", language=Language.SPANISH, segments=1)
    client = logged_in(app, make.coordinator())
    page = client.get("/coordinator/messages?view=sent").get_data(as_text=True)
    assert 'lang="es">Recordatorio: su cita es mañana.</blockquote>' in page
    assert "As sent, in Spanish · 1 segment" in page


def test_the_log_narrows_to_one_family_or_one_appointment(app, make, db):
    rosa = make.family(name="Rosa M.", phone="617-555-0142")
    first, first_rows = _planned(make, db, family=rosa)
    second, second_rows = _planned(make, db, family=rosa, kind=AppointmentKind.ICE_CHECK_IN)
    other, other_rows = _planned(make, db)
    volunteer = make.volunteer(phone="617-555-0177", sms_opt_in=True)
    shift = make.shift(first)
    make.claim(shift, volunteer)
    about_shift = volunteer_texts.plan_volunteer_reminders(shift.claims[0], now=from_now())
    client = logged_in(app, make.coordinator())

    def shown(url):
        page = client.get(url).get_data(as_text=True)
        return page, {int(n) for n in re.findall(r'id="message-(\d+)"', page)}

    page, ids = shown(f"/coordinator/messages?family={rosa.id}")
    assert ids == {row.id for row in first_rows + second_rows + about_shift}
    assert "Texts to or about one family (…0142)" in page and "Rosa" not in page
    assert f'href="/coordinator/messages?family={rosa.id}&amp;appointment={second.id}">' in page
    assert "ICE check-in</a>" in page  # its appointments to choose from

    page, ids = shown(f"/coordinator/messages?appointment={first.id}&to=volunteer")
    assert ids == {row.id for row in about_shift}
    # The appointment brought its family along: its appointments are there to choose from.
    assert f'href="/coordinator/messages?to=volunteer&amp;family={rosa.id}&amp;appointment={first.id}" aria-current="page"' in page

    # An appointment of another family than the one chosen: the family was changed after it.
    assert shown(f"/coordinator/messages?family={other.family_id}&appointment={first.id}")[1] == {
        row.id for row in other_rows}


@pytest.mark.parametrize("query, problem", [
    ("family=abc", "That family is not in our records: showing every family."),
    ("family=99999", "That family is not in our records: showing every family."),
    ("appointment=-4", "That appointment is not in our records: showing every appointment."),
    ("appointment=99999999999999", "That appointment is not in our records: showing every appointment."),
    ("view=nonsense&to=martians&page=x", None),
])
def test_bad_filters_get_a_plain_message_not_an_error(app, make, db, query, problem):
    _planned(make, db)
    client = logged_in(app, make.coordinator())
    response = client.get(f"/coordinator/messages?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 texts" in page  # every planned text, as without the filter
    if problem:
        assert problem in page


def test_a_button_brings_the_coordinator_back_to_the_same_filtered_page(app, make, db):
    family = make.family()
    rows = [_row(db, family, f"r{n}", not_before=from_now(hours=1, minutes=n)) for n in range(30)]
    client = logged_in(app, make.coordinator())
    url = f"/coordinator/messages?family={family.id}&page=2"
    page = client.get(url).get_data(as_text=True)
    cancel = f"/coordinator/messages/{rows[27].id}/cancel?family={family.id}&amp;page=2"
    assert cancel in page
    response = client.post(cancel.replace("&amp;", "&"), data={"csrf_token": csrf_token(client, url)})
    assert response.headers["Location"] == url


def test_the_family_and_appointment_pages_lead_to_their_texts(app, make, db):
    appointment, rows = _planned(make, db)
    client = logged_in(app, make.coordinator())
    family_page = client.get(f"/coordinator/families/{appointment.family_id}").get_data(as_text=True)
    assert f'href="/coordinator/messages?view=all&amp;family={appointment.family_id}"' in family_page
    appointment_page = client.get(f"/coordinator/appointments/{appointment.id}").get_data(as_text=True)
    assert f'href="/coordinator/messages?view=all&amp;appointment={appointment.id}"' in appointment_page
    log = client.get(f"/coordinator/messages?view=all&appointment={appointment.id}").get_data(as_text=True)
    assert {int(n) for n in re.findall(r'id="message-(\d+)"', log)} == {row.id for row in rows}
