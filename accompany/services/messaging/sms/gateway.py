"""The one SMS gateway: a tiny interface, its result and errors, and the backend chosen by config.

Backends (`SMS_BACKEND`): `console` prints (development), `twilio` uses the real SDK, `fake`
records in memory (tests). The dispatcher sorts what a send did by the error it raises:

- `FinalError`: the carrier refused this message for good (opted out, invalid number, ...).
- `RetryableError`: nothing was sent; try again later (throttled, 5xx, no connection).
- `UnknownOutcome`: the request may have reached the carrier; never resend it blindly.

No error here ever carries a phone number or a message body: they end up in logs and in the
outbox's `error_message`, which coordinators read.

Backends also delete the carrier's record of a message (`delete_message`), so a family's texts
do not outlive its purge (DESIGN §4): the carrier keeps each message's body and number otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app

from accompany.models.enums import MessageState
from accompany.public_url import public_base_url
from config import ConfigError

EXTENSION_KEY = "accompany.services.messaging.sms"

# Twilio error codes (https://www.twilio.com/docs/api/errors), sorted by what they mean for us.
OPTED_OUT_CODE = "21610"
# The number itself cannot take our texts: final, and worth flagging on the number.
NUMBER_CODES = {
    "21211": "The number is not a valid phone number.",
    "21214": "The number cannot be reached.",
    "21217": "The number does not appear to be valid.",
    "21265": "The number is a short code, which cannot be texted.",
    "21401": "The number is not a valid phone number.",
    "21407": "The number cannot receive text messages.",
    "21408": "Texting this number's country is not enabled on the account.",
    "21421": "The number is not a valid phone number.",
    "21612": "The number cannot be reached by text message.",
    "21614": "The number is not a mobile number.",
    "21635": "The number is a landline.",
    "30005": "The number is unknown to its carrier or no longer in service.",
    "30006": "The number is a landline or its carrier cannot take texts.",
}
# Refused for good, but not because of the number: final, shown to coordinators.
OTHER_FINAL_CODES = {
    OPTED_OUT_CODE: "The person opted out at the carrier (replied STOP).",
    "30003": "The phone could not be reached (off, or out of service).",  # passing: not the number's fault
    "21266": "The number is the same as our sending number.",
    "21602": "The message had no text.",
    "21606": "Our sending number cannot send to this number.",
    "21617": "The message is too long.",
    "30004": "The message was blocked (the person may have blocked texts).",
    "30007": "The carrier filtered the message.",
    "30008": "The carrier could not deliver the message (unknown error).",
    "30034": "The message came from a number not registered for texting (A2P 10DLC).",
}
# Nothing was sent and it may work later: retry with backoff.
RETRYABLE_CODES = {
    "20003": "Our Twilio credentials were refused; check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
    "20429": "Twilio asked us to slow down.",
    "21611": "Our sending number has too many messages queued.",
    "30001": "The carrier queue overflowed.",
}
CODE_DESCRIPTIONS = {**NUMBER_CODES, **OTHER_FINAL_CODES, **RETRYABLE_CODES}


def blocks_number(code: str | int | None) -> bool:
    """Whether the carrier's error `code` means the number takes no more texts from us (it opted
    out, or it cannot take texts at all): recorded on the number, whichever way it reaches us."""
    return code not in (None, "") and (str(code) == OPTED_OUT_CODE or str(code) in NUMBER_CODES)


def describe_code(code: str | int | None) -> str | None:
    """A person-readable line for a Twilio error code, with the code (never Twilio's own text,
    which can quote the phone number)."""
    if code in (None, ""):
        return None
    code = str(code)
    description = CODE_DESCRIPTIONS.get(code, "The carrier reported an error.")
    return f"{description} (Twilio {code})"


@dataclass(frozen=True)
class SendResult:
    """What a send that went through gave back."""

    provider_sid: str | None  # Twilio's "SM…"; console and fake make their own
    state: MessageState  # QUEUED when the carrier accepted it, SENT for the console


class SendError(Exception):
    """A send did not go through as asked. `.code` is the carrier's code ("21610") if any;
    `.message` says what happened, without a phone number or the message body."""

    default_message = "The message could not be sent."

    def __init__(self, message: str = "", code: str | int | None = None):
        self.code = str(code) if code not in (None, "") else None
        self.message = message or describe_code(self.code) or self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class FinalError(SendError):
    """The carrier refused this message for good: never retry it automatically."""

    default_message = "The carrier refused the message."

    def __init__(self, message: str = "", code: str | int | None = None, *, opted_out: bool | None = None,
                 bad_number: bool | None = None):
        super().__init__(message, code)
        self.opted_out = self.code == OPTED_OUT_CODE if opted_out is None else opted_out
        self.bad_number = self.code in NUMBER_CODES if bad_number is None else bad_number


class RetryableError(SendError):
    """Nothing reached the carrier, or it asked us to come back later: retry with backoff."""

    default_message = "The carrier could not take the message just now."


class UnknownOutcome(SendError):
    """The request may have reached the carrier (a timeout, a dropped connection): do not resend
    it blindly; a coordinator or a delivery status callback settles it."""

    default_message = "No answer from the carrier: check whether the message arrived."


class DeleteError(Exception):
    """The carrier's record of a message could not be deleted (this time). `.code` is the
    carrier's code if any; `.message` says what happened, without a number or a body."""

    default_message = "The carrier's record of the message could not be deleted."

    def __init__(self, message: str = "", code: str | int | None = None):
        self.code = str(code) if code not in (None, "") else None
        self.message = message or self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class Gateway(Protocol):
    def send(self, to: str, body: str, *, status_callback: str | None = None,
             valid_for: int | None = None) -> SendResult:
        """Hand one text to the carrier, or raise FinalError / RetryableError / UnknownOutcome.
        `valid_for`: seconds the carrier may keep trying to deliver it (its window's end); after
        that it must give up rather than deliver a text that is no longer true."""
        ...

    def call(self, to: str, spoken: str, *, language: str = "en") -> SendResult:
        """Place one voice call that speaks `spoken` in `language` (a detention alert's last step),
        or raise FinalError / RetryableError / UnknownOutcome as `send` does."""
        ...

    def delete_message(self, provider_sid: str) -> bool:
        """Delete the carrier's record of the message `provider_sid` (sent or received), body and
        number with it. True when it was deleted now, False when the carrier has no such message
        (deleted before, or never one of its own): either way it is gone. Raises DeleteError
        when it may still be there (refused, throttled, no answer): try again later."""
        ...


