"""The SMS gateway: console, fake, and Twilio through the real SDK against a fake Twilio server."""

from __future__ import annotations

import base64
import logging
import re
import socket
import traceback

import pytest

from accompany import create_app
from accompany.models import MessageState
from accompany.services.messaging.sms.console import ConsoleGateway
from accompany.services.messaging.sms.fake import FakeGateway
from accompany.services.messaging.sms.gateway import (
    FinalError,
    RetryableError,
    SendError,
    UnknownOutcome,
    current_gateway,
    init_gateway,
    status_callback_url,
)
from accompany.services.messaging.sms.twilio_backend import RedirectingHttpClient, TwilioGateway
from config import ConfigError, TestingConfig
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

PHONE = "+16175550142"
# Everything of the number but its last four digits, in the forms a leak could take.
PHONE_LEAKS = ("+1617555", "617555", "617-555", "(617) 555")
BODY = "Recordatorio: su cita es el martes a las 9:00. Responda 2 si necesita transporte."
CALLBACK = "https://accompany.example.org/sms/status?m=7"
SERVICE_SID = "MG" + "a" * 32


def gateway_app(**config):
    """An app whose gateway is built by init_gateway from `config` (no database needed)."""
    app = create_app(type("GatewayConfig", (TestingConfig,), config))
    init_gateway(app)
    return app


def twilio_config(fake: FakeTwilio, **overrides) -> dict:
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
        "TWILIO_FROM_NUMBER": "",
        "TWILIO_API_BASE_URL": fake.base_url,
        "TWILIO_TIMEOUT_SECONDS": 5,
        **overrides,
    }


def send_through(app, to: str = PHONE, body: str = BODY):
    with app.app_context():
        return current_gateway().send(to, body, status_callback=CALLBACK)


def assert_no_personal_data(*texts: str) -> None:
    for text in texts:
        assert BODY not in text and "Recordatorio" not in text
        for leak in PHONE_LEAKS:
            assert leak not in text, f"{leak!r} leaked into: {text}"


def error_texts(error: BaseException) -> list[str]:
    """Everything an error can put into a log: its text, its repr, its formatted traceback."""
    return [str(error), repr(error), getattr(error, "message", ""), "".join(traceback.format_exception(error))]


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


# Twilio --------------------------------------------------------------------------------------


