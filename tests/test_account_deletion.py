"""A volunteer deleting their own account from their profile: password required, shifts ahead
released (with the usual late-release alerts), texts stopped, the person anonymized, history kept."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accompany.crypto import phone_index
from accompany.models import (
    AuditEvent,
    Claim,
    InboundMessage,
    MessageKind,
    MessageState,
    OutboundMessage,
    Outcome,
    RecipientKind,
    Shift,
    User,
    UserStatus,
    VolunteerLanguage,
)
from accompany.services.errors import DomainError, LoginFailed
from accompany.services.messaging import planning
from accompany.services.people.accounts import authenticate
from accompany.services.people.passwords import password_matches
from accompany.services.privacy.account_deletion import (
    AccountNotDeletable,
    DeletePasswordWrong,
    delete_volunteer_account,
)
from tests.conftest import NOW, csrf_token, from_now, log_in
from tests.support.factories import Factory
from tests.test_retention import database_text, table_rows

PROFILE = "/my/profile"
DELETE = "/my/profile/delete"
PASSWORD = Factory.PASSWORD
NAME, EMAIL, PHONE = "Dana Rivera", "dana.rivera@example.org", "617-555-0123"
# What says who the volunteer was, in the forms it could be stored in.
PERSONAL = ("Dana", "Rivera", "dana.rivera", "6175550123", "5550123", "Orient Heights", "Running late, Dana here")


def _volunteer(make, **fields):
    defaults = dict(name=NAME, email=EMAIL, phone=PHONE, languages=["en", "es"], home_area="Orient Heights",
                    sms_opt_in=True, has_car=True, obligor_eligible=True, calendar_token="cal-" + "x" * 40)
    return make.volunteer(**{**defaults, **fields})


def _coordinator_who_takes_texts(make):
    return make.coordinator(phone="617-555-0100", sms_opt_in=True)


def _pending_text(db, user, key: str, *, body=None, state=MessageState.PENDING, at=NOW) -> OutboundMessage:
    row = OutboundMessage(
        dedupe_key=key, kind="volunteer_soon", recipient_kind=RecipientKind.VOLUNTEER, user=user,
        not_before=at + timedelta(hours=1), send_before=at + timedelta(hours=3), state=state,
        attempts=0, body=body, created_at=at,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _reload(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _delete_form(client, password=PASSWORD) -> dict:
    return {"delete_password": password, "csrf_token": csrf_token(client, PROFILE)}


# -- the page ------------------------------------------------------------------------------------------


def test_the_profile_page_explains_deleting_the_account(client, make, db):
    volunteer = _volunteer(make)
    make.claim(make.shift(make.appointment(starts_at=from_now(days=5))), volunteer)
    make.claim(make.shift(make.appointment(starts_at=from_now(days=9))), volunteer)
    db.session.commit()
    log_in(client, volunteer)

    page = client.get(PROFILE).get_data(as_text=True)

    assert '<h2 id="delete-account-heading">Delete my account</h2>' in page
    assert f'action="{DELETE}"' in page
    assert ('autocomplete="current-password" id="delete_password" name="delete_password" required '
            'type="password" value=""') in page
    assert "This cannot be undone." in page
    assert "the 2 shifts you hold that have not started yet are given back" in page
    assert "coordinators are told if it is less than 24 hours away" in page
    assert "shifts you already did stay in the network's numbers, with no name on them" in page
    assert "<script" not in page and "style=" not in page


# -- through the pages -----------------------------------------------------------------------------------


def test_deleting_with_the_password_anonymizes_logs_out_and_lands_on_login(client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    version = volunteer.session_version
    log_in(client, volunteer)

    response = client.post(DELETE, data=_delete_form(client))

    assert response.status_code == 302 and response.headers["Location"] == "/login"
    with client.session_transaction() as cookie:
        assert "_user_id" not in cookie  # logged out, not only refused on the next request
    landing = client.get("/login").get_data(as_text=True)
    assert "Your account is deleted and you are logged out." in landing
    # The session is over: the profile now asks for a login.
    assert client.get(PROFILE).headers["Location"].startswith("/login")
    gone = _reload(db, volunteer)
    assert gone.name == "Deleted volunteer"
    assert gone.email == f"deleted-{volunteer.id}@invalid"
    assert (gone.phone, gone.phone_hash, gone.calendar_token, gone.home_area) == (None, None, None, "")
    assert gone.languages == [] and db.session.scalar(select(func.count()).select_from(VolunteerLanguage)) == 0
    assert (gone.has_car, gone.obligor_eligible, gone.sms_opt_in) == (False, False, False)
    assert gone.status == UserStatus.DISABLED and gone.session_version == version + 1
    assert gone.role == volunteer.role and gone.created_at == volunteer.created_at
    assert not password_matches(gone.password_hash, PASSWORD)  # even if someone reactivated it


def test_nothing_can_log_in_to_a_deleted_account(client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    log_in(client, volunteer)
    client.post(DELETE, data=_delete_form(client))

    for email in (EMAIL, f"deleted-{volunteer.id}@invalid"):
        response = client.post("/login", data={"email": email, "password": PASSWORD,
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 200
    db.session.expire_all()
    for password in (PASSWORD, "", "!account-deleted"):
        with pytest.raises(LoginFailed):
            authenticate(f"deleted-{volunteer.id}@invalid", password, now=NOW)


def test_every_other_session_ends_too(app, client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    phone_session = app.test_client()
    log_in(phone_session, volunteer)
    log_in(client, volunteer)
    assert phone_session.get(PROFILE).status_code == 200

    client.post(DELETE, data=_delete_form(client))

    assert phone_session.get(PROFILE).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [("not my password", "That password is not right, so your account was not deleted."),
     ("", "Enter your password to delete your account.")],
)
def test_a_wrong_or_missing_password_deletes_nothing(client, make, db, password, message):
    volunteer = _volunteer(make)
    shift = make.shift(make.appointment(starts_at=from_now(hours=5)))
    make.claim(shift, volunteer)
    _pending_text(db, volunteer, "k1", at=from_now())
    _coordinator_who_takes_texts(make)
    db.session.commit()
    log_in(client, volunteer)
    before = table_rows(db)

    response = client.post(DELETE, data=_delete_form(client, password))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="Dana Rivera"' in page  # the profile is shown as it stands, nothing lost
    db.session.expire_all()
    assert table_rows(db) == before
    assert client.get(PROFILE).status_code == 200  # still logged in


def test_a_refusal_halfway_through_leaves_everything_as_it_was(client, make, db, monkeypatch):
    volunteer = _volunteer(make)
    make.claim(make.shift(make.appointment(starts_at=from_now(days=3))), volunteer)
    db.session.commit()
    log_in(client, volunteer)
    before = table_rows(db)

    def refuse(user):
        raise DomainError("Something said no.")

    monkeypatch.setattr(planning, "cancel_user_messages", refuse)  # after the claims were released
    response = client.post(DELETE, data=_delete_form(client))

    assert response.status_code == 200 and "Something said no." in response.get_data(as_text=True)
    db.session.expire_all()
    assert table_rows(db) == before


def test_without_the_form_token_nothing_is_deleted(client, make, db):
    volunteer = _volunteer(make)
    db.session.commit()
    log_in(client, volunteer)
    before = table_rows(db)
    response = client.post(DELETE, data={"delete_password": PASSWORD})
    assert response.status_code in (200, 400)
    db.session.expire_all()
    assert table_rows(db) == before


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_and_admins_cannot_use_it(client, make, db, role):
    staff = getattr(make, role)(name="Sam Staff")
    db.session.commit()
    log_in(client, staff)
    before = table_rows(db)

    token = csrf_token(client, "/password")  # a good token, so the 404 is the role's answer
    assert client.post(DELETE, data={"delete_password": PASSWORD, "csrf_token": token}).status_code == 404

    db.session.expire_all()
    assert table_rows(db) == before
    with pytest.raises(AccountNotDeletable):
        delete_volunteer_account(db.session.get(User, staff.id), PASSWORD, now=NOW)
    assert table_rows(db) == before


def test_logged_out_people_are_sent_to_log_in(client):
    response = client.post(DELETE, data={"delete_password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_volunteer_still_waiting_for_approval_can_delete_theirs(client, make, db):
    volunteer = make.pending_volunteer(name=NAME, email=EMAIL)
    db.session.commit()
    log_in(client, volunteer)
    assert client.post(DELETE, data=_delete_form(client)).status_code == 302
    assert _reload(db, volunteer).status == UserStatus.DISABLED


# -- the service ----------------------------------------------------------------------------------------


def test_shifts_ahead_are_released_with_the_usual_late_alert_and_past_ones_kept(make, db):
    volunteer = _volunteer(make)
    coordinator = _coordinator_who_takes_texts(make)
    soon = make.shift(make.appointment(starts_at=NOW + timedelta(hours=10)))  # inside the 24 h cutoff
    later = make.shift(make.appointment(starts_at=NOW + timedelta(days=10)))
    done = make.shift(make.appointment(starts_at=NOW - timedelta(days=20)))
    under_way = make.shift(make.appointment(starts_at=NOW + timedelta(minutes=20)))  # began 10 min ago
    for shift in (soon, later, done, under_way):
        make.claim(shift, volunteer)
    past = db.session.scalar(select(Claim).where(Claim.shift_id == done.id))
    past.report_outcome, past.report_hours, past.reported_at = Outcome.HELD, Decimal("2.5"), NOW

    deletion = delete_volunteer_account(volunteer, PASSWORD, now=NOW)

    assert (deletion.claims_released, deletion.late_releases) == (2, 1)
    held = {claim.shift_id for claim in db.session.scalars(select(Claim).where(Claim.volunteer_id == volunteer.id))}
    assert held == {done.id, under_way.id}
    db.session.expire_all()
    assert [db.session.get(Shift, s.id).filled for s in (soon, later, done, under_way)] == [0, 0, 1, 1]
    kept = db.session.get(Claim, past.id)
    assert (kept.report_outcome, kept.report_hours) == (Outcome.HELD, Decimal("2.5"))
    # Released through the claims service: its audit events and its late-release alert.
    released = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "claim.released")
                                  .order_by(AuditEvent.id)).all()
    assert [(e.subject_id, e.actor_id, e.details["late"]) for e in released] == [
        (soon.id, volunteer.id, True), (later.id, volunteer.id, False)]
    alerts = db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.kind == MessageKind.COORDINATOR_LATE_RELEASE)).all()
    assert [(a.user_id, a.shift_id, a.state) for a in alerts] == [(coordinator.id, soon.id, MessageState.PENDING)]


def test_pending_texts_are_cancelled_and_texts_both_ways_lose_their_words(make, db):
    volunteer = _volunteer(make)
    other = make.volunteer(phone="617-555-0199", sms_opt_in=True)
    waiting = _pending_text(db, volunteer, "a", body=None)
    sent = _pending_text(db, volunteer, "b", body="Shift tomorrow 9:00 at the court", state=MessageState.DELIVERED)
    theirs = _pending_text(db, other, "c")
    said = InboundMessage(from_hash=phone_index("+16175550123"), from_phone="+16175550123",
                          body="Running late, Dana here", received_at=NOW, user_id=volunteer.id, kind="other")
    db.session.add(said)
    db.session.flush()

    deletion = delete_volunteer_account(volunteer, PASSWORD, now=NOW)

    db.session.expire_all()
    assert db.session.get(OutboundMessage, waiting.id).state == MessageState.CANCELLED
    assert db.session.get(OutboundMessage, theirs.id).state == MessageState.PENDING
    kept = db.session.get(OutboundMessage, sent.id)
    assert kept.state == MessageState.DELIVERED and kept.body is None
    said = db.session.get(InboundMessage, said.id)
    assert (said.body, said.from_phone, said.user_id) == ("", "", volunteer.id)
    assert said.from_hash != phone_index("+16175550123") and said.handled_at == NOW
    assert (deletion.messages_cancelled, deletion.texts_cleared) == (1, 3)


def test_a_wrong_password_changes_nothing(make, db):
    volunteer = _volunteer(make)
    make.claim(make.shift(make.appointment(starts_at=NOW + timedelta(hours=5))), volunteer)
    _pending_text(db, volunteer, "a")
    before = table_rows(db)
    with pytest.raises(DeletePasswordWrong) as caught:
        delete_volunteer_account(volunteer, "guess", now=NOW)
    assert str(caught.value) == "That password is not right, so your account was not deleted."
    assert caught.value.field == "delete_password"
    assert table_rows(db) == before


def test_a_disabled_account_cannot_be_deleted_this_way(make, db):
    volunteer = _volunteer(make, status=UserStatus.DISABLED)
    with pytest.raises(AccountNotDeletable):
        delete_volunteer_account(volunteer, PASSWORD, now=NOW)


def test_the_audit_event_holds_ids_and_counts_only(make, db):
    volunteer = _volunteer(make)
    make.claim(make.shift(make.appointment(starts_at=NOW + timedelta(days=3))), volunteer)
    delete_volunteer_account(volunteer, PASSWORD, now=NOW)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.deleted"))
    assert (event.actor_id, event.subject_type, event.subject_id) == (volunteer.id, "User", volunteer.id)
    assert event.details == {"claims_released": 1, "late_releases": 0, "messages_cancelled": 0, "texts_cleared": 0}


def test_no_trace_of_the_person_is_left_in_the_database(make, db):
    volunteer = _volunteer(make)
    make.claim(make.shift(make.appointment(starts_at=NOW - timedelta(days=3))), volunteer)
    make.claim(make.shift(make.appointment(starts_at=NOW + timedelta(days=3))), volunteer)
    _pending_text(db, volunteer, "a", body="Dana, your shift is tomorrow", state=MessageState.DELIVERED)
    db.session.add(InboundMessage(from_hash=volunteer.phone_hash, from_phone=volunteer.phone,
                                  body="Running late, Dana here", received_at=NOW, user_id=volunteer.id))
    phone_hash, token = volunteer.phone_hash, volunteer.calendar_token
    before = database_text(db)
    assert [value for value in (*PERSONAL, phone_hash, token) if value not in before] == []

    delete_volunteer_account(volunteer, PASSWORD, now=NOW)

    after = database_text(db)
    for value in (*PERSONAL, phone_hash, token):
        assert value not in after, f"{value!r} is still in the database"
    # The past shift still counts, under the anonymized account.
    assert db.session.scalar(select(func.count()).select_from(Claim).where(Claim.volunteer_id == volunteer.id)) == 1
