"""Letters of support (issue 14, point 4): a drive for a hearing, who was asked, the letters that
came, the reminders to the asked who have not sent one, and the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accompany.database import db
from accompany.models import (
    AppointmentKind,
    LetterAsk,
    LetterDrive,
    MessageKind,
    MessageState,
    OutboundMessage,
    SupportLetter,
)
from accompany.services.casework import letters
from accompany.services.messaging.dispatch import send_due
from accompany.services.messaging.facts import NothingToSay, gather_facts
from accompany.services.privacy.retention import purge_family
from tests.conftest import NOW, boston
from tests.support.browsing import hidden_fields, logged_in

HEARING = NOW + timedelta(days=20)  # Friday 2026-12-11, 10:00 in Boston
DEADLINE = date(2026, 12, 4)  # a week before: the default
CONTACT = "Pastora Wilhelmina Ferreira-Lindqvist"  # distinctive: any trace of it in a dump is a leak
WRITER = "Bartholomew Oyelaran-Castellanos"


@pytest.fixture
def hearing(make):
    family = make.family(name="Zelmira Q.")
    return make.appointment(family=family, kind=AppointmentKind.INDIVIDUAL_HEARING, starts_at=HEARING)


@pytest.fixture
def owner(make):
    return make.coordinator(name="Grace Oduya", phone="617-555-0122", sms_opt_in=True)


def _start(hearing, owner, **changes) -> LetterDrive:
    details = dict(target=5, deadline=DEADLINE, owner_id=owner.id) | changes
    return letters.start_drive(hearing, letters.DriveDetails(**details), by=owner, now=NOW)


def _rows(kind: MessageKind, state: MessageState = MessageState.PENDING) -> list[OutboundMessage]:
    return list(db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == kind, OutboundMessage.state == state)
        .order_by(OutboundMessage.not_before)))


# -- the drive -------------------------------------------------------------------------------------


def test_the_default_deadline_is_a_week_before_the_hearing(hearing):
    assert letters.default_deadline(hearing) == DEADLINE


def test_a_drive_is_for_a_hearing_ahead_and_one_per_hearing(make, hearing, owner):
    check_in = make.appointment(family=hearing.family, kind=AppointmentKind.ICE_CHECK_IN,
                                starts_at=HEARING + timedelta(days=2))
    with pytest.raises(letters.NotAHearing):
        _start(check_in, owner)
    drive = _start(hearing, owner)
    assert (drive.target, drive.deadline, drive.owner, drive.received) == (5, DEADLINE, owner, 0)
    with pytest.raises(letters.DriveExists):
        _start(hearing, owner)


@pytest.mark.parametrize("changes, error", [
    ({"target": 0}, letters.TargetInvalid),
    ({"target": None}, letters.TargetInvalid),
    ({"deadline": date(2026, 12, 12)}, letters.DeadlineInvalid),  # after the hearing
    ({"deadline": date(2026, 11, 20)}, letters.DeadlineInvalid),  # yesterday
    ({"owner_id": None}, letters.OwnerInvalid),
])
def test_a_drive_with_bad_settings_is_refused(make, hearing, owner, changes, error):
    if changes.get("owner_id", 0) is None:
        changes["owner_id"] = make.volunteer().id  # a volunteer cannot own a drive either
    with pytest.raises(error):
        _start(hearing, owner, **changes)


# -- reminders -------------------------------------------------------------------------------------


def test_an_asked_volunteer_is_reminded_a_week_and_two_days_before_the_deadline(make, hearing, owner):
    drive = _start(hearing, owner)
    volunteer = make.volunteer(phone="617-555-0161", sms_opt_in=True)
    letters.ask_volunteer(drive, volunteer.id, by=owner, now=NOW)
    rows = _rows(MessageKind.VOLUNTEER_LETTER_REMINDER)
    assert [row.not_before for row in rows] == [boston(date(2026, 11, 27), 10), boston(date(2026, 12, 2), 10)]
    assert rows[0].send_before == rows[1].not_before  # the week's reminder never goes after the two-day one
    assert rows[1].send_before == boston(date(2026, 12, 5), 0)  # nor the last after the deadline's day
    assert {row.user_id for row in rows} == {volunteer.id}
    letters.ask_volunteer(drive, make.volunteer(phone="617-555-0162", sms_opt_in=True).id, by=owner, now=NOW)
    assert len(_rows(MessageKind.VOLUNTEER_LETTER_REMINDER)) == 4  # asking another plans nothing twice
    with pytest.raises(letters.AlreadyAsked):
        letters.ask_volunteer(drive, volunteer.id, by=owner, now=NOW)


def test_asked_five_days_before_the_deadline_only_the_two_day_reminder_is_planned(make, hearing, owner):
    drive = _start(hearing, owner, deadline=date(2026, 11, 26))
    letters.ask_volunteer(drive, make.volunteer(phone="617-555-0161", sms_opt_in=True).id, by=owner, now=NOW)
    assert [row.not_before for row in _rows(MessageKind.VOLUNTEER_LETTER_REMINDER)] == [
        boston(date(2026, 11, 24), 10)]


def test_a_letter_in_cancels_the_volunteers_reminders_and_one_already_due_says_nothing(make, hearing, owner):
    drive = _start(hearing, owner)
    volunteer = make.volunteer(phone="617-555-0161", sms_opt_in=True)
    other = make.volunteer(phone="617-555-0162", sms_opt_in=True)
    ask = letters.ask_volunteer(drive, volunteer.id, by=owner, now=NOW)
    letters.ask_volunteer(drive, other.id, by=owner, now=NOW)
    claimed = next(row for row in _rows(MessageKind.VOLUNTEER_LETTER_REMINDER) if row.user_id == volunteer.id)
    claimed.state = MessageState.SENDING  # the sender holds it already when the letter comes
    letters.record_letter(drive, ask_id=ask.id, writer_name="", relationship="", received_on=date(2026, 11, 21),
                          by=owner, now=NOW)
    left = _rows(MessageKind.VOLUNTEER_LETTER_REMINDER)
    assert {row.user_id for row in left} == {other.id} and len(left) == 2
    with pytest.raises(NothingToSay, match="letter is in"):
        gather_facts(claimed, now=NOW + timedelta(days=6))
    assert drive.received == 1 and drive.letters[0].writer == volunteer.name
    assert drive.letters[0].writer_name is None  # their name is on the ask, not copied


def test_the_volunteers_text_counts_the_days_and_names_nobody(app, make, hearing, owner, gateway, db):
    drive = _start(hearing, owner)
    volunteer = make.volunteer(name="Val Volunteer", phone="617-555-0161", sms_opt_in=True)
    letters.ask_volunteer(drive, volunteer.id, by=owner, now=NOW)
    db.session.commit()
    send_due(gateway, clock=lambda: boston(date(2026, 11, 27), 10, 5), rate=0)
    assert len(gateway.sent) == 1
    number, body = gateway.sent[0][:2]
    assert number == "+16175550161"
    assert "due in 7 days" in body and "Zelmira" not in body and "Val" not in body
    send_due(gateway, clock=lambda: boston(date(2026, 12, 4), 9, 0), rate=0)  # the two-day one, sent late
    assert "due today" in gateway.sent[-1][1]


def test_the_owner_hears_how_many_community_contacts_are_still_to_remind(app, make, hearing, owner, gateway, db):
    drive = _start(hearing, owner)
    first = letters.ask_contact(drive, CONTACT, "Pastor", by=owner, now=NOW)
    letters.ask_contact(drive, "Ms. Teacher", "Teacher", by=owner, now=NOW)
    rows = _rows(MessageKind.COORDINATOR_LETTER_CONTACTS)
    assert [(row.user_id, row.not_before) for row in rows] == [
        (owner.id, boston(date(2026, 11, 27), 10)), (owner.id, boston(date(2026, 12, 2), 10))]
    letters.record_letter(drive, ask_id=first.id, writer_name="", relationship="", received_on=date(2026, 11, 21),
                          by=owner, now=NOW)
    db.session.commit()
    send_due(gateway, clock=lambda: boston(date(2026, 11, 27), 10, 5), rate=0)
    body = gateway.sent[0][1]
    assert "Community contacts still to send theirs: 1." in body and "in person" in body
    assert "Pastora" not in body and "Teacher" not in body and "Zelmira" not in body


def test_closing_the_drive_cancels_its_reminders_and_a_claimed_one_says_nothing(make, hearing, owner):
    drive = _start(hearing, owner)
    letters.ask_volunteer(drive, make.volunteer(phone="617-555-0161", sms_opt_in=True).id, by=owner, now=NOW)
    letters.ask_contact(drive, CONTACT, "Pastor", by=owner, now=NOW)
    row = _rows(MessageKind.COORDINATOR_LETTER_CONTACTS)[0]
    letters.close_drive(drive, by=owner, now=NOW)
    assert _rows(MessageKind.VOLUNTEER_LETTER_REMINDER) == [] and _rows(MessageKind.COORDINATOR_LETTER_CONTACTS) == []
    with pytest.raises(NothingToSay, match="closed"):
        gather_facts(row, now=NOW + timedelta(days=6))
    with pytest.raises(letters.DriveClosed):
        letters.ask_contact(drive, "Someone", "", by=owner, now=NOW)


def test_a_new_deadline_plans_the_reminders_again_for_it(make, hearing, owner):
    drive = _start(hearing, owner)
    letters.ask_volunteer(drive, make.volunteer(phone="617-555-0161", sms_opt_in=True).id, by=owner, now=NOW)
    changed = letters.update_drive(drive, letters.DriveDetails(target=5, deadline=date(2026, 12, 9),
                                                               owner_id=owner.id), by=owner, now=NOW)
    assert changed == ["deadline"]
    assert [row.not_before for row in _rows(MessageKind.VOLUNTEER_LETTER_REMINDER)] == [
        boston(date(2026, 12, 2), 10), boston(date(2026, 12, 7), 10)]
    assert len(_rows(MessageKind.VOLUNTEER_LETTER_REMINDER, MessageState.CANCELLED)) == 2


def test_a_letter_from_someone_not_asked_needs_a_name_and_a_day_not_ahead(hearing, owner):
    drive = _start(hearing, owner)
    with pytest.raises(letters.WriterNameMissing):
        letters.record_letter(drive, ask_id=None, writer_name=" ", relationship="", received_on=date(2026, 11, 21),
                              by=owner, now=NOW)
    with pytest.raises(letters.ReceivedDateInvalid):
        letters.record_letter(drive, ask_id=None, writer_name=WRITER, relationship="", received_on=date(2026, 11, 22),
                              by=owner, now=NOW)
    letter = letters.record_letter(drive, ask_id=None, writer_name=WRITER, relationship="Employer",
                                   received_on=date(2026, 11, 20), by=owner, now=NOW)
    assert letter.ask is None and drive.received == 1


# -- retention -------------------------------------------------------------------------------------


def test_the_purge_anonymizes_names_and_keeps_dates_and_counts(make, hearing, owner, db):
    drive = _start(hearing, owner)
    ask = letters.ask_contact(drive, CONTACT, "Pastor", by=owner, now=NOW)
    letters.record_letter(drive, ask_id=ask.id, writer_name="", relationship="", received_on=date(2026, 11, 21),
                          by=owner, now=NOW)
    letters.record_letter(drive, ask_id=None, writer_name=WRITER, relationship="Employer",
                          received_on=date(2026, 11, 20), by=owner, now=NOW)
    purge_family(hearing.family, now=NOW + timedelta(days=400))
    db.session.commit()
    db.session.expire_all()
    names = [ask.contact_name for ask in db.session.scalars(select(LetterAsk))]
    writers = [(letter.writer, letter.relationship_to_family, letter.received_on) for letter in db.session.scalars(
        select(SupportLetter).order_by(SupportLetter.received_on))]
    assert names == [letters.PURGED_NAME]
    assert writers == [(letters.PURGED_NAME, "", date(2026, 11, 20)), (letters.PURGED_NAME, "", date(2026, 11, 21))]
    assert db.session.get(LetterDrive, drive.id).deadline == DEADLINE


def test_legal_hold_keeps_the_names(app, make, hearing, owner, db):
    drive = _start(hearing, owner)
    letters.ask_contact(drive, CONTACT, "Pastor", by=owner, now=NOW)
    hearing.family.legal_hold = True
    with pytest.raises(Exception, match="legal hold"):
        purge_family(hearing.family, now=NOW + timedelta(days=400))
    assert db.session.scalar(select(LetterAsk.contact_name)) == CONTACT


# -- pages -----------------------------------------------------------------------------------------


def test_a_coordinator_starts_a_drive_from_the_hearing_and_notes_asks_and_letters(app, make, hearing, owner, db):
    volunteer = make.volunteer(name="Val Volunteer", phone="617-555-0161", sms_opt_in=True)
    browser = logged_in(app, owner)
    page = browser.get(f"/coordinator/appointments/{hearing.id}").get_data(as_text=True)
    assert "Start a letter drive" in page
    form = f"/coordinator/appointments/{hearing.id}/letter-drive"
    assert 'value="2026-12-04"' in browser.get(form).get_data(as_text=True)  # the default deadline
    answer = browser.post(form, data={**hidden_fields(browser, form), "target": "3", "deadline": "2026-12-04",
                                      "owner_id": str(owner.id)})
    assert answer.status_code == 302
    drive = db.session.scalar(select(LetterDrive))
    path = f"/coordinator/letter-drives/{drive.id}"
    assert answer.headers["Location"] == path

    browser.post(f"{path}/asks", data={**hidden_fields(browser, path), "volunteer_id": str(volunteer.id)})
    browser.post(f"{path}/asks", data={**hidden_fields(browser, path), "name": CONTACT, "relationship": "Pastor"})
    contact = db.session.scalar(select(LetterAsk).where(LetterAsk.volunteer_id.is_(None)))
    browser.post(f"{path}/letters", data={**hidden_fields(browser, path), "ask_id": str(contact.id),
                                          "received_on": "2026-11-21"})
    page = browser.get(path).get_data(as_text=True)
    assert "1 of 3" in page and CONTACT in page and "Val Volunteer" in page and "letter in" in page
    assert "Letters of support: 1 of 3" in browser.get(f"/coordinator/families/{hearing.family_id}").get_data(
        as_text=True)
    assert "Letters of support: 1 of 3" in browser.get(f"/coordinator/appointments/{hearing.id}").get_data(
        as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"target": "0", "deadline": "2026-12-04"}, "from 1 to 100"),
    ({"target": "3", "deadline": "2026-12-12"}, "up to the day of the hearing"),
    ({"target": "3", "deadline": "next friday"}, "Enter a date like 2026-11-21."),
    ({"target": "lots", "deadline": "2026-12-04"}, "Enter how many letters you want"),
])
def test_bad_drive_settings_are_told_in_plain_words_and_save_nothing(app, hearing, owner, db, data, message):
    browser = logged_in(app, owner)
    form = f"/coordinator/appointments/{hearing.id}/letter-drive"
    answer = browser.post(form, data={**hidden_fields(browser, form), "owner_id": str(owner.id), **data})
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LetterDrive)) == 0


def test_asking_nobody_or_two_at_once_is_told_and_saves_nothing(app, make, hearing, owner, db):
    volunteer = make.volunteer()
    drive = _start(hearing, owner)
    browser = logged_in(app, owner)
    path = f"/coordinator/letter-drives/{drive.id}"
    answer = browser.post(f"{path}/asks", data={**hidden_fields(browser, path), "name": "  "})
    assert answer.status_code == 200 and "type the community contact" in answer.get_data(as_text=True)
    answer = browser.post(f"{path}/asks", data={**hidden_fields(browser, path), "volunteer_id": str(volunteer.id),
                                                "name": CONTACT})
    assert "not both" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LetterAsk)) == 0


def test_volunteers_see_no_drive(app, make, hearing, owner, db):
    drive = _start(hearing, owner)
    volunteer = make.volunteer()
    letters.ask_volunteer(drive, volunteer.id, by=owner, now=NOW)
    browser = logged_in(app, volunteer)
    assert browser.get(f"/coordinator/letter-drives/{drive.id}").status_code == 404