def test_twilio_send_posts_the_message_with_service_callback_and_validity(fake_twilio, all_logs):
    app = gateway_app(**twilio_config(fake_twilio))

    result = send_through(app)

    assert result.state is MessageState.QUEUED
    assert re.fullmatch(r"SM[0-9a-f]{32}", result.provider_sid)
    [request] = fake_twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(
        f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.form == {
        "To": PHONE,
        "Body": BODY,
        "MessagingServiceSid": SERVICE_SID,
        "StatusCallback": CALLBACK,
        "ValidityPeriod": "14400",
    }
    assert [m.sid for m in fake_twilio.messages] == [result.provider_sid]
    assert_no_personal_data(all_logs.text)


def test_twilio_send_from_a_number_when_there_is_no_messaging_service(fake_twilio):
    app = gateway_app(**twilio_config(fake_twilio, TWILIO_MESSAGING_SERVICE_SID="", TWILIO_FROM_NUMBER="+16175550100",
                                      TWILIO_VALIDITY_SECONDS=600))

    send_through(app)

    form = fake_twilio.requests[0].form
    assert form["From"] == "+16175550100"
    assert "MessagingServiceSid" not in form
    assert form["ValidityPeriod"] == "600"


def test_twilio_send_without_a_callback_url_sends_no_status_callback(fake_twilio):
    app = gateway_app(**twilio_config(fake_twilio))
    with app.app_context():
        current_gateway().send(PHONE, BODY)
    assert "StatusCallback" not in fake_twilio.requests[0].form


@pytest.mark.parametrize(
    ("status", "code", "kind", "expected_code"),
    [
        (400, 21610, FinalError, "21610"),
        (400, 21211, FinalError, "21211"),
        (400, 21614, FinalError, "21614"),
        (400, 21612, FinalError, "21612"),
        (400, 21408, FinalError, "21408"),
        (400, 21999, FinalError, "21999"),  # a refusal we have no entry for: do not repeat it
        (429, 20429, RetryableError, "20429"),
        (429, None, RetryableError, "20429"),
        (400, 21611, RetryableError, "21611"),  # the sender's queue is full
        (500, None, RetryableError, None),
        (503, None, RetryableError, None),
        (503, 20500, RetryableError, "20500"),
    ],
)
def test_each_twilio_error_takes_its_path_and_leaks_nothing(fake_twilio, all_logs, status, code, kind, expected_code):
    app = gateway_app(**twilio_config(fake_twilio))
    fake_twilio.fail_next(status=status, code=code)

    with pytest.raises(SendError) as caught:
        send_through(app)

    error = caught.value
    assert type(error) is kind
    assert error.code == expected_code
    if kind is FinalError:
        assert error.opted_out is (code == 21610)
        assert error.bad_number is (code in (21211, 21614, 21612, 21408))
    assert fake_twilio.requests[0].answered == status
    assert_no_personal_data(*error_texts(error), all_logs.text)


def test_invalid_number_error_does_not_pass_on_twilios_text_which_quotes_the_number(fake_twilio):
    app = gateway_app(**twilio_config(fake_twilio))
    fake_twilio.fail_next(status=400, code=21211)

    with pytest.raises(FinalError) as caught:
        send_through(app)

    assert caught.value.message == "The number is not a valid phone number. (Twilio 21211)"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_refused_credentials_are_retried_not_blamed_on_the_number(fake_twilio):
    app = gateway_app(**twilio_config(fake_twilio, TWILIO_AUTH_TOKEN="not-the-token"))

    with pytest.raises(RetryableError) as caught:
        send_through(app)

    assert caught.value.code == "20003"
    assert fake_twilio.requests[0].answered == 401


def test_no_answer_within_the_timeout_is_an_unknown_outcome(fake_twilio, all_logs):
    app = gateway_app(**twilio_config(fake_twilio, TWILIO_TIMEOUT_SECONDS=0.3))
    fake_twilio.stall_next(seconds=5)

    with pytest.raises(UnknownOutcome) as caught:
        send_through(app)

    # The request did reach Twilio, which took the message: resending it would text twice.
    assert len(fake_twilio.messages) == 1
    assert "did not answer in time" in caught.value.message
    assert_no_personal_data(*error_texts(caught.value), all_logs.text)
    assert any(r.levelno == logging.WARNING and "UnknownOutcome" in r.getMessage() for r in all_logs.records)


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
def test_connection_lost_after_sending_is_an_unknown_outcome(fake_twilio, all_logs, reset):
    app = gateway_app(**twilio_config(fake_twilio))
    fake_twilio.drop_next(reset=reset)

    with pytest.raises(UnknownOutcome) as caught:
        send_through(app)

    assert len(fake_twilio.messages) == 1
    assert_no_personal_data(*error_texts(caught.value), all_logs.text)


def test_connection_refused_before_sending_is_retryable(all_logs):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = gateway_app(**twilio_config(FakeTwilioAt(f"http://127.0.0.1:{port}")))

    with pytest.raises(RetryableError) as caught:
        send_through(app)

    assert caught.value.code is None
    assert "nothing was sent" in caught.value.message
    assert_no_personal_data(*error_texts(caught.value), all_logs.text)


def test_after_an_error_the_next_send_goes_through(fake_twilio):
    app = gateway_app(**twilio_config(fake_twilio))
    fake_twilio.fail_next(status=503, code=None)
    with pytest.raises(RetryableError):
        send_through(app)

    assert send_through(app).state is MessageState.QUEUED
    assert [r.answered for r in fake_twilio.requests] == [503, 201]


def test_api_base_url_keeps_twilios_paths_under_another_host():
    client = RedirectingHttpClient("http://127.0.0.1:8099/twilio/")
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert client.redirect(url) == f"http://127.0.0.1:8099/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.mark.parametrize(
    "missing",
    [{"TWILIO_ACCOUNT_SID": ""}, {"TWILIO_AUTH_TOKEN": ""},
     {"TWILIO_MESSAGING_SERVICE_SID": "", "TWILIO_FROM_NUMBER": ""}],
)
def test_twilio_backend_refuses_to_start_without_credentials_or_sender(missing):
    with pytest.raises(ConfigError, match="SMS_BACKEND=twilio needs"):
        gateway_app(**twilio_config(FakeTwilioAt("http://127.0.0.1:1"), **missing))


