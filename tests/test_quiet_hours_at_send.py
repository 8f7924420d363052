"""Quiet hours hold when a text is sent and retried, not only when it is planned: a stopped
scheduler or a carrier outage never makes a text go in the recipient's night."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from accompany.models import MessageKind, MessageState, OutboundMessage
from accompany.services.messaging import outbox
from accompany.services.messaging.audience import recipient_hours
from accompany.services.messaging.dispatch import send_due
from accompany.services.messaging.planning import plan_message
from accompany.services.messaging.sms.gateway import RetryableError
from accompany.services.messaging.volunteer_texts import plan_volunteer_reminders
from tests.conftest import boston

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

DAY = date(2026, 12, 8)  # a Tuesday


def fixed(moment):
    return lambda: moment


def _family_row(make, *, not_before, send_before, kind=MessageKind.FAMILY_REMINDER_3D, **family):
    family = make.family(**family)
    appointment = make.appointment(family=family, starts_at=send_before + timedelta(hours=2))
    return plan_message(f"test:{kind}:{family.id}", kind=kind, now=not_before - timedelta(days=1),
                        not_before=not_before, send_before=send_before, family=family, appointment=appointment,
                        params={"days": 3})


def _reload(db, row):
    db.session.expire_all()
    return db.session.get(OutboundMessage, row.id)


def test_a_reminder_due_during_a_scheduler_outage_waits_for_the_familys_morning(make, db, gateway):
    row = _family_row(make, not_before=boston(DAY, 10), send_before=boston(DAY + timedelta(days=2), 10))
    db.session.commit()
    back_at_night = boston(DAY + timedelta(days=1), 1, 35)
    outcomes = send_due(gateway, clock=fixed(back_at_night), rate=0)
    assert gateway.sent == [] and outcomes["waiting"] == 1
    row = _reload(db, row)
    assert (row.state, row.not_before, row.claim_token) == (MessageState.PENDING, boston(DAY + timedelta(days=1), 8),
                                                            None)
    assert send_due(gateway, clock=fixed(boston(DAY + timedelta(days=1), 7, 59)), rate=0)["sent"] == 0
    assert send_due(gateway, clock=fixed(boston(DAY + timedelta(days=1), 8)), rate=0)["sent"] == 1


def test_the_family_s_own_time_zone_decides_their_night(make, db, gateway):
    row = _family_row(make, not_before=boston(DAY, 10), send_before=boston(DAY + timedelta(days=2), 10),
                      timezone="America/Los_Angeles")
    db.session.commit()
    send_due(gateway, clock=fixed(boston(DAY, 22)), rate=0)  # 19:00 in Los Angeles: still their evening
    assert len(gateway.sent) == 1 and _reload(db, row).sent_at is not None


def test_a_text_due_at_night_whose_time_runs_out_before_morning_expires_saying_why(make, db, gateway):
    row = _family_row(make, not_before=boston(DAY, 10), send_before=boston(DAY + timedelta(days=1), 7))
    db.session.commit()
    send_due(gateway, clock=fixed(boston(DAY, 23)), rate=0)
    row = _reload(db, row)
    assert gateway.sent == [] and row.state == MessageState.EXPIRED
    assert "08:00–20:00" in row.error_message and "time ran out" in row.error_message


def test_a_retry_after_a_carrier_outage_never_goes_after_20_00(make, db, gateway):
    row = _family_row(make, not_before=boston(DAY, 10), send_before=boston(DAY + timedelta(days=2), 10))
    db.session.commit()
    gateway.fail_next(RetryableError(code="30500"))
    assert send_due(gateway, clock=fixed(boston(DAY, 19, 59) + timedelta(seconds=50)), rate=0)["retry"] == 1
    row = _reload(db, row)
    assert (row.state, row.not_before) == (MessageState.PENDING, boston(DAY + timedelta(days=1), 8))
    assert send_due(gateway, clock=fixed(boston(DAY, 20, 1)), rate=0)["sent"] == 0
    assert send_due(gateway, clock=fixed(boston(DAY + timedelta(days=1), 8)), rate=0)["sent"] == 1


def test_a_retry_that_could_only_go_after_its_time_expires_saying_why(make, db, gateway):
    row = _family_row(make, not_before=boston(DAY, 10), send_before=boston(DAY + timedelta(days=1), 7))
    db.session.commit()
    gateway.fail_next(RetryableError(code="30500"))
    send_due(gateway, clock=fixed(boston(DAY, 19, 59) + timedelta(seconds=50)), rate=0)
    row = _reload(db, row)
    assert row.state == MessageState.EXPIRED and gateway.sent == []
    assert "08:00–20:00" in row.error_message and row.error_code == "30500"


def test_volunteers_have_quiet_hours_too(make, db, gateway):
    volunteer = make.volunteer(phone="617-555-0188", sms_opt_in=True)
    shift = make.shift(starts_at=boston(DAY + timedelta(days=1), 9))
    make.claim(shift, volunteer)
    row = plan_message("test:evening", kind=MessageKind.VOLUNTEER_EVENING_BEFORE, now=boston(DAY, 9),
                       not_before=boston(DAY, 19), send_before=boston(DAY + timedelta(days=1), 8, 59),
                       user=volunteer, shift=shift, appointment=shift.appointment)
    db.session.commit()
    send_due(gateway, clock=fixed(boston(DAY + timedelta(days=1), 4, 30)), rate=0)
    row = _reload(db, row)
    assert gateway.sent == [] and row.not_before == boston(DAY + timedelta(days=1), 7)
    assert send_due(gateway, clock=fixed(boston(DAY + timedelta(days=1), 7)), rate=0)["sent"] == 1


def test_a_detention_alert_goes_at_any_hour(make, db, gateway):
    coordinator = make.coordinator(phone="617-555-0177", sms_opt_in=True)
    appointment = make.appointment(starts_at=boston(DAY, 9))
    plan_message("test:detained", kind=MessageKind.COORDINATOR_DETAINED, now=boston(DAY, 3),
                 not_before=boston(DAY, 3), send_before=boston(DAY, 15), user=coordinator, appointment=appointment)
    db.session.commit()
    assert send_due(gateway, clock=fixed(boston(DAY, 3)), rate=0)["sent"] == 1


def test_moving_a_row_to_the_morning_is_a_compare_and_set_on_the_senders_token(make, db):
    row = _family_row(make, not_before=boston(DAY, 10), send_before=boston(DAY + timedelta(days=2), 10))
    db.session.commit()
    night = boston(DAY, 23)
    batch = outbox.claim_due(now=night, limit=10)
    db.session.commit()
    hours = recipient_hours(_reload(db, row))
    assert not outbox.wait_for_hours(row.id, "another sender's token", hours=hours, send_before=row.send_before,
                                     now=night)
    assert db.session.scalar(select(OutboundMessage.state).where(OutboundMessage.id == row.id)) == MessageState.SENDING
    assert outbox.wait_for_hours(row.id, batch.token, hours=hours, send_before=row.send_before, now=night)


@pytest.mark.parametrize(("shift_hour", "shift_minute", "soon_at"), [
    (6, 30, None),      # 04:30 is their night, 07:00 too late: the evening-before text is the last
    (8, 30, (7, 0)),    # 06:30 is their night: it goes when their hours open, 1.5 hours before
    (10, 0, (8, 0)),    # two hours before, as always
])
def test_a_volunteer_s_starting_soon_text_never_goes_in_their_night(make, db, shift_hour, shift_minute, soon_at):
    volunteer = make.volunteer(phone="617-555-0188", sms_opt_in=True)
    shift = make.shift(starts_at=boston(DAY + timedelta(days=1), shift_hour, shift_minute))
    claim = make.claim(shift, volunteer)
    rows = {row.kind: row for row in plan_volunteer_reminders(claim, now=boston(DAY - timedelta(days=2), 12))}
    assert rows[MessageKind.VOLUNTEER_EVENING_BEFORE].not_before == boston(DAY, 19)
    if soon_at is None:
        assert MessageKind.VOLUNTEER_SOON not in rows
    else:
        assert rows[MessageKind.VOLUNTEER_SOON].not_before == boston(DAY + timedelta(days=1), *soon_at)
