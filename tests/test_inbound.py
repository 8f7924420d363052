"""Handling texts people send us: STOP, START and HELP in every language we text in, a family's
1 and 2, and what waits for a coordinator. Services called directly (the webhook has its own tests)."""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accompany.crypto import phone_index
from accompany.database import db, set_once
from accompany.models import (
    Appointment,
    AttendanceMode,
    AuditEvent,
    InboundMessage,
    Language,
    MessageKind,
    MessageState,
    OptOut,
    OutboundMessage,
    Shift,
    ShiftRole,
)
from accompany.services.messaging import audience, family_texts, planning
from accompany.services.messaging.dispatch import send_due
from accompany.services.messaging.inbound import receive_text
from accompany.services.messaging.keywords import normalize
from accompany.services.messaging.rendering import render_number_reply, render_text
from accompany.services.messaging.sms.gateway import FinalError, current_gateway
from accompany.services.messaging.wording import CATALOGS
from tests.conftest import NOW, from_now
from tests.support.queries import count_queries

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

FAMILY_PHONE = "+16175550142"  # the factory family's number
STRANGER = "+16175550199"
_sids = itertools.count(1)


def receive(body: str, phone: str = FAMILY_PHONE, *, now=NOW, **kwargs):
    return receive_text(phone, body, provider_sid=f"SM{next(_sids):032d}", now=now, **kwargs)


def words(meaning: str) -> list[tuple[str, str]]:
    return [(language, word) for language, catalog in CATALOGS.items() for word in catalog.KEYWORDS[meaning]]


TYPINGS = [lambda w: w, str.lower, lambda w: f"  {w.title()} ", lambda w: f"{w}!", lambda w: f"{w.lower()}."]


def languages_of(meaning: str, word: str) -> set[str]:
    """The languages whose catalogs have `word` for `meaning` (PARAR: Spanish and Portuguese)."""
    return {language for language, catalog in CATALOGS.items()
            if normalize(word) in {normalize(w) for w in [*catalog.KEYWORDS.get(meaning, []),
                                                          *(catalog.ACKNOWLEDGEMENTS if meaning == "yes" else [])]}}


def answer_language(meaning: str, word: str, sender_language: str | None) -> str:
    """What the answer must be in: the word's language when only one language has it, else the
    known sender's, else English."""
    own = languages_of(meaning, word)
    return own.pop() if len(own) == 1 else (sender_language or "en")


def typed(index: int, word: str) -> str:
    """Each word typed one of several ways (every way of typing is covered in test_keywords)."""
    return TYPINGS[index % len(TYPINGS)](word)


@pytest.fixture
def booked(make, db):
    """A family with an appointment in ten days and its reminders planned."""
    family = make.family()
    appointment = make.appointment(family=family, starts_at=NOW + timedelta(days=10))
    family_texts.plan_family_reminders(appointment, now=NOW)
    db.session.flush()
    return family, appointment


def pending_to(family) -> int:
    return len([row for row in family_rows(family) if row.state == MessageState.PENDING])


def family_rows(family) -> list[OutboundMessage]:
    return list(db.session.scalars(select(OutboundMessage).where(OutboundMessage.family_id == family.id)))


def opted_out(phone: str = FAMILY_PHONE) -> bool:
    return audience.is_opted_out(phone_index(phone))


# -- STOP, START, HELP -----------------------------------------------------------------------------


@pytest.mark.parametrize("index, language, word", [(i, *pair) for i, pair in enumerate(words("stop"))],
                         ids=lambda value: str(value))
def test_every_stop_word_opts_the_number_out_cancels_its_texts_and_confirms_once(booked, db, index, language, word):
    family, _ = booked
    assert pending_to(family) == 3
    handled = receive(typed(index, word))
    assert opted_out()
    assert pending_to(family) == 0
    assert handled.message.kind == "stop" and handled.message.handled_at == NOW
    assert handled.reply.language.value == answer_language("stop", word, "es")  # the family speaks Spanish
    assert handled.reply.body.startswith("Test Accompany Group")
    # The confirmation is the answer in the webhook: nothing is planned to the number.
    assert not [row for row in family_rows(family) if row.state == MessageState.PENDING]


@pytest.mark.parametrize("index, language, word", [(i, *pair) for i, pair in enumerate(words("start"))],
                         ids=lambda value: str(value))
