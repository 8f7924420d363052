"""Sending from the outbox: once, in time, and honest about what happened."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accompany.database import db as _db
from accompany.models import AppointmentKind, MessageState, OptOut, OutboundMessage, ShiftRole, Wording
from accompany.services.messaging import dispatch as dispatch_module
from accompany.services.messaging import outbox
from accompany.services.messaging.dispatch import Pacer, send_due
from accompany.services.messaging.sms.gateway import FinalError, RetryableError, UnknownOutcome
from accompany.services.scheduling import appointments
from accompany.services.scheduling.shifts import propose_shifts
from tests.conftest import JOSE_PEREZ_MEETING_POINTS, NOW, boston

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant



def fixed(moment):
    return lambda: moment


def _appointment(make, *, starts_at, family=None):
    family = family or make.family(name="Rosalinda Quispe", phone="617-555-0142")
    details = appointments.AppointmentDetails(family=family, location=make.location(),
                                              kind=AppointmentKind.MASTER_CALENDAR, starts_at=starts_at)
    plans = propose_shifts(details, [ShiftRole.COMPANION], family_language=family.language, town=family.town)
    return appointments.create_appointment(details, plans, by=make.coordinator(), now=NOW)


def _state_counts(db):
    return dict(db.session.execute(select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)).all())


def test_a_due_reminder_goes_once_and_is_recorded(make, db, gateway):
    appointment = _appointment(make, starts_at=NOW + timedelta(days=2))  # its 3-day reminder is due now
    db.session.commit()
    outcomes = send_due(gateway, clock=fixed(NOW), rate=0)
    assert outcomes["sent"] == 1
    assert len(gateway.sent) == 1 and gateway.sent[0][0] == "+16175550142"
    assert "Rosalinda" not in gateway.sent[0][1]
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.sent_at.is_not(None)))
    assert (row.state, row.attempts, row.appointment_id) == (MessageState.QUEUED, 1, appointment.id)
    assert row.provider_sid.startswith("SM") and row.body == gateway.sent[0][1]
    assert send_due(gateway, clock=fixed(NOW), rate=0)["sent"] == 0  # nothing twice
    assert len(gateway.sent) == 1


def test_the_first_text_to_a_number_introduces_us_and_says_how_to_stop(app, make, db, gateway):
    _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.commit()
    send_due(gateway, clock=fixed(NOW), rate=0)
    body = gateway.sent[0][1]  # the family's language is Spanish
    assert body.startswith(app.config["SMS_SENDER_NAME"]) and "PARAR" in body


def test_a_text_that_cannot_fit_in_two_segments_fails_plainly_and_is_never_sent(make, db, gateway):
    appointment = _appointment(make, starts_at=NOW + timedelta(days=2))
    appointment.family.wording = Wording.PLAIN  # its texts name the place
    appointment.location.name = ("Suffolk County House of Correction " * 5)[:160]  # saved before the limit
    db.session.commit()
    send_due(gateway, clock=fixed(NOW), rate=0)
    assert gateway.sent == []
    rows = db.session.scalars(select(OutboundMessage).where(OutboundMessage.family_id == appointment.family_id))
    [failed] = [row for row in rows if row.state == MessageState.FAILED]  # the one that was due
    assert failed.body is None
    assert "Not sent: even at its shortest this text would take 3 SMS segments" in failed.error_message


def test_a_saved_appointment_rolled_back_plans_nothing(make, db, gateway):
    _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0
    assert send_due(gateway, clock=fixed(NOW), rate=0)["sent"] == 0 and gateway.sent == []


def test_reschedule_cancels_and_the_family_gets_the_new_time(make, db, gateway):
    appointment = _appointment(make, starts_at=boston(date(2026, 11, 24), 9, 0))
    db.session.commit()
    new_time = boston(date(2026, 11, 25), 13, 30)
    appointments.reschedule_appointment(appointment, new_time, by=make.coordinator(), now=NOW)
    db.session.commit()
    send_due(gateway, clock=fixed(NOW), rate=0)
    bodies = " ".join(body for _, body in gateway.sent)
    assert "1:30" in bodies or "13:30" in bodies or "13h30" in bodies
    assert "9:00" not in bodies


def test_a_number_that_opted_out_after_planning_gets_nothing(make, db, gateway):
    appointment = _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.add(OptOut(phone_hash=appointment.family.phone_hash, active=True, keyword="STOP", opted_out_at=NOW))
    db.session.commit()
    assert send_due(gateway, clock=fixed(NOW), rate=0)["cancelled"] >= 1
    assert gateway.sent == []


def test_a_row_past_send_before_is_never_sent(make, db, gateway):
    _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.commit()
    much_later = NOW + timedelta(days=3)
    send_due(gateway, clock=fixed(much_later), rate=0)
    assert gateway.sent == []
    assert _state_counts(db).get(MessageState.EXPIRED, 0) >= 1


def test_carrier_opt_out_is_final_and_recorded_on_the_number(make, db, gateway):
    appointment = _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.commit()
    gateway.fail_next(FinalError(code="21610"))
    assert send_due(gateway, clock=fixed(NOW), rate=0)["failed"] == 1
    assert db.session.scalar(select(OptOut).where(OptOut.phone_hash == appointment.family.phone_hash)).active
    assert MessageState.PENDING not in _state_counts(db)  # the later reminders are cancelled too
    failed = db.session.scalar(select(OutboundMessage).where(OutboundMessage.state == MessageState.FAILED))
    assert failed.error_code == "21610"


def test_throttling_retries_later_with_backoff(make, db, gateway):
    _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.commit()
    gateway.fail_next(RetryableError(code="20429"))
    assert send_due(gateway, clock=fixed(NOW), rate=0)["retry"] == 1
    assert gateway.sent == []
    assert send_due(gateway, clock=fixed(NOW + timedelta(seconds=10)), rate=0)["sent"] == 0
    assert send_due(gateway, clock=fixed(NOW + timedelta(seconds=31)), rate=0)["sent"] == 1


def test_a_timeout_leaves_an_unknown_row_that_is_never_resent(make, db, gateway):
    _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.commit()
    gateway.fail_next(UnknownOutcome())
    assert send_due(gateway, clock=fixed(NOW), rate=0)["unknown"] == 1
    for minutes in (1, 5, 60):
        send_due(gateway, clock=fixed(NOW + timedelta(minutes=minutes)), rate=0)
    assert len(gateway.sent) == 1  # the carrier got it once; we never sent it again
    assert _state_counts(db)[MessageState.UNKNOWN] == 1


def test_a_crash_before_the_send_leads_to_exactly_one_send_after_restart(make, db, gateway, monkeypatch):
    _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.commit()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "hand_over", crash)
        with pytest.raises(KeyboardInterrupt):
            send_due(gateway, clock=fixed(NOW), rate=0)
    db.session.rollback()
    assert gateway.sent == []
    assert send_due(gateway, clock=fixed(NOW + timedelta(minutes=1)), rate=0)["sent"] == 0  # still leased
    assert send_due(gateway, clock=fixed(NOW + timedelta(minutes=3)), rate=0)["sent"] == 1
    assert len(gateway.sent) == 1


def test_a_crash_after_the_carrier_accepted_leads_to_unknown_and_no_second_send(make, db, gateway):
    _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.commit()

    class AcceptsThenDies:
        def send(self, to, body, *, status_callback=None, valid_for=None):
            gateway.send(to, body, status_callback=status_callback, valid_for=valid_for)
            raise KeyboardInterrupt("killed between the carrier's answer and our commit")

    with pytest.raises(KeyboardInterrupt):
        send_due(AcceptsThenDies(), clock=fixed(NOW), rate=0)
    db.session.rollback()
    send_due(gateway, clock=fixed(NOW + timedelta(minutes=3)), rate=0)
    assert len(gateway.sent) == 1
    assert _state_counts(db)[MessageState.UNKNOWN] == 1


def test_two_senders_at_once_send_each_message_exactly_once(app, make, db, gateway):
    family = make.family(phone="617-555-0142")
    for n in range(12):
        _appointment(make, starts_at=NOW + timedelta(days=2, hours=n), family=family)
    db.session.commit()
    barrier = threading.Barrier(2)

    def scheduler():
        barrier.wait()
        with app.app_context():
            send_due(gateway, clock=fixed(NOW), rate=0)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    due = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.not_before <= NOW))
    assert len(gateway.sent) == due == 12


def test_the_pacer_holds_the_configured_rate():
    clock = {"now": 100.0}
    sent_at = []

    def sleep(seconds):
        clock["now"] += seconds

    pacer = Pacer(4.0, sleep=sleep, monotonic=lambda: clock["now"])
    for _ in range(9):
        clock["now"] += 0.01  # sending itself takes a little time
        pacer.wait()
        sent_at.append(clock["now"])
    gaps = [round(b - a, 6) for a, b in zip(sent_at, sent_at[1:], strict=False)]
    assert all(gap == 0.25 for gap in gaps)  # 4 a second, evenly
    assert Pacer(0).interval == 0.0


def test_web_workers_never_start_a_scheduler(app, client):
    client.get("/")
    client.get("/healthz")
    names = [thread.name for thread in threading.enumerate()]
    assert not any("APScheduler" in name or "scheduler" in name.lower() for name in names)
    assert "apscheduler" not in " ".join(type(ext).__module__ for ext in app.extensions.values())
    assert dispatch_module.send_due.__module__ == "accompany.services.messaging.dispatch"


def test_two_scheduler_processes_send_each_message_once_counted_at_the_fake_twilio(app, make, db, database_url, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from accompany.services.messaging.audience import current_timing, staff_hours
    from accompany.services.scheduling.claims import claim_slot
    from tests.conftest import from_now
    from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

    for n in range(12):
        shift = make.shift(starts_at=from_now(days=3, hours=n))
        volunteer = make.volunteer(phone=f"617-555-01{n + 10:02d}", sms_opt_in=True)
        claim_slot(shift, volunteer, now=from_now())
    db.session.commit()
    root = Path(__file__).resolve().parents[1]
    # The senders start in the volunteers' daytime: at night the claim texts wait for the morning.
    daytime = staff_hours(current_timing()).next_opening(from_now())
    with FakeTwilio() as twilio:
        env = {
            **os.environ, "ACCOMPANY_CLOCK_START": daytime.isoformat(), "ACCOMPANY_ENV": "development", "ACCOMPANY_INSTANCE_DIR": str(tmp_path),
            "DATABASE_URL": database_url, "SECRET_KEY": "x" * 32,
            "FIELD_ENCRYPTION_KEYS": ",".join(app.config["FIELD_ENCRYPTION_KEYS"]),
            "BLIND_INDEX_KEY": app.config["BLIND_INDEX_KEY"], "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": "+16175550100", "TWILIO_API_BASE_URL": twilio.base_url,
            "SMS_RATE_PER_SECOND": "0",
        }
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "send-due"]
        processes = [subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                     for _ in range(2)]
        outputs = [p.communicate(timeout=120)[0] for p in processes]
        assert all(p.returncode == 0 for p in processes), outputs
        received = [m.form["To"] for m in twilio.messages]
    db.session.expire_all()
    queued = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.state == MessageState.QUEUED))
    assert len(received) == queued >= 12
    claimed_texts = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.kind == "volunteer_claimed", OutboundMessage.state == MessageState.QUEUED))
    assert claimed_texts == 12 and len(set(received)) >= 12


def test_in_the_demo_network_reminders_go_out_on_the_console(app, database_url):
    from accompany import create_app
    from tests.conftest import config_for

    console_app = create_app(config_for(database_url, SMS_BACKEND="console", SMS_RATE_PER_SECOND=0))
    runner = console_app.test_cli_runner()
    with console_app.app_context():  # the commands run in this app, not the test's own
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        planned = runner.invoke(args=["reminders", "list"])
        assert planned.exit_code == 0 and "volunteer_claimed" in planned.output
        sent = runner.invoke(args=["reminders", "send-due"])
        _db.engine.dispose()
    assert sent.exit_code == 0, sent.output
    assert "--- SMS to …" in sent.output and "sent:" in sent.output
    assert "+1617" not in sent.output  # numbers are masked


def test_reminders_send_due_says_when_nothing_is_due(runner):
    result = runner.invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0 and "Nothing was due" in result.output


def test_an_invalid_number_is_final_and_recorded_so_it_is_not_tried_again(make, db, gateway):
    appointment = _appointment(make, starts_at=NOW + timedelta(days=2))
    db.session.commit()
    gateway.fail_next(FinalError(code="21211"))
    assert send_due(gateway, clock=fixed(NOW), rate=0)["failed"] == 1
    assert db.session.scalar(select(OptOut.keyword).where(OptOut.phone_hash == appointment.family.phone_hash)) == "carrier 21211"
    assert MessageState.PENDING not in _state_counts(db)


def test_a_meeting_point_naming_the_family_reaches_the_volunteer_without_the_name(make, db, gateway):
    from accompany.services.scheduling.claims import claim_slot

    family = make.family(name="Rosalinda Quispe", phone="617-555-0142")
    shift = make.shift(make.appointment(family=family, starts_at=NOW + timedelta(days=3)),
                       meeting_point="Rosalinda's home, 12 Elm St, call 617-555-0142")
    claim_slot(shift, make.volunteer(phone="617-555-0161", sms_opt_in=True), now=NOW)
    db.session.commit()
    send_due(gateway, clock=fixed(NOW), rate=0)
    to_volunteer = [body for to, body in gateway.sent if to == "+16175550161"]
    assert to_volunteer and all("Rosalinda" not in body and "555-0142" not in body for body in to_volunteer)
    assert any("the family's home" in body for body in to_volunteer)


@pytest.mark.parametrize("meeting_point", JOSE_PEREZ_MEETING_POINTS)
def test_a_meeting_point_naming_the_family_any_way_reaches_the_volunteer_without_the_name(
        make, db, gateway, meeting_point):
    from accompany.services.scheduling.claims import claim_slot
    from accompany.words import fold

    family = make.family(name="José Pérez", phone="617-555-0142")
    shift = make.shift(make.appointment(family=family, starts_at=NOW + timedelta(days=3)), meeting_point=meeting_point)
    claim_slot(shift, make.volunteer(phone="617-555-0161", sms_opt_in=True), now=NOW)
    db.session.commit()
    send_due(gateway, clock=fixed(NOW), rate=0)
    to_volunteer = [body for to, body in gateway.sent if to == "+16175550161"]
    assert to_volunteer
    for body in to_volunteer:
        assert "jose" not in fold(body) and "perez" not in fold(body), body
        assert "12 elm st" in fold(body) and "family" in body
