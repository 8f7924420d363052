"""`POST /sms/status`: real Twilio signatures, and delivery status that only moves forward."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import pytest
from twilio.request_validator import RequestValidator

from accompany.crypto import phone_index
from accompany.extensions import csrf
from accompany.models import MessageState, OptOut, OutboundMessage, RecipientKind
from accompany.services.messaging.audience import is_opted_out
from accompany.services.messaging.delivery import record_status
from accompany.services.messaging.planning import plan_message
from accompany.webhooks import bp as webhooks_bp
from tests.conftest import NOW

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

PUBLIC_BASE_URL = "https://accompany.example.org"
AUTH_TOKEN = "webhook-test-auth-token"
PHONE = "+16175550142"
LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def webhook_app(app):
    """The test app with Twilio settings and the webhooks (until create_app registers them)."""
    app.config.update(PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN)
    if "webhooks" not in app.blueprints:
        csrf.exempt(webhooks_bp)
        app.register_blueprint(webhooks_bp)
    return app


@pytest.fixture
def webhook(webhook_app):
    return webhook_app.test_client()


@pytest.fixture
def outbox(make, db):
    """Builds committed outbox rows (the webhook answers from its own session)."""

    def build(state: MessageState = MessageState.QUEUED, *, sid: str | None = "auto", **fields) -> OutboundMessage:
        family = make.family()
        row = OutboundMessage(
            dedupe_key=f"test:{secrets.token_hex(6)}",
            kind="family_reminder",
            recipient_kind=RecipientKind.FAMILY,
            family=family,
            not_before=NOW - timedelta(hours=1),
            send_before=NOW + timedelta(days=1),
            state=state,
            attempts=1,
            provider_sid=("SM" + secrets.token_hex(16)) if sid == "auto" else sid,
            sent_at=NOW if state in (MessageState.QUEUED, MessageState.SENT) else None,
            status_at=NOW,
            created_at=NOW - timedelta(days=2),
            **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return build


def callback_params(row_or_sid, status: str, error_code: str | None = None) -> dict[str, str]:
    """What Twilio POSTs to a status callback (phone numbers included, as Twilio sends them)."""
    sid = row_or_sid if isinstance(row_or_sid, str) else row_or_sid.provider_sid
    params = {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "From": "+16175550100",
        "MessageSid": sid,
        "MessageStatus": status,
        "MessagingServiceSid": "MG" + "a" * 32,
        "SmsSid": sid,
        "SmsStatus": status,
        "To": PHONE,
    }
    if error_code:
        params["ErrorCode"] = error_code
    return params


def sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def post_status(client, params: dict, *, query: str = "", signed_url: str | None = None, signature: str | None = None,
                headers: dict | None = None):
    path = "/sms/status" + (f"?{query}" if query else "")
    if signature is None:
        signature = sign(signed_url or PUBLIC_BASE_URL + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature, **(headers or {})})


def reload(db, row: OutboundMessage) -> OutboundMessage:
    db.session.expire_all()
    return db.session.get(OutboundMessage, row.id)


# Signatures ----------------------------------------------------------------------------------


def test_a_signed_callback_moves_the_row_and_answers_204(webhook, outbox, db):
    row = outbox(MessageState.QUEUED)

    response = post_status(webhook, callback_params(row, "delivered"))

    assert response.status_code == 204
    assert response.get_data() == b""
    row = reload(db, row)
    assert row.state is MessageState.DELIVERED
    assert row.status_at > NOW


def test_the_url_twilio_signed_includes_the_query_string(webhook, outbox, db):
    row = outbox(MessageState.QUEUED)
    response = post_status(webhook, callback_params(row, "sent"), query="m=12345")
    assert response.status_code == 204
    assert reload(db, row).state is MessageState.SENT


def test_a_signature_twilio_computed_with_the_port_is_accepted(webhook, outbox, db):
    row = outbox(MessageState.QUEUED)
    params = callback_params(row, "sent")
    response = post_status(webhook, params, signed_url="https://accompany.example.org:443/sms/status")
    assert response.status_code == 204


@pytest.mark.parametrize(
    "forgery",
    ["tampered_status", "added_field", "wrong_url", "wrong_path", "wrong_token", "missing_header", "garbage"],
)
def test_an_unsigned_or_forged_callback_is_refused_and_changes_nothing(webhook, outbox, db, caplog, forgery):
    row = outbox(MessageState.QUEUED)
    params = callback_params(row, "failed", "30003")
    good = sign(PUBLIC_BASE_URL + "/sms/status", params)
    signature = {
        "tampered_status": sign(PUBLIC_BASE_URL + "/sms/status", {**params, "MessageStatus": "sent"}),
        "added_field": good,
        "wrong_url": sign("https://attacker.example.net/sms/status", params),
        "wrong_path": sign(PUBLIC_BASE_URL + "/sms/inbound", params),
        "wrong_token": sign(PUBLIC_BASE_URL + "/sms/status", params, token="someone-elses-token"),
        "missing_header": "",
        "garbage": "bm90IGEgc2lnbmF0dXJl",
    }[forgery]
    if forgery == "added_field":
        params = {**params, "Extra": "1"}
    caplog.set_level(logging.DEBUG)

    response = webhook.post("/sms/status", data=params,
                            headers={"X-Twilio-Signature": signature} if signature else {})

    assert response.status_code == 403
    assert reload(db, row).state is MessageState.QUEUED
    refusals = [r.getMessage() for r in caplog.records if "refused Twilio webhook" in r.getMessage()]
    assert len(refusals) == 1
    assert "617555" not in caplog.text and PHONE not in caplog.text


def test_the_signature_is_checked_against_the_public_url_not_the_host_the_request_names(webhook, outbox, db):
    row = outbox(MessageState.QUEUED)
    params = callback_params(row, "delivered")
    # Signed for the host this request claims to be for, as a forger reaching the app directly would.
    response = post_status(webhook, params, signed_url="http://localhost/sms/status")
    assert response.status_code == 403
    assert reload(db, row).state is MessageState.QUEUED


@pytest.mark.parametrize("setting", ["PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN"])
def test_without_the_settings_to_check_a_signature_every_callback_is_refused(webhook_app, webhook, outbox, db,
                                                                             setting):
    row = outbox(MessageState.QUEUED)
    params = callback_params(row, "delivered")
    signature = sign(PUBLIC_BASE_URL + "/sms/status", params, token="")  # what an empty token would accept
    webhook_app.config[setting] = ""

    response = post_status(webhook, params, signature=signature)

    assert response.status_code == 403
    assert reload(db, row).state is MessageState.QUEUED


def test_the_webhook_needs_no_csrf_token(webhook_app, webhook, outbox):
    assert webhook_app.config["WTF_CSRF_ENABLED"] is True
    row = outbox(MessageState.QUEUED)
    assert post_status(webhook, callback_params(row, "sent")).status_code == 204


def test_a_signed_callback_without_a_sid_or_status_is_a_bad_request(webhook):
    assert post_status(webhook, {"AccountSid": "AC" + "0" * 32}).status_code == 400


# Forward only --------------------------------------------------------------------------------


def test_queued_then_sent_then_delivered(webhook, outbox, db):
    row = outbox(MessageState.QUEUED)
    for status, state in (("sent", MessageState.SENT), ("delivered", MessageState.DELIVERED)):
        assert post_status(webhook, callback_params(row, status)).status_code == 204
        assert reload(db, row).state is state


def test_a_late_sent_after_delivered_changes_nothing(webhook, outbox, db):
    row = outbox(MessageState.QUEUED)
    post_status(webhook, callback_params(row, "delivered"))
    delivered_at = reload(db, row).status_at

    for late in ("sent", "queued", "sending", "accepted"):
        assert post_status(webhook, callback_params(row, late)).status_code == 204

    row = reload(db, row)
    assert row.state is MessageState.DELIVERED
    assert row.status_at == delivered_at


def test_a_repeated_callback_changes_nothing(webhook, outbox, db):
    row = outbox(MessageState.QUEUED)
    post_status(webhook, callback_params(row, "sent"))
    first = reload(db, row).status_at

    assert post_status(webhook, callback_params(row, "sent")).status_code == 204

    assert reload(db, row).status_at == first


def test_failed_stores_the_error_code_and_is_final(webhook, outbox, db):
    row = outbox(MessageState.SENT)

    post_status(webhook, callback_params(row, "failed", "30003"))
    post_status(webhook, callback_params(row, "delivered"))

    row = reload(db, row)
    assert row.state is MessageState.FAILED
    assert row.error_code == "30003"
    assert "30003" in row.error_message and PHONE not in row.error_message


def test_undelivered_stores_the_error_code(webhook, outbox, db):
    row = outbox(MessageState.SENT)
    post_status(webhook, callback_params(row, "undelivered", "30005"))
    row = reload(db, row)
    assert (row.state, row.error_code) == (MessageState.UNDELIVERED, "30005")


def test_a_callback_for_a_sid_we_do_not_know_is_answered_and_changes_nothing(webhook, outbox, db):
    row = outbox(MessageState.QUEUED)
    response = post_status(webhook, callback_params("SM" + "f" * 32, "delivered"))
    assert response.status_code == 204
    assert reload(db, row).state is MessageState.QUEUED


# Rows left unknown by a timeout ---------------------------------------------------------------


def test_a_callback_settles_a_row_left_unknown_by_a_timeout(webhook, outbox, db):
    row = outbox(MessageState.UNKNOWN, sid=None, error_message="No answer from the carrier.")
    sid = "SM" + secrets.token_hex(16)

    response = post_status(webhook, callback_params(sid, "sent"), query=f"m={row.id}")

    assert response.status_code == 204
    row = reload(db, row)
    assert row.state is MessageState.SENT
    assert row.provider_sid == sid
    assert row.sent_at is not None
    # Later callbacks find it by its SID now.
    post_status(webhook, callback_params(sid, "delivered"), query=f"m={row.id}")
    assert reload(db, row).state is MessageState.DELIVERED


def test_an_unknown_row_that_has_its_sid_is_settled_by_sid(webhook, outbox, db):
    row = outbox(MessageState.UNKNOWN)
    post_status(webhook, callback_params(row, "delivered"))
    assert reload(db, row).state is MessageState.DELIVERED


@pytest.mark.parametrize("state", [MessageState.PENDING, MessageState.CANCELLED, MessageState.FAILED])
def test_a_row_id_in_the_url_only_settles_a_row_that_is_unknown_or_being_sent(webhook, outbox, db, state):
    row = outbox(state, sid=None)
    post_status(webhook, callback_params("SM" + secrets.token_hex(16), "delivered"), query=f"m={row.id}")
    row = reload(db, row)
    assert row.state is state and row.provider_sid is None


def test_a_callback_that_beats_our_own_record_of_the_send_is_kept(webhook, outbox, db):
    from accompany.services.messaging import outbox as outbox_service
    from tests.conftest import NOW

    row = outbox(MessageState.SENDING, sid=None, claim_token="ours")
    sid = "SM" + secrets.token_hex(16)
    post_status(webhook, {**callback_params(sid, "failed"), "ErrorCode": "30007"}, query=f"m={row.id}")
    row = reload(db, row)
    assert (row.state, row.provider_sid, row.error_code) == (MessageState.FAILED, sid, "30007")
    assert not outbox_service.finish(row.id, "ours", MessageState.QUEUED, now=NOW, provider_sid=sid)  # the dispatcher, late
    assert reload(db, row).state is MessageState.FAILED


@pytest.mark.parametrize("ending", [MessageState.UNKNOWN, MessageState.FAILED])
def test_a_delivered_callback_that_beats_our_timeout_is_not_overwritten(webhook, outbox, db, ending):
    """Twilio says "delivered" while our request is still waiting; then the request times out
    (unknown) or ends in an error: the row stays delivered, nobody is asked to check it."""
    from accompany.services.messaging import outbox as outbox_service
    from tests.conftest import NOW

    row = outbox(MessageState.SENDING, sid=None, claim_token="ours", handed_at=NOW)
    sid = "SM" + secrets.token_hex(16)
    post_status(webhook, callback_params(sid, "delivered"), query=f"m={row.id}")
    assert not outbox_service.finish(row.id, "ours", ending, now=NOW, error_message="No answer from the carrier.")
    db.session.commit()
    row = reload(db, row)
    assert (row.state, row.provider_sid, row.error_message) == (MessageState.DELIVERED, sid, None)


def test_a_row_id_in_the_url_never_takes_a_row_that_has_another_sid(webhook, outbox, db):
    row = outbox(MessageState.UNKNOWN)
    own_sid = row.provider_sid
    post_status(webhook, callback_params("SM" + secrets.token_hex(16), "delivered"), query=f"m={row.id}")
    row = reload(db, row)
    assert (row.state, row.provider_sid) == (MessageState.UNKNOWN, own_sid)


# The service, without HTTP -------------------------------------------------------------------

ORDER_CASES = [
    # (state before, callback status, state after)
    (MessageState.QUEUED, "queued", MessageState.QUEUED),
    (MessageState.QUEUED, "sent", MessageState.SENT),
    (MessageState.QUEUED, "delivered", MessageState.DELIVERED),
    (MessageState.QUEUED, "failed", MessageState.FAILED),
    (MessageState.SENT, "queued", MessageState.SENT),
    (MessageState.SENT, "sent", MessageState.SENT),
    (MessageState.SENT, "undelivered", MessageState.UNDELIVERED),
    (MessageState.DELIVERED, "failed", MessageState.DELIVERED),
    (MessageState.DELIVERED, "sent", MessageState.DELIVERED),
    (MessageState.UNDELIVERED, "delivered", MessageState.UNDELIVERED),
    (MessageState.FAILED, "delivered", MessageState.FAILED),
    (MessageState.UNKNOWN, "queued", MessageState.QUEUED),
    (MessageState.UNKNOWN, "failed", MessageState.FAILED),
    (MessageState.CANCELLED, "delivered", MessageState.CANCELLED),
    (MessageState.EXPIRED, "sent", MessageState.EXPIRED),
    (MessageState.PENDING, "sent", MessageState.PENDING),
    (MessageState.SENDING, "delivered", MessageState.SENDING),
    (MessageState.QUEUED, "canceled", MessageState.QUEUED),
    (MessageState.QUEUED, "no-such-status", MessageState.QUEUED),
]


@pytest.mark.parametrize(("before", "status", "after"), ORDER_CASES)
def test_record_status_only_moves_forward(outbox, db, before, status, after):
    row = outbox(before)

    changed = record_status(row.provider_sid, status, "30008" if status == "failed" else None, now=LATER)

    assert (changed is not None) == (after is not before)
    row = reload(db, row)
    assert row.state is after
    assert row.status_at == (LATER if after is not before else NOW)


def test_record_status_flushes_and_leaves_the_commit_to_the_caller(outbox, db):
    row = outbox(MessageState.QUEUED)
    record_status(row.provider_sid, "delivered", None, now=LATER)
    db.session.rollback()
    assert reload(db, row).state is MessageState.QUEUED


@pytest.mark.parametrize("code, blocks", [("21610", True), ("30006", True), ("30003", False), ("30007", False)])
def test_a_callback_saying_the_number_opted_out_or_cannot_take_texts_is_recorded_on_the_number(
        webhook, outbox, db, code, blocks):
    """Twilio's 21610 in a status callback agrees with a STOP texted to us: nothing more goes there."""
    row = outbox(MessageState.SENT)
    waiting = plan_message("test:waiting", kind="family_reminder_1d", now=LATER, not_before=LATER,
                           send_before=LATER + timedelta(days=1), family=row.family)
    db.session.commit()
    response = post_status(webhook, callback_params(row, "undelivered", code))
    assert response.status_code == 204
    db.session.expire_all()
    assert is_opted_out(phone_index(row.family.phone)) is blocks
    assert db.session.get(OutboundMessage, waiting.id).state == (MessageState.CANCELLED if blocks else MessageState.PENDING)
    if blocks:
        assert db.session.query(OptOut).one().keyword == f"carrier {code}"