def test_every_start_word_opts_back_in_and_plans_the_reminders_again(booked, db, index, language, word):
    family, _ = booked
    receive("STOP")
    handled = receive(typed(index, word), now=NOW + timedelta(minutes=5))
    assert not opted_out()
    assert pending_to(family) == 3
    assert handled.message.kind == "start" and handled.reply.language.value == answer_language("start", word, "es")
    assert CATALOGS[handled.reply.language.value].STOP_WORD in handled.reply.body


@pytest.mark.parametrize("index, language, word", [(i, *pair) for i, pair in enumerate(words("help"))],
                         ids=lambda value: str(value))
def test_every_help_word_answers_with_our_name_and_help_line(booked, db, index, language, word):
    handled = receive(typed(index, word))
    assert handled.message.kind == "help"
    assert handled.reply.language.value == answer_language("help", word, "es")
    assert "Test Accompany Group" in handled.reply.body and "(617) 555-0100" in handled.reply.body
    assert not opted_out() and pending_to(booked[0]) == 3


def test_an_opted_out_number_gets_nothing_further(booked, make, db, app):
    family, appointment = booked
    receive("PARAR")
    later = make.appointment(family=family, starts_at=NOW + timedelta(days=20))
    assert family_texts.plan_family_reminders(later, now=NOW) == []
    assert family_texts.plan_family_notice(appointment, MessageKind.FAMILY_RESCHEDULED, now=NOW) is None
    # A row planned before the STOP by some other path is still not sent.
    row = planning.plan_message("test:late", kind="family_reminder_1d", now=NOW, not_before=NOW,
                                send_before=NOW + timedelta(days=1), family=family, appointment=appointment)
    db.session.commit()
    gateway = current_gateway()
    send_due(gateway, clock=lambda: NOW, rate=0)
    assert gateway.sent == []
    assert db.session.get(OutboundMessage, row.id).state == MessageState.CANCELLED


def test_twilio_21610_on_a_send_and_a_stop_text_are_the_same_opt_out(make, db, app):
    """The carrier's "this number said STOP" is recorded on the number just as our own STOP is,
    and START lifts either."""
    volunteer = make.volunteer(phone="617-555-0177", sms_opt_in=True)
    planning.plan_message("test:carrier", kind=MessageKind.STAFF_REPLY, now=NOW, not_before=NOW,
                          send_before=NOW + timedelta(hours=1), user=volunteer).body = "Can you call me back?"
    db.session.commit()
    gateway = current_gateway()
    gateway.fail_next(FinalError(code="21610"))
    send_due(gateway, clock=lambda: NOW, rate=0)
    assert opted_out("+16175550177")
    record = db.session.scalar(select(OptOut).where(OptOut.phone_hash == phone_index("+16175550177")))
    assert record.keyword == "carrier 21610"
    receive("STOP", "+16175550177")  # the person also texts STOP: one opt-out, still active
    assert db.session.scalar(select(func.count()).select_from(OptOut)) == 1 and opted_out("+16175550177")
    receive("START", "+16175550177", now=NOW + timedelta(minutes=1))
    assert not opted_out("+16175550177")


def test_twilios_own_opt_out_reading_counts_even_when_the_words_are_ours_to_read(booked, db):
    handled = receive("Stop please, thank you", carrier_keyword="STOP")
    assert handled.message.kind == "stop" and opted_out()


def test_a_message_that_sounds_like_stop_waits_for_a_coordinator_and_opts_nothing_out(booked, db):
    handled = receive("Please stop sending me these messages")
    assert handled.message.kind == "stop_request" and handled.message.handled_at is None
    assert not opted_out() and pending_to(booked[0]) == 3
    assert "Reply STOP to stop" in handled.reply.body  # the help text says how


def stopped_alerts() -> list[OutboundMessage]:
    return list(db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.kind == MessageKind.COORDINATOR_FAMILY_STOPPED).order_by(OutboundMessage.id)))


