"""Detention response (issue 15): opening a case plans an alert chain in the outbox that an
acknowledgement stops; texts report and acknowledge; the family's texts pause; closing decides
what becomes of them. Services called directly, with times passed as `now`."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accompany.models import (
    DetentionCase,
    DetentionOutcome,
    InboundMessage,
    Language,
    MessageKind,
    MessageState,
    OutboundMessage,
    Outcome,
    RotaSpan,
)
from accompany.services.detention import cases, on_call
from accompany.services.detention.alert_chain import chain_rows
from accompany.services.messaging import family_texts
from accompany.services.messaging.dispatch import send_due
from accompany.services.messaging.inbound import receive_text
from accompany.services.messaging.outbox import backlog
from accompany.services.scheduling.my_shifts import Report, report_back
from tests.conftest import NOW

MIN = timedelta(minutes=1)


@pytest.fixture
def rota(make, db):
    """Two coordinators on call today (in that order) and a third who is not on the rota."""
    first = make.coordinator(name="Olga Oncall", phone="617-555-0201", sms_opt_in=True)
    second = make.coordinator(name="Nate Next", phone="617-555-0202", sms_opt_in=True)
    third = make.admin(name="Ada Admin", phone="617-555-0203", sms_opt_in=True)
    today = on_call.org_today(NOW)
    on_call.add_turn(first, starts_on=today, span=RotaSpan.WEEK, position=1, now=NOW)
    on_call.add_turn(second, starts_on=today, span=RotaSpan.DAY, position=2, now=NOW)
    db.session.commit()
    return first, second, third


def _held_shift_today(make, *, phone="617-555-0142"):
    family = make.family(phone=phone)
    appointment = make.appointment(family=family, starts_at=NOW - timedelta(minutes=30))
    shift = make.shift(appointment, starts_at=NOW - timedelta(hours=1))
    volunteer = make.volunteer(phone="617-555-0161", sms_opt_in=True)
    claim = make.claim(shift, volunteer)
    return family, claim


def _kinds_sent(gateway) -> list[str]:
    return [body for _, body in gateway.sent]


def test_on_call_is_the_rota_for_the_org_date_in_order(rota, make, db):
    first, second, _ = rota
    assert on_call.on_call(NOW) == [first, second]
    assert on_call.on_call(NOW + timedelta(days=1)) == [first]  # the day turn is over, the week goes on
    assert on_call.on_call(NOW + timedelta(days=8)) == []


def test_only_staff_with_a_confirmed_phone_can_be_on_call(make, db):
    no_phone = make.coordinator()
    volunteer = make.volunteer(phone="617-555-0170", sms_opt_in=True)
    for person in (no_phone, volunteer):
        with pytest.raises(on_call.NotOnCallMaterial):
            on_call.add_turn(person, starts_on=on_call.org_today(NOW), span=RotaSpan.DAY, position=1, now=NOW)


def test_opening_a_case_plans_every_step_of_the_chain_in_the_same_transaction(rota, make, db, app):
    first, second, third = rota
    family, claim = _held_shift_today(make)
    case, opened = cases.report_from_shift(claim, note="taken at the check-in window", now=NOW)
    assert opened and case.texts_paused and len(case.code) == 3
    wait = timedelta(minutes=app.config["DETENTION_ACK_MINUTES"])
    planned = {(row.kind, row.user_id, row.not_before) for row in chain_rows(case)}
    assert planned == {
        (MessageKind.DETENTION_ALERT, first.id, NOW),
        (MessageKind.DETENTION_ESCALATED, second.id, NOW + wait),
        (MessageKind.DETENTION_ALERT_ALL, first.id, NOW + 2 * wait),
        (MessageKind.DETENTION_ALERT_ALL, second.id, NOW + 2 * wait),
        (MessageKind.DETENTION_ALERT_ALL, third.id, NOW + 2 * wait),
        (MessageKind.DETENTION_VOICE_CALL, first.id, NOW + 3 * wait),
    }
    assert all(row.dedupe_key.startswith(f"detention:{case.id}:") for row in chain_rows(case))


def test_without_an_acknowledgement_the_chain_reaches_everyone_and_places_the_call(rota, make, db, gateway):
    first, second, third = rota
    _, claim = _held_shift_today(make)
    case, _ = cases.report_from_shift(claim, note="", now=NOW)
    db.session.commit()
    steps = []
    for minutes in (0, 10, 20, 30):
        before = len(gateway.sent)
        send_due(gateway, clock=lambda m=minutes: NOW + m * MIN, rate=0)
        steps.append([to for to, _ in gateway.sent[before:]])
    assert steps[0] == [first.phone] and steps[1] == [second.phone] and steps[3] == []
    assert sorted(steps[2]) == sorted([first.phone, second.phone, third.phone])
    assert [to for to, _ in gateway.calls] == [first.phone]
    spoken = gateway.calls[0][1]
    assert "A detention was reported" in spoken and "text OK" in spoken and " ".join(case.code) in spoken
    assert "Maria" not in spoken and all("Maria" not in body for _, body in gateway.sent)
    assert f"OK {case.code}" in gateway.sent[0][1]
    assert gateway.call_languages == ["en"]


def test_an_acknowledgement_stops_every_later_step(rota, make, db, gateway):
    first, _, _ = rota
    _, claim = _held_shift_today(make)
    case, _ = cases.report_from_shift(claim, note="", now=NOW)
    db.session.commit()
    send_due(gateway, clock=lambda: NOW, rate=0)
    cases.acknowledge(case, by=first, now=NOW + 3 * MIN)
    db.session.commit()
    send_due(gateway, clock=lambda: NOW + 40 * MIN, rate=0)
    assert len(gateway.sent) == 1 and gateway.calls == []
    db.session.expire_all()
    states = {row.kind: row.state for row in chain_rows(case)}
    assert states[MessageKind.DETENTION_ESCALATED] == MessageState.CANCELLED
    assert states[MessageKind.DETENTION_VOICE_CALL] == MessageState.CANCELLED


def test_a_second_acknowledgement_is_told_who_was_first(rota, make, db):
    first, second, _ = rota
    _, claim = _held_shift_today(make)
    case, _ = cases.report_from_shift(claim, note="", now=NOW)
    cases.acknowledge(case, by=first, now=NOW + MIN)
    with pytest.raises(cases.AlreadyAcknowledged, match="already acknowledged by Olga"):
        cases.acknowledge(case, by=second, now=NOW + 2 * MIN)
    assert case.acknowledged_by == first


def test_ok_and_the_code_by_text_acknowledges_in_any_language_and_is_answered(rota, make, db, gateway):
    first, second, _ = rota
    _, claim = _held_shift_today(make)
    case, _ = cases.report_from_shift(claim, note="", now=NOW)
    db.session.commit()
    handled = receive_text(first.phone, f"si {case.code.lower()}", provider_sid=None, now=NOW + 2 * MIN)
    assert handled.message.answered_with == MessageKind.REPLY_DETENTION_ACKNOWLEDGED
    assert case.acknowledged_by == first and case.acknowledged_at == NOW + 2 * MIN
    receive_text(second.phone, f"OK {case.code}", provider_sid=None, now=NOW + 3 * MIN)
    db.session.commit()
    send_due(gateway, clock=lambda: NOW + 4 * MIN, rate=0)
    answers = dict(gateway.sent)
    assert "is yours" in answers[first.phone]
    assert "already acknowledged by Olga" in answers[second.phone]


def test_ok_with_a_code_from_a_volunteer_or_an_unknown_number_acknowledges_nothing(rota, make, db):
    _, claim = _held_shift_today(make)
    case, _ = cases.report_from_shift(claim, note="", now=NOW)
    receive_text(claim.volunteer.phone, f"OK {case.code}", provider_sid=None, now=NOW + MIN)
    receive_text("+16175559999", f"OK {case.code}", provider_sid=None, now=NOW + MIN)
    assert case.acknowledged_at is None


def test_detained_texted_by_a_volunteer_holding_a_shift_today_opens_a_case_and_confirms(rota, make, db, gateway):
    family, claim = _held_shift_today(make)
    handled = receive_text(claim.volunteer.phone, "Detenido", provider_sid=None, now=NOW)
    assert handled.message.answered_with == MessageKind.REPLY_DETENTION_REPORTED
    case = cases.open_case_of(family)
    assert case is not None and case.reported_by == claim.volunteer and case.shift == claim.shift
    db.session.commit()
    send_due(gateway, clock=lambda: NOW + MIN, rate=0)
    confirmation = [body for to, body in gateway.sent if to == claim.volunteer.phone]
    assert len(confirmation) == 1 and case.code in confirmation[0]


@pytest.mark.parametrize("who", ["unknown", "family", "idle_volunteer"])
def test_detained_texted_by_anyone_else_is_refused_with_the_help_answer_and_opens_nothing(who, rota, make, db):
    family, claim = _held_shift_today(make)
    idle = make.volunteer(phone="617-555-0171", sms_opt_in=True)
    sender = {"unknown": "+16175559999", "family": family.phone, "idle_volunteer": idle.phone}[who]
    handled = receive_text(sender, "DETAINED", provider_sid=None, now=NOW)
    assert handled.message.answered_with == MessageKind.REPLY_HELP
    assert handled.reply is not None and "help" in handled.reply.body.lower()
    assert db.session.scalar(select(func.count()).select_from(DetentionCase)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_reporting_twice_and_the_detained_outcome_open_one_case(rota, make, db):
    family, claim = _held_shift_today(make)
    first, opened = cases.report_from_shift(claim, note="", now=NOW)
    again, opened_again = cases.report_from_shift(claim, note="", now=NOW + MIN)
    report_back(claim, Report(outcome=Outcome.DETAINED), now=NOW + 2 * MIN)
    assert opened and not opened_again and again == first
    assert db.session.scalar(select(func.count()).select_from(DetentionCase)) == 1
    assert len([row for row in chain_rows(first) if row.kind == MessageKind.DETENTION_ALERT]) == 1


def test_the_detained_outcome_opens_a_case(rota, make, db):
    family, claim = _held_shift_today(make)
    report_back(claim, Report(outcome=Outcome.DETAINED), now=NOW)
    case = cases.open_case_of(family)
    assert case is not None and case.reported_by == claim.volunteer


def test_a_report_only_from_a_shift_held_today(make, db):
    family = make.family()
    shift = make.shift(make.appointment(family=family, starts_at=NOW + timedelta(days=2)))
    claim = make.claim(shift, make.volunteer(phone="617-555-0161", sms_opt_in=True))
    with pytest.raises(cases.NoShiftToday):
        cases.report_from_shift(claim, note="", now=NOW)


def _family_with_a_reminder_due(make, db):
    family = make.family(phone="617-555-0142", consent_given_by="herself", consent_method="verbally at intake",
                         consent_at=NOW - timedelta(days=30))
    appointment = make.appointment(family=family, starts_at=NOW + timedelta(days=7, hours=1))
    family_texts.plan_family_reminders(appointment, now=NOW - timedelta(days=1))
    db.session.flush()
    return family, appointment


def test_the_familys_texts_wait_while_the_case_pauses_them_and_go_when_resumed(rota, make, db, gateway):
    first, _, _ = rota
    family, appointment = _family_with_a_reminder_due(make, db)
    case, _ = cases.open_case(family, now=NOW, by=first, appointment=appointment)
    db.session.commit()
    send_due(gateway, clock=lambda: NOW + timedelta(hours=1), rate=0)
    assert family.phone not in [to for to, _ in gateway.sent]
    cases.resume_texts(case, by=first, now=NOW + timedelta(hours=2))
    db.session.commit()
    send_due(gateway, clock=lambda: NOW + timedelta(hours=2), rate=0)
    assert family.phone in [to for to, _ in gateway.sent]


def test_texts_a_case_holds_are_reported_as_paused_not_overdue(rota, make, db):
    first, _, _ = rota
    family, appointment = _family_with_a_reminder_due(make, db)
    cases.open_case(family, now=NOW, by=first, appointment=appointment)
    db.session.flush()
    later = NOW + timedelta(days=1)
    late = (OutboundMessage.state == MessageState.PENDING, OutboundMessage.not_before < later - timedelta(minutes=2))
    familys = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        *late, OutboundMessage.family_id == family.id))
    others = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        *late, OutboundMessage.family_id.is_(None)))  # the chain's own steps, late if nobody sent them
    counts = backlog(now=later, stale_after=timedelta(minutes=2))
    assert familys >= 1
    assert (counts["paused"], counts["overdue"]) == (familys, others)


def test_cancelling_the_familys_texts_from_the_case(rota, make, db):
    first, _, _ = rota
    family, appointment = _family_with_a_reminder_due(make, db)
    case, _ = cases.open_case(family, now=NOW, by=first, appointment=appointment)
    assert cases.cancel_texts(case, by=first, now=NOW) >= 1
    pending = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.family_id == family.id, OutboundMessage.state == MessageState.PENDING))
    assert pending == 0


def test_switching_the_family_to_another_number_texts_that_number(rota, make, db, gateway):
    first, _, _ = rota
    family, appointment = _family_with_a_reminder_due(make, db)
    case, _ = cases.open_case(family, now=NOW, by=first, appointment=appointment)
    cases.switch_number(case, "617-555-0149", by=first, now=NOW)
    db.session.commit()
    send_due(gateway, clock=lambda: NOW + timedelta(hours=1), rate=0)
    assert "+16175550149" in [to for to, _ in gateway.sent]
    assert "+16175550142" not in [to for to, _ in gateway.sent]


@pytest.mark.parametrize(("outcome", "goes"), [
    (DetentionOutcome.RELEASED_ON_BOND, True), (DetentionOutcome.RELEASED_OTHER, True),
    (DetentionOutcome.REMOVED, False), (DetentionOutcome.TRANSFERRED, False), (DetentionOutcome.OTHER, False),
])
def test_closing_with_an_outcome_resumes_or_cancels_the_familys_reminders(outcome, goes, rota, make, db, gateway):
    first, _, _ = rota
    family, appointment = _family_with_a_reminder_due(make, db)
    case, _ = cases.open_case(family, now=NOW, by=first, appointment=appointment)
    cases.close_case(case, outcome, note="", by=first, now=NOW + MIN)
    db.session.commit()
    assert not case.is_open and case.outcome == outcome
    send_due(gateway, clock=lambda: NOW + timedelta(hours=1), rate=0)
    assert (family.phone in [to for to, _ in gateway.sent]) is goes
    # A closed case frees the family for a new one.
    again, opened = cases.open_case(family, now=NOW + timedelta(hours=2), by=first)
    assert opened and again != case


def test_codes_are_unique_among_open_cases(rota, make, db):
    codes = set()
    for n in range(12):
        family = make.family(phone=f"617-555-{300 + n:04d}")
        case, _ = cases.open_case(family, now=NOW, by=rota[0])
        codes.add(case.code)
    assert len(codes) == 12


def test_two_schedulers_send_each_step_once(rota, make, db, app, gateway):
    first, second, third = rota
    _, claim = _held_shift_today(make)
    cases.report_from_shift(claim, note="", now=NOW)
    db.session.commit()
    barrier = threading.Barrier(2)

    def scheduler():
        with app.app_context():
            barrier.wait(10)
            send_due(gateway, clock=lambda: NOW + 31 * MIN, rate=0)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # Every step at once (the scheduler was down): one request per row, none twice.
    assert sorted(to for to, _ in gateway.sent) == sorted([first.phone, second.phone, first.phone, second.phone,
                                                            third.phone])
    assert [to for to, _ in gateway.calls] == [first.phone]


def test_an_acknowledgement_committed_after_a_step_is_claimed_still_stops_it(rota, make, db, app, gateway):
    """The race: a scheduler claims the escalation (and commits the claim); the on-call person's
    OK commits before the scheduler renders it. Nothing goes: the step is cancelled."""
    first, second, _ = rota
    _, claim = _held_shift_today(make)
    case, _ = cases.report_from_shift(claim, note="", now=NOW)
    db.session.commit()
    send_due(gateway, clock=lambda: NOW, rate=0)  # the first alert went
    case_id, first_id = case.id, first.id
    calls = {"n": 0}

    def acknowledge_elsewhere():
        with app.app_context():
            from accompany.database import db as other_db
            from accompany.models import User
            cases.acknowledge(other_db.session.get(DetentionCase, case_id),
                              by=other_db.session.get(User, first_id), now=NOW + 10 * MIN)
            other_db.session.commit()

    def clock():
        calls["n"] += 1
        if calls["n"] == 3:  # after the claim is committed, before the row is rendered
            worker = threading.Thread(target=acknowledge_elsewhere)
            worker.start()
            worker.join(30)
        return NOW + 10 * MIN

    outcome = send_due(gateway, clock=clock, rate=0)
    assert outcome["claimed"] == 1 and outcome["cancelled"] == 1
    assert [to for to, _ in gateway.sent] == [first.phone]  # only the first alert, before the OK
    db.session.expire_all()
    escalation = next(row for row in chain_rows(case) if row.kind == MessageKind.DETENTION_ESCALATED)
    assert escalation.state == MessageState.CANCELLED and escalation.user_id == second.id


def test_no_identifier_or_name_in_the_alerts(rota, make, db, gateway):
    family, claim = _held_shift_today(make)
    cases.report_from_shift(claim, note="A-number 123456789", now=NOW)
    db.session.commit()
    send_due(gateway, clock=lambda: NOW + 31 * MIN, rate=0)
    texts = [body for _, body in gateway.sent] + [spoken for _, spoken in gateway.calls]
    assert texts and all("123456789" not in text and family.name.split()[0] not in text for text in texts)
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_the_purge_erases_a_cases_sealed_words_and_keeps_its_dates(rota, make, db):
    from accompany.services.privacy.retention import purge_family

    family, claim = _held_shift_today(make)
    case, _ = cases.report_from_shift(claim, note="Taken at the window", now=NOW)
    cases.set_where_held(case, location=None, note="Plymouth, unit B", by=rota[0], now=NOW)
    cases.close_case(case, DetentionOutcome.RELEASED_ON_BOND, note="Bond paid", by=rota[0], now=NOW)
    purge_family(family, now=NOW + timedelta(days=400))
    db.session.flush()
    db.session.expire_all()
    assert (case.report_note, case.held_note, case.outcome_note) == (None, None, None)
    assert case.reported_at == NOW and case.outcome == DetentionOutcome.RELEASED_ON_BOND


def test_the_console_backend_prints_the_call_with_the_number_masked():
    import io

    from accompany.services.messaging.sms.console import ConsoleGateway

    out = io.StringIO()
    result = ConsoleGateway(out).call("+16175550201", "A detention was reported. Open Accompany and acknowledge case K 7 Q.")
    printed = out.getvalue()
    assert "Voice call to" in printed and "+16175550201" not in printed and "case K 7 Q" in printed
    assert result.provider_sid.startswith("console-call-")


def test_the_twilio_backend_places_the_call_through_the_sdk_with_twiml():
    from accompany.services.messaging.sms.twilio_backend import TwilioGateway
    from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

    with FakeTwilio() as twilio:
        gateway = TwilioGateway(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, messaging_service_sid="MG" + "a" * 32,
                                api_base_url=twilio.base_url, voice_from_number="+16175550100")
        result = gateway.call("+16175550201", "A detention was reported. Open Accompany and acknowledge case K 7 Q.")
        assert result.provider_sid.startswith("CA") and result.state == MessageState.QUEUED
        form = twilio.calls[0].form
    assert form["To"] == "+16175550201" and form["From"] == "+16175550100"
    assert '<Say language="en-US" voice="Polly.Joanna">A detention was reported.' in form["Twiml"]


@pytest.mark.parametrize("language, voice", [("es", 'language="es-US" voice="Polly.Lupe"'),
                                             ("pt", 'language="pt-BR" voice="Polly.Camila"'),
                                             ("fr", 'language="fr-FR" voice="Polly.Lea"'),
                                             ("ht", 'language="fr-FR" voice="Polly.Lea"')])
def test_the_call_is_spoken_in_a_voice_of_its_language(language, voice):
    """Without a voice, Twilio reads every language in its English one."""
    from accompany.services.messaging.sms.twilio_backend import TwilioGateway
    from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

    with FakeTwilio() as twilio:
        gateway = TwilioGateway(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, messaging_service_sid="MG" + "a" * 32,
                                api_base_url=twilio.base_url, voice_from_number="+16175550100")
        gateway.call("+16175550201", "Caso K 7 Q.", language=language)
        assert f"<Say {voice}>Caso K 7 Q.</Say>" in twilio.calls[0].form["Twiml"]


def test_the_call_goes_in_the_language_of_the_coordinator_it_calls(make, db, gateway):
    """The spoken words and their voice follow the person called, like their texts."""
    first = make.coordinator(name="Olga Oncall", phone="617-555-0201", sms_opt_in=True,
                             languages=[Language.PORTUGUESE])
    on_call.add_turn(first, starts_on=on_call.org_today(NOW), span=RotaSpan.WEEK, position=1, now=NOW)
    _, claim = _held_shift_today(make)
    cases.report_from_shift(claim, note="", now=NOW)
    db.session.commit()
    send_due(gateway, clock=lambda: NOW + 30 * MIN, rate=0)
    assert gateway.call_languages == ["pt"]
    assert "Accompany" in gateway.calls[0][1] and "detida" in gateway.calls[0][1]
