"""Families: the service rules (consent, closing, search) and the coordinator's pages."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from accompany.clock import utcnow
from accompany.crypto import Keyring, phone_index
from accompany.models import (
    AppointmentStatus,
    AuditEvent,
    Family,
    InboundMessage,
    Language,
    MessageState,
    OutboundMessage,
    RecipientKind,
    ShiftRole,
    Wording,
)
from accompany.services.people import families as service
from accompany.services.people import family_records
from accompany.services.people.families import (
    ConsentDateInFuture,
    ConsentHowMissing,
    ConsentNeedsPhone,
    ConsentWhoMissing,
    FamilyAlreadyClosed,
    FamilyDetails,
    FamilyHasUpcomingAppointments,
    FamilyNameMissing,
    FamilyNotClosed,
    FamilyPhoneInvalid,
    FamilyPurged,
    PhoneInUse,
)
from accompany.services.people.family_records import FamilySearch
from tests.conftest import NOW, csrf_token, log_in
from tests.support.browsing import assert_loads_nothing_from_outside, assert_sent_to_log_in, hidden_fields, logged_in


def _details(**fields) -> FamilyDetails:
    data = dict(
        name="Lucía R.", phone="(617) 555-0142", language=Language.SPANISH, town="Chelsea",
        notes="Prefers calls after 5", sms_consent=True, consent_given_by="Herself",
        consent_method="Verbal, at intake",
    )
    data.update(fields)
    return FamilyDetails(**data)


def _pending_text(family: Family, key: str = "test:1", state: MessageState = MessageState.PENDING) -> OutboundMessage:
    from accompany.database import db

    row = OutboundMessage(
        dedupe_key=key, kind="family_reminder_1d", recipient_kind=RecipientKind.FAMILY, family=family,
        not_before=NOW + timedelta(days=1), send_before=NOW + timedelta(days=2), state=state,
        attempts=0, params={}, created_at=NOW, body="Your appointment is tomorrow" if state == MessageState.SENT else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _family_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Family))


def _events(db, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def _assert_no_personal_data(events, *secrets):
    for event in events:
        dumped = json.dumps(event.details) + event.action + event.subject_type
        for secret in secrets:
            assert secret not in dumped, (event.action, secret)


# -- creating and changing ---------------------------------------------------------------------------


def test_create_family_seals_the_phone_and_records_who_created_it(make, db):
    coordinator = make.coordinator()
    family = service.create_family(_details(), by=coordinator, now=NOW)
    assert family.phone == "+16175550142"
    assert family.phone_hash == phone_index("+16175550142")
    assert (family.sms_consent, family.consent_at, family.wording) == (True, NOW, Wording.DISCREET)
    assert family.is_open
    db.session.commit()
    raw = " ".join(str(v) for row in db.session.execute(text("SELECT * FROM families")) for v in row)
    assert "Lucía" not in raw and "5550142" not in raw and "calls after" not in raw
    [event] = _events(db, "family.created")
    assert (event.actor_id, event.subject_type, event.subject_id) == (coordinator.id, "Family", family.id)
    _assert_no_personal_data([event], "Lucía", "0142", "Chelsea", "calls")


@pytest.mark.parametrize(
    "fields, error",
    [
        (dict(name="   "), FamilyNameMissing),
        (dict(phone="12345"), FamilyPhoneInvalid),
        (dict(phone="call me"), FamilyPhoneInvalid),
        (dict(consent_given_by=""), ConsentWhoMissing),
        (dict(consent_method="  "), ConsentHowMissing),
        (dict(phone=""), ConsentNeedsPhone),
        (dict(consent_at=NOW + timedelta(days=1)), ConsentDateInFuture),
    ],
)
def test_a_family_that_breaks_a_rule_is_not_saved(make, db, fields, error):
    coordinator = make.coordinator()
    with pytest.raises(error) as raised:
        service.create_family(_details(**fields), by=coordinator, now=NOW)
    assert raised.value.field  # the form can put the message next to the right field
    assert _family_count(db) == 0
    assert _events(db, "family.created") == []


def test_without_consent_no_consent_details_are_kept(make, db):
    family = service.create_family(
        _details(sms_consent=False, phone="", consent_given_by="someone"), by=make.coordinator(), now=NOW
    )
    assert (family.sms_consent, family.phone, family.consent_given_by, family.consent_at) == (False, None, "", None)


def test_the_same_phone_cannot_be_given_to_a_second_family(make, db):
    first = make.family(phone="617-555-0142")
    with pytest.raises(PhoneInUse) as raised:
        service.create_family(_details(phone="+1 617 555 0142"), by=make.coordinator(), now=NOW)
    assert raised.value.other_id == first.id
    assert _family_count(db) == 1


def test_edit_changes_fields_and_logs_only_their_names(make, db):
    coordinator = make.coordinator()
    family = service.create_family(_details(), by=coordinator, now=NOW)
    changed = service.update_family(
        family, _details(phone="617-555-0199", town="Revere", wording=Wording.PLAIN, consent_at=NOW),
        by=coordinator, now=NOW + timedelta(hours=1),
    )
    assert changed == ["phone", "town", "wording"]
    assert (family.phone, family.phone_hash) == ("+16175550199", phone_index("+16175550199"))
    assert family.updated_at == NOW + timedelta(hours=1)
    [event] = _events(db, "family.updated")
    assert event.details["fields"] == ["phone", "town", "wording"]
    _assert_no_personal_data([event], "Lucía", "0199", "0142", "Revere")


def test_saving_unchanged_details_changes_nothing(make, db):
    coordinator = make.coordinator()
    family = service.create_family(_details(), by=coordinator, now=NOW)
    assert service.update_family(family, _details(consent_at=NOW), by=coordinator, now=NOW) == []
    assert _events(db, "family.updated") == []


def test_withdrawing_consent_cancels_the_pending_texts_only(make, db):
    coordinator = make.coordinator()
    family = service.create_family(_details(), by=coordinator, now=NOW)
    pending = _pending_text(family, "test:pending")
    sent = _pending_text(family, "test:sent", MessageState.SENT)
    other_family_text = _pending_text(make.family(phone="617-555-0177"), "test:other")

    service.update_family(family, _details(sms_consent=False), by=coordinator, now=NOW)

    db.session.expire_all()
    assert family.sms_consent is False and family.consent_at is None
    assert db.session.get(OutboundMessage, pending.id).state == MessageState.CANCELLED
    assert db.session.get(OutboundMessage, sent.id).state == MessageState.SENT
    assert db.session.get(OutboundMessage, other_family_text.id).state == MessageState.PENDING
    [event] = _events(db, "family.updated")
    assert event.details["messages_cancelled"] == 1


def test_giving_consent_plans_reminders_for_upcoming_appointments(make, db):
    coordinator = make.coordinator()
    family = service.create_family(_details(sms_consent=False), by=coordinator, now=NOW)
    appointment = make.appointment(family=family, starts_at=NOW + timedelta(days=10))
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0

    service.update_family(family, _details(), by=coordinator, now=NOW)

    rows = db.session.scalars(select(OutboundMessage).where(OutboundMessage.family_id == family.id)).all()
    assert sorted(row.kind for row in rows) == ["family_reminder_1d", "family_reminder_3d", "family_reminder_7d"]
    assert all(row.appointment_id == appointment.id and row.state == MessageState.PENDING for row in rows)


def test_closing_cancels_pending_texts_and_reopening_opens(make, db):
    coordinator = make.coordinator()
    family = make.family()
    pending = _pending_text(family)
    assert service.close_family(family, by=coordinator, now=NOW) == 1
    assert family.closed_at == NOW and not family.is_open
    assert db.session.get(OutboundMessage, pending.id).state == MessageState.CANCELLED
    with pytest.raises(FamilyAlreadyClosed):
        service.close_family(family, by=coordinator, now=NOW)

    service.reopen_family(family, by=coordinator, now=NOW + timedelta(days=1))
    assert family.is_open and family.updated_at == NOW + timedelta(days=1)
    with pytest.raises(FamilyNotClosed):
        service.reopen_family(family, by=coordinator, now=NOW)
    assert [e.action for e in _events(db)] == ["family.closed", "family.reopened"]


def test_a_family_with_an_upcoming_appointment_cannot_be_closed(make, db):
    family = make.family()
    make.appointment(family=family, starts_at=NOW + timedelta(days=2))
    make.appointment(family=family, starts_at=NOW - timedelta(days=30))  # past: no obstacle
    make.appointment(family=family, starts_at=NOW + timedelta(days=5), status=AppointmentStatus.CANCELLED)
    with pytest.raises(FamilyHasUpcomingAppointments) as raised:
        service.close_family(family, by=make.coordinator(), now=NOW)
    assert raised.value.count == 1
    assert family.is_open


def test_an_anonymized_family_cannot_be_edited_or_reopened(make, db):
    coordinator = make.coordinator()
    family = make.family(closed_at=NOW, purged_at=NOW)
    with pytest.raises(FamilyPurged):
        service.update_family(family, _details(phone="617-555-0100"), by=coordinator, now=NOW)
    with pytest.raises(FamilyPurged):
        service.reopen_family(family, by=coordinator, now=NOW)


# -- finding families ------------------------------------------------------------------------------


@pytest.fixture
def some_families(make):
    return {
        "lucia": make.family(name="Lucía Ramírez", phone="617-555-0101", language=Language.SPANISH, town="Chelsea"),
        "luciano": make.family(name="LUCIANO P.", phone="617-555-0102", language=Language.PORTUGUESE, town="chelsea"),
        "jean": make.family(name="Jean-Baptiste D.", phone="617-555-0103", language=Language.HAITIAN_CREOLE, town="Everett"),
        "closed": make.family(name="Lucia Closed", phone="617-555-0104", town="Chelsea", closed_at=NOW),
    }


def _names(criteria: FamilySearch) -> list[str]:
    return [family.name for family in family_records.search_families(criteria)]


def test_name_search_ignores_case_and_accents(some_families):
    assert _names(FamilySearch(text="lucia")) == ["Lucía Ramírez", "LUCIANO P."]
    assert _names(FamilySearch(text="LUCÍA")) == ["Lucía Ramírez", "LUCIANO P."]
    assert _names(FamilySearch(text="ramirez")) == ["Lucía Ramírez"]
    assert _names(FamilySearch(text="baptiste")) == ["Jean-Baptiste D."]
    assert _names(FamilySearch(text="nobody")) == []


def test_filters_narrow_by_language_town_and_open_or_closed(some_families):
    assert _names(FamilySearch(language=Language.PORTUGUESE)) == ["LUCIANO P."]
    assert _names(FamilySearch(town="CHELSEA")) == ["Lucía Ramírez", "LUCIANO P."]
    assert _names(FamilySearch(status=family_records.CLOSED)) == ["Lucia Closed"]
    assert _names(FamilySearch(text="lucia", status=family_records.ALL)) == ["Lucía Ramírez", "LUCIANO P.", "Lucia Closed"]
    assert _names(FamilySearch(text="lucia", town="Chelsea", language=Language.SPANISH)) == ["Lucía Ramírez"]


@pytest.mark.parametrize("query", ["617-555-0103", "(617) 555 0103", "+16175550103", "6175550103"])
def test_phone_search_uses_the_blind_index_without_decrypting_everyone(some_families, monkeypatch, db, query):
    db.session.commit()
    db.session.expire_all()
    decrypted = []
    real_decrypt = Keyring.decrypt
    monkeypatch.setattr(Keyring, "decrypt", lambda self, token: decrypted.append(token) or real_decrypt(self, token))
    found = family_records.search_families(FamilySearch(text=query))
    assert [family.id for family in found] == [some_families["jean"].id]
    assert len(decrypted) <= 3  # one family's name, phone and notes, not the whole table


def test_consent_filter_finds_families_nobody_can_text(some_families, make):
    make.family(name="Sin Permiso", phone="617-555-0111", sms_consent=False)
    assert _names(FamilySearch(sms_consent=False)) == ["Sin Permiso"]
    assert "Sin Permiso" not in _names(FamilySearch(sms_consent=True))


def test_family_towns_lists_each_town_once(some_families):
    assert family_records.family_towns() == ["Chelsea", "Everett"]


# -- pages -----------------------------------------------------------------------------------------


def _form(client, path: str = "/coordinator/families/new", **fields) -> dict:
    data = {
        "name": "Lucía R.", "phone": "617-555-0142", "language": "es", "town": "Chelsea",
        "sms_consent": "y", "consent_given_by": "Herself", "consent_on": "",
        "consent_method": "Verbal, at intake", "wording": "discreet", "notes": "Walks with a cane",
        "csrf_token": csrf_token(client, path),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def staff(app, make, db):
    return logged_in(app, make.coordinator())


def test_coordinator_adds_a_family_and_sees_its_page(staff, db):
    response = staff.post("/coordinator/families/new", data=_form(staff, "/coordinator/families/new"))
    assert response.status_code == 302
    family = db.session.scalar(select(Family))
    assert response.headers["Location"] == f"/coordinator/families/{family.id}"
    assert (family.name, family.phone, family.language) == ("Lucía R.", "+16175550142", Language.SPANISH)
    assert family.consent_at is not None and family.wording == Wording.DISCREET

    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lucía R." in page and "(617) 555-0142" in page and "Walks with a cane" in page
    assert "The family is saved." in page
    actions = [(e.action, e.actor_id, e.subject_id) for e in _events(db)
               if e.action.startswith("family.")]
    assert actions == [("family.created", staff.user.id, family.id), ("family.viewed", staff.user.id, family.id)]
    _assert_no_personal_data(_events(db), "Lucía", "0142", "cane", "Chelsea")


def test_the_family_form_advises_first_name_and_initial_and_has_no_status_fields(staff):
    page = staff.get("/coordinator/families/new").get_data(as_text=True).lower()
    assert "first name and initial" in page
    fields = set(re.findall(r'name="([^"]+)"', page))
    for forbidden in ("status", "nationality", "a_number", "anumber", "case", "case_number", "country"):
        assert forbidden not in fields
    assert 'value="quc"' in page and "k'iche'" in html.unescape(page) and 'value="ht"' in page
    assert '<option selected value="discreet">' in page


@pytest.mark.parametrize(
    "fields, message",
    [
        (dict(name=""), "Enter the family's name"),
        (dict(name="x" * 200), "Keep the name under 120"),
        (dict(phone="12345"), "not valid"),
        (dict(phone="call me maybe"), "does not look like a phone number"),
        (dict(language="klingon"), "Choose one of the options listed"),
        (dict(wording="shouty"), "Choose one of the options listed"),
        (dict(town="t" * 100), "Keep the town under 80"),
        (dict(consent_given_by=""), "Say who gave consent"),
        (dict(consent_method=""), "Say how consent was given"),
        (dict(phone=""), "SMS consent needs a number"),
        (dict(consent_on="yesterday"), "Enter a date like"),
        (dict(consent_on="2999-01-01"), "cannot be in the future"),
    ],
)
def test_bad_family_input_gets_the_form_back_with_a_message_and_saves_nothing(staff, db, fields, message):
    response = staff.post("/coordinator/families/new", data=_form(staff, "/coordinator/families/new", **fields))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page or 'role="alert"' in page
    assert _family_count(db) == 0


def test_a_duplicate_phone_is_explained(staff, make, db):
    make.family(phone="617-555-0142")
    db.session.commit()
    response = staff.post("/coordinator/families/new", data=_form(staff, "/coordinator/families/new"))
    assert response.status_code == 200
    assert "already has this phone number" in response.get_data(as_text=True)
    assert _family_count(db) == 1


def test_edit_form_shows_the_family_and_saves_changes(staff, make, db):
    family = make.family(name="Rosa M.", phone="617-555-0177", consent_given_by="Rosa",
                         consent_method="Phone", consent_at=NOW - timedelta(days=40))
    db.session.commit()
    path = f"/coordinator/families/{family.id}/edit"
    form_page = staff.get(path).get_data(as_text=True)
    assert 'value="Rosa M."' in form_page and 'value="+16175550177"' in form_page
    consent_day = (NOW - timedelta(days=40)).astimezone(ZoneInfo("America/New_York")).date().isoformat()
    assert f'value="{consent_day}"' in form_page

    data = _form(staff, name="Rosa M.", phone="617-555-0177", consent_given_by="Rosa",
                 consent_method="Phone", town="Lynn", notes="",
                 consent_on=consent_day)
    response = staff.post(path, data=data)
    assert response.status_code == 302
    db.session.expire_all()
    family = db.session.get(Family, family.id)
    assert family.town == "Lynn"
    assert family.consent_at == NOW - timedelta(days=40)  # the same date keeps the recorded moment
    [updated] = _events(db, "family.updated")
    assert updated.details["fields"] == ["town"]
    assert [e.details["page"] for e in _events(db, "family.viewed")] == ["edit"]


def test_bad_edit_input_changes_nothing(staff, make, db):
    family = make.family(name="Rosa M.", phone="617-555-0177")
    db.session.commit()
    path = f"/coordinator/families/{family.id}/edit"
    response = staff.post(path, data=_form(staff, path, name="Rosa Changed", phone="555"))
    assert response.status_code == 200
    assert "not valid" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Family, family.id).name == "Rosa M."
    assert _events(db, "family.updated") == []


def test_withdrawing_consent_on_the_page_cancels_pending_texts(staff, make, db):
    family = make.family(name="Rosa M.", phone="617-555-0177", consent_given_by="Rosa", consent_method="Phone",
                         consent_at=NOW - timedelta(days=3))
    pending = _pending_text(family)
    db.session.commit()
    path = f"/coordinator/families/{family.id}/edit"
    data = _form(staff, path, name="Rosa M.", phone="617-555-0177", sms_consent=None)
    assert staff.post(path, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Family, family.id).sms_consent is False
    assert db.session.get(OutboundMessage, pending.id).state == MessageState.CANCELLED


def _press(staff, family: Family, button: str, **options):
    """Press the family page's `button` ("close" or "reopen") as the page's form would."""
    page_path = f"/coordinator/families/{family.id}"
    return staff.post(f"{page_path}/{button}", data={"csrf_token": csrf_token(staff, page_path)}, **options)


def test_close_and_reopen_buttons(staff, make, db):
    family = make.family()
    pending = _pending_text(family)
    db.session.commit()
    response = _press(staff, family, "close")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Family, family.id).closed_at is not None
    assert db.session.get(OutboundMessage, pending.id).state == MessageState.CANCELLED
    page = staff.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    assert "No more texts will go to it" in page and "Reopen the family" in page

    response = _press(staff, family, "reopen")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Family, family.id).closed_at is None
    actions = [e.action for e in _events(db) if e.action in ("family.closed", "family.reopened")]
    assert actions == ["family.closed", "family.reopened"]


def test_closing_a_family_with_an_upcoming_appointment_is_refused_with_a_reason(staff, make, db):
    family = make.family()
    make.appointment(family=family, starts_at=utcnow() + timedelta(days=2))
    db.session.commit()
    response = _press(staff, family, "close", follow_redirects=True)
    assert response.status_code == 200
    assert "1 upcoming appointment" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Family, family.id).closed_at is None
    assert _events(db, "family.closed") == []


def test_closing_twice_gets_a_message_not_an_error(staff, make, db):
    family = make.family(closed_at=NOW)
    db.session.commit()
    response = _press(staff, family, "close", follow_redirects=True)
    assert response.status_code == 200
    assert "already closed" in response.get_data(as_text=True)


def test_the_new_family_form_sent_twice_saves_one_family(staff, db):
    """A double tap on Save, or a phone resending the form (issue 12): the form carries a one-time
    key, saved with the family, so the second send of the same form saves nothing and says why."""
    form = {**hidden_fields(staff, "/coordinator/families/new"),
            **_form(staff, phone="", sms_consent=None, consent_given_by="", consent_method="")}
    assert staff.post("/coordinator/families/new", data=form).status_code == 302
    again = staff.post("/coordinator/families/new", data=form)
    assert again.status_code == 200 and "This form was sent twice" in again.get_data(as_text=True)
    assert _family_count(db) == 1
    assert [e.action for e in _events(db, "family.created")] == ["family.created"]


def test_family_page_shows_appointments_coverage_and_message_history_without_bodies(staff, make, db):
    family = make.family(name="Rosa M.")
    location = make.location(name="Boston Immigration Court")
    appointment = make.appointment(family=family, location=location,
                                   starts_at=datetime(2026, 12, 1, 14, 0, tzinfo=UTC))
    ride = make.shift(appointment, role=ShiftRole.RIDE_THERE, slots=2)
    make.shift(appointment, role=ShiftRole.COMPANION)
    make.claim(ride, make.volunteer(name="Pat Driver"))
    _pending_text(family, "test:sent", MessageState.SENT)
    db.session.add(InboundMessage(from_hash=family.phone_hash, from_phone=family.phone, body="SI confirmo secreto",
                                  received_at=NOW, family_id=family.id, kind="confirm"))
    db.session.commit()

    page = staff.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    assert "Court hearing: master calendar" in page
    assert "Tue, Dec 1, 9:00 AM" in page and "Boston Immigration Court" in page and "Scheduled" in page
    assert "Ride there (1/2):" in page and "Pat Driver" in page
    assert "Court / check-in companion (0/1):" in page and "nobody yet" in page
    assert "family reminder 1d" in page and "Sent" in page and "confirm" in page
    assert f'href="/coordinator/appointments/{appointment.id}"' in page
    assert f'href="/coordinator/appointments/new?family_id={family.id}"' in page
    assert "Your appointment is tomorrow" not in page and "secreto" not in page


def test_family_list_searches_and_filters(staff, make, db):
    make.family(name="Lucía Ramírez", phone="617-555-0101", town="Chelsea")
    make.family(name="Jean D.", phone="617-555-0102", language=Language.HAITIAN_CREOLE, town="Everett")
    make.family(name="Lucas Closed", phone="617-555-0103", closed_at=NOW)
    db.session.commit()
    everyone = staff.get("/coordinator/families").get_data(as_text=True)
    assert "Lucía Ramírez" in everyone and "Jean D." in everyone and "Lucas Closed" not in everyone
    assert "(617) 555-0101" in everyone

    found = staff.get("/coordinator/families?q=LUCIA").get_data(as_text=True)
    assert "Lucía Ramírez" in found and "Jean D." not in found
    by_phone = staff.get("/coordinator/families?q=(617)+555-0102").get_data(as_text=True)
    assert "Jean D." in by_phone and "Lucía" not in by_phone
    creole = staff.get("/coordinator/families?language=ht").get_data(as_text=True)
    assert "Jean D." in creole and "Lucía" not in creole
    town = staff.get("/coordinator/families?town=Chelsea").get_data(as_text=True)
    assert "Lucía Ramírez" in town and "Jean D." not in town
    closed = staff.get("/coordinator/families?status=closed").get_data(as_text=True)
    assert "Lucas Closed" in closed and "Lucía" not in closed
    make.family(name="Sin Permiso", phone="617-555-0111", sms_consent=False)
    db.session.commit()
    no_consent = staff.get("/coordinator/families?consent=no").get_data(as_text=True)
    assert "Sin Permiso" in no_consent and "Lucía" not in no_consent


def test_bad_filters_are_explained_not_a_crash(staff, make, db):
    make.family(name="Lucía Ramírez")
    db.session.commit()
    response = staff.get("/coordinator/families?language=klingon&status=whatever&town=Atlantis&consent=maybe&page=abc")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose one of the options listed" in page
    assert "Lucía Ramírez" in page  # the bad filters are left out, the rest still works


def test_missing_family_is_404(staff):
    assert staff.get("/coordinator/families/999").status_code == 404
    assert staff.get("/coordinator/families/999/edit").status_code == 404
    token = csrf_token(staff, "/coordinator/families/new")
    assert staff.post("/coordinator/families/999/close", data={"csrf_token": token}).status_code == 404


def _family_urls(family_id: int) -> list[tuple[str, str]]:
    base = f"/coordinator/families/{family_id}"
    return [
        ("GET", "/coordinator/families"), ("GET", "/coordinator/families/new"),
        ("POST", "/coordinator/families/new"), ("GET", base), ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"), ("POST", f"{base}/close"), ("POST", f"{base}/reopen"),
    ]


@pytest.mark.parametrize("kind", ["volunteer", "pending_volunteer"])
def test_volunteers_get_404_on_every_family_page(client, make, db, kind):
    family = make.family(name="Rosa M.")
    person = getattr(make, kind)()
    db.session.commit()
    log_in(client, person)
    token = csrf_token(client, "/password")
    for method, url in _family_urls(family.id):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=_form(client, "/password", csrf_token=token))
        assert response.status_code == 404, (method, url)
        assert "Rosa" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert _family_count(db) == 1
    assert db.session.get(Family, family.id).closed_at is None
    assert [e for e in _events(db) if e.action.startswith("family.")] == []


def test_anonymous_visitors_are_sent_to_log_in(client, make, db):
    family = make.family()
    db.session.commit()
    assert_sent_to_log_in(client, _family_urls(family.id))


def test_family_pages_load_nothing_from_outside_static(staff, make, db):
    family = make.family()
    db.session.commit()
    assert_loads_nothing_from_outside(staff, [
        "/coordinator/families", "/coordinator/families/new", f"/coordinator/families/{family.id}",
        f"/coordinator/families/{family.id}/edit",
    ])


def test_consent_date_is_kept_as_the_start_of_that_local_day(staff, db):
    response = staff.post("/coordinator/families/new",
                          data=_form(staff, "/coordinator/families/new", consent_on="2026-11-02"))
    assert response.status_code == 302
    family = db.session.scalar(select(Family))
    assert family.consent_at == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # midnight in Boston (EST)
    page = staff.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    assert "Nov 2, 2026" in page


def test_a_long_list_comes_in_pages_that_keep_the_search(staff, make, db):
    for n in range(52):
        make.family(name=f"Ana {n:02d}.", phone="", town="Lynn")
    db.session.commit()
    first = staff.get("/coordinator/families?town=Lynn&_scheme=javascript&_external=1").get_data(as_text=True)
    assert "52 families · page 1 of 2" in first
    assert first.count('class="card"') == 50
    assert 'href="/coordinator/families?page=2&amp;town=Lynn"' in first
    assert "javascript" not in first
    second = staff.get("/coordinator/families?town=Lynn&page=2").get_data(as_text=True)
    assert second.count('class="card"') == 2 and "Ana 51." in second
    assert staff.get("/coordinator/families?page=-3").status_code == 200


def test_a_coordinator_puts_a_family_under_legal_hold_and_the_purge_leaves_it(staff, make, db):
    from accompany.services.privacy.retention import purge_due_families

    family = make.family(name="Rosa M.", phone="617-555-0177", consent_given_by="Rosa", consent_method="Phone",
                         consent_at=NOW - timedelta(days=900))
    family.created_at = NOW - timedelta(days=900)  # no appointment, recorded long ago: due for purging
    db.session.commit()
    path = f"/coordinator/families/{family.id}/edit"
    consent_day = (NOW - timedelta(days=900)).astimezone(ZoneInfo("America/New_York")).date().isoformat()
    data = _form(staff, path, name="Rosa M.", phone="617-555-0177", consent_given_by="Rosa", consent_method="Phone",
                 consent_on=consent_day, legal_hold="y")
    assert staff.post(path, data=data).status_code == 302
    db.session.expire_all()
    family = db.session.get(Family, family.id)
    assert family.legal_hold is True
    assert "legal_hold" in _events(db, "family.updated")[0].details["fields"]
    assert "Legal hold" in staff.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    purge_due_families(now=NOW, dry_run=False)
    db.session.commit()
    assert db.session.get(Family, family.id).purged_at is None
    family.legal_hold = False  # without the hold, the same run purges it
    purge_due_families(now=NOW, dry_run=False)
    db.session.commit()
    assert db.session.get(Family, family.id).purged_at is not None