def test_a_family_with_an_appointment_ahead_that_says_stop_is_reported_to_the_coordinators(booked, make, db, app):
    """Every reminder is cancelled by the STOP, so nothing else would tell anyone (and a STOP sent
    in the family's name by someone else would go unnoticed)."""
    app.config.update(PUBLIC_BASE_URL="https://accompany.example.org", SMS_RATE_PER_SECOND=0)
    family, appointment = booked
    coordinator = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    make.coordinator(phone="617-555-0123", sms_opt_in=False)  # takes no texts
    receive("PARAR")
    alerts = stopped_alerts()
    assert [(alert.user_id, alert.appointment_id) for alert in alerts] == [(coordinator.id, appointment.id)]
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject_id == family.id)) == "family.texts_stopped"

    receive("STOP", now=NOW + timedelta(minutes=1))  # already stopped: nothing new to report
    assert len(stopped_alerts()) == 1
    receive("START", now=NOW + timedelta(minutes=2))
    receive("STOP", now=NOW + timedelta(minutes=3))  # stopped again: reported again
    assert len(stopped_alerts()) == 2

    db.session.commit()
    gateway = current_gateway()
    send_due(gateway, clock=lambda: NOW + timedelta(minutes=4), rate=0)
    bodies = [body for to, body in gateway.sent if to == "+16175550122"]
    assert len(bodies) == 2
    for body in bodies:
        assert "no reminder will reach them" in body
        assert f"https://accompany.example.org/coordinator/families/{family.id}" in body
        assert "Maria" not in body and "0142" not in body


def test_a_stop_that_cancels_no_reminder_ahead_is_not_reported(make, db):
    make.coordinator(phone="617-555-0122", sms_opt_in=True)
    make.family()  # nothing ahead
    no_consent = make.family(phone="617-555-0143", sms_consent=False)
    appointment = make.appointment(family=no_consent, starts_at=NOW + timedelta(days=3))  # texts were never going
    volunteer = make.volunteer(phone="617-555-0177", sms_opt_in=True)
    make.claim(make.shift(appointment), volunteer)
    for number in (FAMILY_PHONE, "+16175550143", "+16175550177", STRANGER):
        receive("STOP", number)
    assert stopped_alerts() == []


def test_a_coordinator_stopping_texts_from_the_inbox_is_not_reported_back_to_them(booked, make, db):
    from accompany.services.messaging.conversations import opt_out_number

    coordinator = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    receive("Please stop sending me these messages")
    opt_out_number(phone_index(FAMILY_PHONE), by=coordinator, now=NOW + timedelta(minutes=5))
    assert opted_out() and stopped_alerts() == []


# -- families --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["1", "YES", "sí", "SIM", "wi", "Oui!"])
def test_a_family_confirms_its_appointment(booked, db, body):
    family, appointment = booked
    handled = receive(body)
    assert appointment.family_confirmed_at == NOW
    assert handled.message.appointment_id == appointment.id and handled.message.handled_at == NOW
    assert handled.reply is None  # the answer goes through the outbox
    confirmations = [row for row in family_rows(family) if row.kind == MessageKind.REPLY_CONFIRMED]
    assert len(confirmations) == 1 and confirmations[0].appointment_id == appointment.id
    receive(body, now=NOW + timedelta(minutes=1))  # said twice: still one answer, first time kept
    assert appointment.family_confirmed_at == NOW
    assert len([row for row in family_rows(family) if row.kind == MessageKind.REPLY_CONFIRMED]) == 1


@pytest.mark.parametrize("body, kind", [("1", MessageKind.REPLY_CONFIRMED), ("2", MessageKind.REPLY_RIDE)])
@pytest.mark.parametrize("local_hour", [20, 22, 23, 1, 5, 7])
def test_a_family_reply_at_night_is_answered_the_next_morning(make, db, body, kind, local_hour):
    # Was: the answer could wait only 6 hours, so a "1" after about 19:30 was never answered.
    boston = ZoneInfo("America/New_York")
    day = date(2026, 11, 24) if local_hour >= 12 else date(2026, 11, 25)
    sent_at = datetime.combine(day, time(local_hour), boston).astimezone(UTC)
    family = make.family()
    appointment = make.appointment(family=family, starts_at=datetime.combine(date(2026, 11, 27), time(9), boston))
    receive(body, now=sent_at)
    answers = [row for row in family_rows(family) if row.kind == kind]
    assert len(answers) == 1
    morning = datetime.combine(date(2026, 11, 25), time(8), boston)
    assert answers[0].not_before == morning and answers[0].send_before > morning
    assert answers[0].send_before <= appointment.starts_at