def build_gateway(config) -> Gateway:
    """The backend named by `SMS_BACKEND` in `config` (a mapping such as `app.config`)."""
    name = (config.get("SMS_BACKEND") or "console").strip().lower()
    if name == "console":
        from accompany.services.messaging.sms.console import ConsoleGateway

        return ConsoleGateway()
    if name == "twilio":
        from accompany.services.messaging.sms.twilio_backend import TwilioGateway

        return TwilioGateway.from_config(config)
    if name == "fake":
        from accompany.services.messaging.sms.fake import FakeGateway

        return FakeGateway()
    raise ConfigError(f"SMS_BACKEND={name!r} is not one of: console, twilio, fake.")


def init_gateway(app: Flask) -> None:
    """Build the configured backend once and keep it on the app (refuses a bad config at start)."""
    app.extensions[EXTENSION_KEY] = build_gateway(app.config)


def current_gateway() -> Gateway:
    """The gateway of the current app."""
    try:
        return current_app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("The SMS gateway is not set up: create_app must call init_gateway(app).") from None


def status_callback_url(message_id: int | None = None) -> str | None:
    """The URL Twilio should report delivery status to, or None without PUBLIC_BASE_URL.

    With `message_id` the URL names the outbox row (`?m=<id>`), so a callback can settle a row
    left `unknown` by a timeout, whose provider SID we never learned. The signature covers it.
    """
    base = public_base_url()
    if not base:
        return None
    return f"{base}/sms/status" + (f"?m={int(message_id)}" if message_id is not None else "")