def test_an_unknown_backend_name_refuses_to_start():
    with pytest.raises(ConfigError, match="carrier-pigeon"):
        gateway_app(SMS_BACKEND="carrier-pigeon")


def test_the_twilio_backend_talks_to_twilio_itself_without_a_base_url():
    gateway = TwilioGateway(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number="+16175550100")
    assert not isinstance(gateway.client.http_client, RedirectingHttpClient)
    assert gateway.client.http_client.timeout == 10
    assert gateway.validity_period == 14400


# Console and fake ----------------------------------------------------------------------------


def test_console_prints_the_body_with_the_number_masked_and_counts_it_sent(capsys, all_logs):
    app = gateway_app(SMS_BACKEND="console")

    result = send_through(app)

    printed = capsys.readouterr().out
    assert BODY in printed
    assert "…0142" in printed
    for leak in PHONE_LEAKS:
        assert leak not in printed
    assert result.state is MessageState.SENT
    assert result.provider_sid.startswith("console-")
    assert_no_personal_data(all_logs.text)  # printed for the developer, never logged


def test_the_testing_config_gets_the_fake_gateway():
    app = gateway_app()
    with app.app_context():
        assert isinstance(current_gateway(), FakeGateway)


def test_fake_records_sends_and_raises_what_it_is_primed_with():
    gateway = FakeGateway()
    gateway.fail_next(FinalError(code="21610"))
    gateway.fail_next(RetryableError(code="20429"), times=2)

    with pytest.raises(FinalError) as caught:
        gateway.send(PHONE, "one")
    assert caught.value.opted_out
    for _ in range(2):
        with pytest.raises(RetryableError):
            gateway.send(PHONE, "two")
    result = gateway.send(PHONE, "three", status_callback=CALLBACK)

    assert gateway.sent == [(PHONE, "three")]
    assert gateway.status_callbacks == [CALLBACK]
    assert gateway.attempts == 4
    assert result.state is MessageState.QUEUED and result.provider_sid.startswith("SM")


def test_fake_counts_an_unknown_outcome_as_having_reached_the_carrier():
    gateway = FakeGateway()
    gateway.fail_next(UnknownOutcome())

    with pytest.raises(UnknownOutcome):
        gateway.send(PHONE, BODY)

    assert gateway.sent == [(PHONE, BODY)]


def test_console_gateway_writes_to_the_stream_it_is_given(tmp_path):
    with open(tmp_path / "out.txt", "w+") as stream:
        ConsoleGateway(stream).send(PHONE, "Hello")
        stream.seek(0)
        assert "…0142" in stream.read()


# The interface -------------------------------------------------------------------------------


def test_errors_carry_a_code_and_a_message_for_people():
    assert FinalError(code=21610).code == "21610"
    assert FinalError(code="21610").opted_out is True
    assert FinalError("Refused.", "21211").message == "Refused."
    assert FinalError(code="21211").bad_number is True
    assert RetryableError().message and UnknownOutcome().message
    assert str(UnknownOutcome()) == UnknownOutcome().message


def test_status_callback_url_names_the_outbox_row_under_the_public_url():
    app = gateway_app(PUBLIC_BASE_URL="https://accompany.example.org/")
    with app.app_context():
        assert status_callback_url(7) == "https://accompany.example.org/sms/status?m=7"
        assert status_callback_url() == "https://accompany.example.org/sms/status"
    with gateway_app(PUBLIC_BASE_URL="").app_context():
        assert status_callback_url(7) is None


def test_current_gateway_says_what_is_missing_when_not_set_up():
    app = create_app(TestingConfig)
    app.extensions.pop("accompany.services.messaging.sms", None)
    with app.app_context(), pytest.raises(RuntimeError, match="init_gateway"):
        current_gateway()


class FakeTwilioAt:
    """Just a base URL, for configs that point at an address where nothing listens."""

    def __init__(self, base_url: str):
        self.base_url = base_url