def test_a_reply_at_night_is_not_answered_after_the_appointment_began(make, db):
    boston = ZoneInfo("America/New_York")
    family = make.family()
    make.appointment(family=family, starts_at=datetime(2026, 11, 25, 7, 30, tzinfo=boston))  # before 08:00
    receive("1", now=datetime(2026, 11, 24, 22, 0, tzinfo=boston).astimezone(UTC))
    assert [row for row in family_rows(family) if row.kind == MessageKind.REPLY_CONFIRMED] == []


def test_the_reply_answers_the_appointment_we_last_texted_about(make, db):
    family = make.family()
    sooner = make.appointment(family=family, starts_at=NOW + timedelta(days=2))
    later = make.appointment(family=family, starts_at=NOW + timedelta(days=8))
    planning.plan_message("test:sent", kind="family_reminder_7d", now=NOW - timedelta(hours=1),
                          not_before=NOW - timedelta(hours=1), send_before=NOW + timedelta(days=1),
                          family=family, appointment=later).sent_at = NOW - timedelta(minutes=30)
    receive("1")
    assert later.family_confirmed_at == NOW and sooner.family_confirmed_at is None


@pytest.mark.parametrize("body", ["2", "RIDE", "raite", "Carona", "woulib", "transport"])
def test_a_ride_request_flags_alerts_and_adds_a_ride_shift_once(booked, make, db, body):
    family, appointment = booked
    coordinator = make.coordinator(phone="617-555-0122", sms_opt_in=True)
    handled = receive(body)
    assert appointment.ride_requested_at == NOW and handled.message.handled_at == NOW
    rides = [shift for shift in appointment.shifts if shift.role == ShiftRole.RIDE_THERE]
    assert len(rides) == 1 and rides[0].starts_at < appointment.starts_at
    alerts = db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.kind == MessageKind.COORDINATOR_RIDE_REQUEST)).all()
    assert [alert.user_id for alert in alerts] == [coordinator.id]
    assert [row.kind for row in family_rows(family)].count(MessageKind.REPLY_RIDE) == 1
    receive("2", now=NOW + timedelta(minutes=3))  # asked again: no second shift, no second alert
    db.session.expire(appointment, ["shifts"])
    assert len([s for s in appointment.shifts if s.role == ShiftRole.RIDE_THERE]) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.kind == MessageKind.COORDINATOR_RIDE_REQUEST)) == 1


def test_two_ride_requests_at_once_add_one_ride_shift(booked, make, db):
    """Two "2"s at the same moment (the family's two phones, a resend): this one read no request
    yet, but the other flagged it and added the ride meanwhile. Flagging is set-once, so this
    one adds nothing and alerts nobody again."""
    family, appointment = booked
    db.session.commit()
    assert appointment.ride_requested_at is None and appointment.shifts == []  # what this one read
    with Session(db.engine) as other:  # the other text, handled meanwhile
        theirs = other.get(Appointment, appointment.id)
        theirs.ride_requested_at = NOW
        other.add(Shift(appointment=theirs, role=ShiftRole.RIDE_THERE, starts_at=NOW + timedelta(days=9),
                        ends_at=NOW + timedelta(days=9, hours=2), slots=1, filled=0, created_at=NOW))
        other.commit()
    receive("2")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 1
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "appointment.ride_requested")).all() == []


def test_set_once_keeps_the_first_value_and_says_who_set_it(booked, db):
    """The first set_once stores its value and the row holds it without reading it back; a later
    one, or one that another session beat, changes nothing and the row shows the value that stands."""
    _family, appointment = booked
    with count_queries(db.engine) as counted:
        assert set_once(appointment, "family_confirmed_at", NOW) is True
        assert appointment.family_confirmed_at == NOW
    assert len(counted.statements) == 1  # the conditional UPDATE only
    assert set_once(appointment, "family_confirmed_at", NOW + timedelta(hours=1)) is False
    assert appointment.family_confirmed_at == NOW
    db.session.commit()
    with Session(db.engine) as other:
        other.get(Appointment, appointment.id).ride_requested_at = NOW + timedelta(minutes=2)
        other.commit()
    assert set_once(appointment, "ride_requested_at", NOW + timedelta(minutes=3)) is False
    assert appointment.ride_requested_at == NOW + timedelta(minutes=2)
    db.session.expire_all()
    assert (appointment.family_confirmed_at, appointment.ride_requested_at) == (NOW, NOW + timedelta(minutes=2))


