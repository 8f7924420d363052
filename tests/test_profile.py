"""A volunteer's own profile: each field, the rules, the obligor attestation and text reminders."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from accompany.models import (
    AuditEvent,
    Language,
    MessageState,
    OutboundMessage,
    RecipientKind,
    User,
)
from accompany.services.errors import NotAVolunteer
from accompany.services.people.profile import (
    PhoneNeededForTexts,
    ProfileDetails,
    TrainingInFuture,
    details_of,
    update_profile,
)
from tests.conftest import NOW, csrf_token, log_in
from tests.support.texting import code_texted_to

PROFILE = "/my/profile"


def _volunteer(make, **fields):
    defaults = dict(name="Dana Rivera", phone="617-555-0123", languages=["en"], home_area="Chelsea",
                    sms_opt_in=True)
    return make.volunteer(**{**defaults, **fields})


def _form(client, **fields) -> dict:
    """The profile form as the page shows it, with `fields` changed (None leaves a box unticked)."""
    data = {
        "name": "Dana Rivera",
        "phone": "(617) 555-0123",
        "languages": ["en"],
        "court_training_on": "",
        "home_area": "Chelsea",
        "sms_opt_in": "y",
        "csrf_token": csrf_token(client, PROFILE),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def _reload(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _snapshot(user: User) -> tuple:
    return (user.name, user.phone, user.phone_hash, tuple(user.language_codes), user.has_car,
            user.court_training_on, user.obligor_eligible, user.obligor_attested_at, user.home_area,
            user.sms_opt_in)


def _pending_text(make, user, key: str, state=MessageState.PENDING) -> OutboundMessage:
    from accompany.database import db

    row = OutboundMessage(
        dedupe_key=key, kind="volunteer_soon", recipient_kind=RecipientKind.VOLUNTEER, user=user,
        not_before=NOW + timedelta(hours=1), send_before=NOW + timedelta(hours=3), state=state,
        attempts=0, created_at=NOW,
    )
    db.session.add(row)
    db.session.flush()
    return row


# -- the page ------------------------------------------------------------------------------------


def test_the_page_shows_the_profile_as_it_stands(client, make, db):
    volunteer = _volunteer(make, languages=["es", "pt"], has_car=True)
    db.session.commit()
    log_in(client, volunteer)
    page = client.get(PROFILE).get_data(as_text=True)
    assert 'value="Dana Rivera"' in page
    assert 'value="(617) 555-0123"' in page
    assert 'value="Chelsea"' in page
    ticked = set(re.findall(r'<input checked id="languages-\d+" name="languages" type="checkbox" value="(\w+)"', page))
    assert ticked == {"es", "pt"}
    assert "I can be a bond obligor: I am a U.S. citizen or lawful permanent resident" in page
    assert "<script" not in page and "style=" not in page


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"name": "  Dana R. Rivera "}, {"name": "Dana R. Rivera"}),
        ({"languages": ["es", "ht"]}, {"language_codes": ["es", "ht"]}),
        ({"has_car": "y"}, {"has_car": True}),
        ({"court_training_on": "2026-03-14"}, {"court_training_on": date(2026, 3, 14)}),
        ({"obligor_eligible": "y"}, {"obligor_eligible": True}),
        ({"home_area": "East Boston"}, {"home_area": "East Boston"}),
        ({"sms_opt_in": None}, {"sms_opt_in": False}),
    ],
)
def test_each_field_saves(client, make, db, fields, expected):
    volunteer = _volunteer(make)
    db.session.commit()
    log_in(client, volunteer)
    response = client.post(PROFILE, data=_form(client, **fields))
    assert response.status_code == 302 and response.headers["Location"] == PROFILE
    saved = _reload(db, volunteer)
    for attribute, value in expected.items():
        assert getattr(saved, attribute) == value
    assert "Your profile is saved." in client.get(PROFILE).get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.updated"))
    assert event.actor_id == volunteer.id and event.subject_id == volunteer.id
    changed = [{"language_codes": "languages"}.get(name, name) for name in expected]
    assert event.details == {"fields": changed}


def test_a_new_phone_gets_a_new_lookup_hash_once_its_code_comes_back(client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    old_hash = volunteer.phone_hash
    log_in(client, volunteer)
    client.post(PROFILE, data=_form(client, phone="857-555-0199"))
    assert _reload(db, volunteer).phone_hash == old_hash  # not theirs until the code comes back
    code = code_texted_to("+18575550199")
    client.post("/my/profile/phone/confirm", data={"code": code, "csrf_token": csrf_token(client, PROFILE)})
    saved = _reload(db, volunteer)
    assert saved.phone == "+18575550199"
    assert saved.phone_hash and saved.phone_hash != old_hash


def test_saving_without_changes_records_nothing(client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    log_in(client, volunteer)
    client.post(PROFILE, data=_form(client))
    assert "Nothing changed." in client.get(PROFILE).get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.updated")) is None


def test_the_audit_event_holds_field_names_not_values(make, db):
    volunteer = _volunteer(make)
    details = details_of(volunteer)
    details.phone, details.home_area, details.name = "857-555-0199", "Revere", "Dana Q."
    update_profile(volunteer, details, now=NOW)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.updated"))
    assert event.details == {"fields": ["name", "new_phone", "home_area"]}
    assert not any(value in str(event.details) for value in ("555", "0199", "Revere", "Dana"))


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"phone": "12345"}, "That phone number is not valid"),
        ({"phone": "call me"}, "does not look like a phone number"),
        ({"court_training_on": "2999-01-01"}, "cannot be in the future"),
        ({"court_training_on": "last spring"}, "Enter a date like"),
        ({"home_area": "x" * 121}, "Keep this under 120 characters"),
        ({"name": ""}, "Enter your name"),
        ({"name": "x" * 121}, "Keep your name under 120"),
        ({"languages": ["klingon"]}, "Choose only from the options listed"),
        ({"phone": ""}, "Add a mobile number to get text reminders"),
    ],
)
def test_bad_input_gets_a_plain_message_and_saves_nothing(client, make, db, fields, message):
    volunteer = _volunteer(make)
    db.session.commit()
    before = _snapshot(volunteer)
    log_in(client, volunteer)
    # Change everything else too, so a half-save would show.
    data = _form(client, home_area="Revere", has_car="y", obligor_eligible="y", languages=["es"])
    data.update(fields)
    response = client.post(PROFILE, data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _snapshot(_reload(db, volunteer)) == before
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.updated")) is None


def test_the_service_refuses_a_training_date_in_the_future(make, db):
    volunteer = _volunteer(make)
    details = details_of(volunteer)
    details.court_training_on = NOW.date() + timedelta(days=1)
    with pytest.raises(TrainingInFuture):
        update_profile(volunteer, details, now=NOW)
    details.court_training_on = NOW.date()  # today is fine
    assert update_profile(volunteer, details, now=NOW) == ["court_training_on"]


def test_texts_need_a_phone(make, db):
    volunteer = _volunteer(make)
    details = details_of(volunteer)
    details.phone = ""
    with pytest.raises(PhoneNeededForTexts):
        update_profile(volunteer, details, now=NOW)
    assert volunteer.phone == "+16175550123"
    details.sms_opt_in = False
    assert update_profile(volunteer, details, now=NOW) == ["phone", "sms_opt_in"]
    assert (volunteer.phone, volunteer.phone_hash) == (None, None)


def test_posting_without_the_csrf_token_is_refused_and_saves_nothing(client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    before = _snapshot(volunteer)
    log_in(client, volunteer)
    data = _form(client, home_area="Revere")
    del data["csrf_token"]
    assert client.post(PROFILE, data=data).status_code == 400
    assert _snapshot(_reload(db, volunteer)) == before


# -- the obligor attestation -----------------------------------------------------------------------


def test_ticking_the_obligor_box_records_when_and_unticking_clears_it(make, db):
    volunteer = _volunteer(make)
    details = details_of(volunteer)
    details.obligor_eligible = True
    assert update_profile(volunteer, details, now=NOW) == ["obligor_eligible"]
    assert volunteer.obligor_eligible and volunteer.obligor_attested_at == NOW

    later = NOW + timedelta(days=20)
    details.home_area = "Revere"  # saved again with the box still ticked: the date stays
    update_profile(volunteer, details, now=later)
    assert volunteer.obligor_attested_at == NOW

    details.obligor_eligible = False
    assert update_profile(volunteer, details, now=later) == ["obligor_eligible"]
    assert not volunteer.obligor_eligible and volunteer.obligor_attested_at is None

    details.obligor_eligible = True
    update_profile(volunteer, details, now=later + timedelta(days=1))
    assert volunteer.obligor_attested_at == later + timedelta(days=1)


def test_the_page_says_when_the_attestation_was_made(client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    log_in(client, volunteer)
    client.post(PROFILE, data=_form(client, obligor_eligible="y"))
    saved = _reload(db, volunteer)
    assert saved.obligor_attested_at is not None
    assert "You said so on" in client.get(PROFILE).get_data(as_text=True)


# -- text reminders --------------------------------------------------------------------------------


def test_turning_texts_off_cancels_the_texts_waiting_to_go(client, make, db):
    volunteer, other = _volunteer(make), _volunteer(make, email="other@example.org")
    waiting = _pending_text(make, volunteer, "a")
    already_sent = _pending_text(make, volunteer, "b", state=MessageState.SENT)
    someone_elses = _pending_text(make, other, "c")
    db.session.commit()
    log_in(client, volunteer)
    client.post(PROFILE, data=_form(client, sms_opt_in=None))
    db.session.expire_all()
    assert db.session.get(OutboundMessage, waiting.id).state == MessageState.CANCELLED
    assert db.session.get(OutboundMessage, already_sent.id).state == MessageState.SENT
    assert db.session.get(OutboundMessage, someone_elses.id).state == MessageState.PENDING
    assert _reload(db, volunteer).sms_opt_in is False


def test_keeping_texts_on_leaves_waiting_texts_alone(make, db):
    volunteer = _volunteer(make)
    waiting = _pending_text(make, volunteer, "a")
    details = details_of(volunteer)
    details.home_area = "Revere"
    update_profile(volunteer, details, now=NOW)
    assert waiting.state == MessageState.PENDING


# -- who has a profile -----------------------------------------------------------------------------


def test_a_pending_volunteer_edits_their_profile(client, make, db):
    volunteer = make.pending_volunteer(name="Pat Waiting", phone="617-555-0124", sms_opt_in=True)
    db.session.commit()
    log_in(client, volunteer)
    page = client.get(PROFILE).get_data(as_text=True)
    assert "still has to approve" in page
    assert "Put my shifts in my phone" not in page  # the calendar is for approved volunteers
    response = client.post(
        PROFILE, data=_form(client, name="Pat Waiting", phone="617-555-0124", languages=["es", "en"],
                            has_car="y")
    )
    assert response.status_code == 302
    saved = _reload(db, volunteer)
    assert saved.has_car and saved.language_codes == ["en", "es"]
    assert saved.status.value == "pending"


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_staff_get_404(client, make, db, who):
    person = make.coordinator() if who == "coordinator" else make.admin()
    db.session.commit()
    log_in(client, person)
    assert client.get(PROFILE).status_code == 404
    token = csrf_token(client, "/password")
    assert client.post(PROFILE, data={"csrf_token": token, "name": "Changed"}).status_code == 404
    assert _reload(db, person).name != "Changed"
    with pytest.raises(NotAVolunteer):
        update_profile(person, ProfileDetails(name="Changed"), now=NOW)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_languages_are_stored_as_the_enum(make, db):
    volunteer = _volunteer(make)
    details = details_of(volunteer)
    details.languages = ["quc", "mam"]
    update_profile(volunteer, details, now=NOW)
    assert sorted(entry.language for entry in volunteer.languages) == sorted([Language.KICHE, Language.MAM])


@pytest.mark.browser
def test_the_profile_page_works_on_a_phone(phone, make, db):
    from tests.support.browser import fits_the_screen
    from tests.test_browser import log_in as browser_log_in

    volunteer = _volunteer(make)
    db.session.commit()
    browser_log_in(phone, volunteer.email, make.PASSWORD)
    phone.goto(PROFILE)
    assert fits_the_screen(phone)
    phone.get_by_label("Spanish").check()
    phone.get_by_label("I have a car").check()
    phone.get_by_label("I can be a bond obligor").check()
    phone.get_by_label("Date of your court-accompaniment training").fill("2026-02-03")
    save = phone.get_by_role("button", name="Save my profile")
    assert save.bounding_box()["height"] >= 44
    save.click()
    phone.get_by_text("Your profile is saved.").wait_for()
    assert fits_the_screen(phone)
    saved = _reload(db, volunteer)
    assert saved.language_codes == ["en", "es"] and saved.has_car and saved.obligor_eligible
    assert saved.court_training_on == date(2026, 2, 3)


def test_turning_texts_back_on_plans_reminders_for_shifts_already_held(make, db):
    from datetime import timedelta

    from sqlalchemy import select

    from accompany.models import MessageState, OutboundMessage
    from accompany.services.people.profile import details_of, update_profile
    from tests.conftest import NOW

    volunteer = make.volunteer(phone="617-555-0161", sms_opt_in=False)
    shift = make.shift(starts_at=NOW + timedelta(days=3))
    make.claim(shift, volunteer)
    details = details_of(volunteer)
    details.sms_opt_in = True
    update_profile(volunteer, details, now=NOW)
    kinds = sorted(db.session.scalars(select(OutboundMessage.kind).where(
        OutboundMessage.user_id == volunteer.id, OutboundMessage.state == MessageState.PENDING)))
    assert kinds == ["volunteer_evening_before", "volunteer_soon"]