def test_a_ride_request_keeps_an_existing_ride_shift_and_adds_none_for_video(make, db):
    family = make.family()
    with_ride = make.appointment(family=family, starts_at=NOW + timedelta(days=2))
    make.shift(with_ride, role=ShiftRole.RIDE_THERE)
    receive("2")
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 1
    video_family = make.family(phone="617-555-0143")
    video = make.appointment(family=video_family, mode=AttendanceMode.VIDEO, starts_at=NOW + timedelta(days=2))
    receive("2", "+16175550143")
    assert video.ride_requested_at == NOW and video.shifts == []


def test_a_ride_request_with_nothing_ahead_waits_for_a_coordinator(make, db):
    make.family()
    handled = receive("2")
    assert handled.message.handled_at is None and handled.message.answered_with == MessageKind.REPLY_RIDE


def test_anything_else_from_a_family_waits_in_the_inbox(booked, db):
    handled = receive("Hola, mi hijo está enfermo, ¿puedo cambiar la cita?")
    assert handled.message.kind == "other" and handled.message.handled_at is None
    assert handled.message.family_id == booked[0].id
    assert handled.reply.body.startswith("Test Accompany Group: para ayuda")  # the family's language
    assert handled.message.body.startswith("Hola, mi hijo")  # kept (sealed) for the coordinator


# -- numbers we do not know ------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["1", "2", "YES 4821", "hello, who is this?", "Please stop texting me"])
def test_an_unknown_number_gets_only_the_help_text(db, body):
    handled = receive(body, STRANGER)
    assert handled.reply.body.startswith("Test Accompany Group") and "(617) 555-0100" in handled.reply.body
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


@pytest.mark.parametrize("language", list(CATALOGS))
@pytest.mark.parametrize("body", ["HELP", "AYUDA", "AJUDA", "ÈD", "AIDE", "sispann", "Arrêter", "SAIR", "unstop",
                                  "KÒMANSE", "Please stop texting me", "YES 4821", "Merci", "Gracias",
                                  "Obrigado", "Mèsi", "Thank you", "sí gracias", "wi mèsi"])
def test_words_of_one_language_get_the_same_answer_whether_or_not_we_know_the_number(make, db, body, language):
    """Texting words in a language tells nobody whether the number is ours: the words decide."""
    make.family(language=Language(language))
    known = receive(body, FAMILY_PHONE)
    unknown = receive(body, STRANGER)
    assert known.reply is not None and known.reply.body == unknown.reply.body


SHARED = [("stop", "STOP"), ("stop", "PARAR"), ("stop", "CANCELAR"), ("start", "START"), ("start", "INICIAR"),
          ("no", "NO"), ("no", "NON"), ("other", "hello, who is this?"), ("other", "Sí, mañana")]


@pytest.mark.parametrize("language", list(CATALOGS))
@pytest.mark.parametrize("meaning, body", SHARED, ids=str)
def test_shared_words_and_free_text_are_answered_in_the_known_senders_language_else_english(
        make, db, meaning, body, language):
    assert len(languages_of(meaning, body)) != 1
    make.family(language=Language(language))
    make.volunteer(phone="617-555-0177", languages=[language])
    assert receive(body, FAMILY_PHONE).reply.language.value == language
    assert receive(body, "+16175550177").reply.language.value == language
    assert receive(body, STRANGER).reply.language.value == "en"


def test_a_family_in_a_language_we_do_not_text_in_is_answered_in_english(make, db):
    make.family(language=Language.KICHE)
    assert receive("PARAR").reply.language.value == "en"


NUMBER_WORDS = sorted({(meaning, word) for meaning in ("stop", "start", "help")
                       for catalog in CATALOGS.values() for word in catalog.KEYWORDS[meaning]})


@pytest.mark.parametrize("meaning, word", NUMBER_WORDS, ids=str)
def test_stop_start_and_help_answer_every_sender_in_the_right_language(make, db, meaning, word):
    """Every STOP, START and HELP word, from a family and a volunteer in each language and from a
    number we do not know."""
    senders = {}
    for n, language in enumerate(CATALOGS):
        senders[f"+1617555{1100 + n:04d}"] = language
        make.family(phone=f"617-555-{1100 + n:04d}", language=Language(language))
        senders[f"+1617555{1200 + n:04d}"] = language
        make.volunteer(phone=f"617-555-{1200 + n:04d}", languages=[language])
    senders[STRANGER] = None
    kind = {"stop": MessageKind.STOP_CONFIRMATION, "start": MessageKind.START_CONFIRMATION,
            "help": MessageKind.REPLY_HELP}[meaning]
    for phone, language in senders.items():
        handled = receive(word, phone)
        wanted = answer_language(meaning, word, language)
        assert handled.message.kind == meaning
        assert handled.reply == render_number_reply(kind, wanted, now=NOW), (phone, language)
        assert handled.reply.language.value == wanted


FAMILY_WORDS = sorted({(meaning, word) for meaning in ("yes", "no", "ride") for catalog in CATALOGS.values()
                       for word in [*catalog.KEYWORDS[meaning], *(catalog.ACKNOWLEDGEMENTS if meaning == "yes" else [])]})


@pytest.mark.parametrize("meaning, word", FAMILY_WORDS, ids=str)
def test_yes_no_and_ride_answer_every_sender_in_the_right_language(make, db, meaning, word):
    """A family's yes and ride are answered through the outbox in the family's language; anything
    else, and every word from a number we do not know, gets the help text in the reply's language."""
    families = {}
    for n, language in enumerate(CATALOGS):
        family = make.family(phone=f"617-555-{1100 + n:04d}", language=Language(language))
        make.appointment(family=family, starts_at=NOW + timedelta(days=10))
        families[f"+1617555{1100 + n:04d}"] = family
    for phone, family in families.items():
        handled = receive(word, phone)
        if meaning == "no":
            assert handled.reply.language.value == answer_language(meaning, word, family.language.value)
            continue
        assert handled.reply is None and handled.message.handled_at == NOW
        (row,) = [row for row in family_rows(family) if row.kind in (MessageKind.REPLY_CONFIRMED, MessageKind.REPLY_RIDE)]
        assert render_text(row, now=NOW, first_contact=False).language == family.language
    stranger = receive(word, STRANGER)
    assert stranger.reply.language.value == answer_language(meaning, word, None)
    assert "(617) 555-0100" in stranger.reply.body


def test_an_ok_after_stop_confirms_nothing(booked, db):
    family, appointment = booked
    receive("PARAR")
    handled = receive("OK", now=NOW + timedelta(minutes=1))
    assert appointment.family_confirmed_at is None and handled.message.handled_at is None
    assert handled.reply is None  # opted out: not even the help text


def test_texts_for_a_person_get_the_help_text_once_a_day_and_never_after_stop(booked, db):
    for number in (FAMILY_PHONE, STRANGER):
        assert receive("hello?", number).reply is not None
        assert receive("anyone there?", number, now=NOW + timedelta(hours=2)).reply is None
        assert receive("hello again", number, now=NOW + timedelta(hours=25)).reply is not None
        receive("STOP", number, now=NOW + timedelta(hours=26))
        assert receive("why?", number, now=NOW + timedelta(hours=60)).reply is None
        assert receive("HELP", number, now=NOW + timedelta(hours=61)).reply is not None  # asked for


def test_twilio_taking_yes_as_start_opts_the_number_back_in_too(booked, db):
    """Twilio's own handling reads YES as START for a number it blocked; we must not stay blocked."""
    family, appointment = booked
    receive("STOP")
    handled = receive("YES", carrier_keyword="START", now=NOW + timedelta(minutes=5))
    assert not opted_out() and pending_to(family) >= 3
    assert appointment.family_confirmed_at == NOW + timedelta(minutes=5) and handled.message.kind == "yes"


def test_a_long_text_read_as_stop_by_twilio_keeps_its_words_out_of_the_opt_out_record(booked, db):
    receive("Maria Lopez here, never text me again", carrier_keyword="STOP")
    assert db.session.scalar(select(OptOut.keyword)) == "carrier stop"


def test_a_rescheduled_appointment_needs_confirming_again_and_gets_its_own_thanks(booked, make, db):
    from accompany.services.scheduling.appointments import reschedule_appointment

    family, appointment = booked
    receive("1")
    reschedule_appointment(appointment, appointment.starts_at + timedelta(days=7), by=make.coordinator(),
                           now=NOW + timedelta(hours=1))
    assert appointment.family_confirmed_at is None
    receive("1", now=NOW + timedelta(hours=2))
    assert appointment.family_confirmed_at == NOW + timedelta(hours=2)
    assert [row.kind for row in family_rows(family)].count(MessageKind.REPLY_CONFIRMED) == 2


def test_twilio_delivering_a_text_twice_acts_once(booked, db):
    first = receive_text(FAMILY_PHONE, "2", provider_sid="SM" + "d" * 32, now=NOW)
    again = receive_text(FAMILY_PHONE, "2", provider_sid="SM" + "d" * 32, now=NOW)
    assert first.message is not None and again.message is None and again.reply is None
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_the_sender_is_found_by_the_keyed_hash_and_texts_are_sealed(booked, db):
    handled = receive("Gracias")
    assert handled.message.from_hash == phone_index(FAMILY_PHONE) == booked[0].phone_hash
    raw = db.session.execute(db.text("SELECT from_phone, body FROM inbound_messages")).one()
    assert "5550142" not in raw[0] and "Gracias" not in raw[1]


def test_nothing_personal_is_logged(booked, make, db, caplog):
    caplog.set_level(logging.DEBUG)
    for body in ("Hola soy Maria, necesito ayuda", "STOP", "START", "2", "1"):
        receive(body)
        receive(body, STRANGER)
    logged = caplog.text
    assert "inbound text" in logged and "…0142" in logged
    for secret in ("6175550142", "617-555-0142", "5550199", "Maria", "necesito"):
        assert secret not in logged


def test_messages_to_volunteers_and_coordinators_are_found_by_their_phone_too(make, db):
    volunteer = make.volunteer(phone="617-555-0177", sms_opt_in=True)
    handled = receive("Running 10 minutes late", "+16175550177")
    assert handled.message.user_id == volunteer.id and handled.message.family_id is None
    assert handled.message.handled_at is None


def test_the_sms_receive_command_handles_a_text_and_prints_the_answer(runner, make, db):
    # The command reads the app's clock, so the appointment is placed relative to it.
    family = make.family()
    appointment = make.appointment(family=family, starts_at=from_now(days=10))
    family_texts.plan_family_reminders(appointment, now=from_now())
    db.session.commit()
    result = runner.invoke(args=["sms", "receive", "--from", "617-555-0142", "ayuda"])
    assert result.exit_code == 0, result.output
    assert "Read as help; handled." in result.output
    assert "Answer: Test Accompany Group" in result.output
    result = runner.invoke(args=["sms", "receive", "--from", "617-555-0142", "2"])
    assert "Answer planned in the outbox: reply_ride" in result.output
    db.session.expire_all()
    assert db.session.get(type(appointment), appointment.id).ride_requested_at is not None


def test_the_sms_receive_command_answers_in_the_senders_language(runner, make, db):
    """A Portuguese family's PARAR, START and free text, a French family's STOP, and thanks in
    French from a number we do not know, each answered in its language."""
    make.family(language=Language.PORTUGUESE)
    make.family(phone="617-555-0143", language=Language.FRENCH)
    db.session.commit()

    def answer(sender: str, body: str) -> str:
        result = runner.invoke(args=["sms", "receive", "--from", sender, body])
        assert result.exit_code == 0, result.output
        return result.output.split("Answer: ", 1)[1].strip()

    assert answer("617-555-0142", "Quando é a consulta?") == (
        "Test Accompany Group: para ajuda, ligue para (617) 555-0100. Para parar de receber, responda SAIR.")
    assert answer("617-555-0142", "PARAR") == (
        "Test Accompany Group: pronto, paramos de enviar mensagens. Para voltar a receber, responda START.")
    assert answer("617-555-0142", "START") == (
        "Test Accompany Group: pronto, voltamos a enviar mensagens. Para parar de receber, responda SAIR.")
    assert answer("617-555-0143", "STOP").startswith("Test Accompany Group : vous ne recevrez plus nos SMS.")
    assert answer("617-555-0199", "Merci !").startswith("Test Accompany Group : pour de l'aide, appelez le")
    assert answer("617-555-0198", "PARAR").startswith("Test Accompany Group: you will get no more texts")
