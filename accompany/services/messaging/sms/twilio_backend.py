"""The Twilio backend: the real `twilio` SDK, with its errors sorted into ours.

One rule decides the sorting: a send is retried automatically only when we know nothing
reached Twilio (refused connection, DNS, connect timeout) or Twilio told us to come back (429,
5xx, queue full). Anything that may have reached Twilio without an answer (read timeout, a
connection dropped after sending, an unreadable answer) is an UnknownOutcome.

Twilio's own error text can quote the phone number ("The 'To' number +1617… is not valid"), and
the SDK's exceptions carry the request URI: neither is passed on, and our errors are raised
`from None` so a logged traceback cannot show them either.
"""

from __future__ import annotations

import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from accompany.models.enums import MessageState
from accompany.phones import mask_phone
from accompany.services.messaging.sms.gateway import (
    NUMBER_CODES,
    OTHER_FINAL_CODES,
    RETRYABLE_CODES,
    DeleteError,
    FinalError,
    RetryableError,
    SendResult,
    UnknownOutcome,
)
from config import ConfigError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10
DEFAULT_VALIDITY_SECONDS = 4 * 3600
MAX_VALIDITY_SECONDS = 36000  # Twilio's limit
# A Twilio message SID (SMS or MMS, sent or received). Anything else was never Twilio's.
MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")

# The SDK logs each request's URL and headers at INFO. That holds no phone number or body today,
# but what an SDK logs is not ours to promise: its requests go to a logger that stays quiet
# below WARNING, and this module logs one masked line per outcome instead.
SDK_LOGGER = logging.getLogger("accompany.services.messaging.sms.twilio_sdk")
SDK_LOGGER.setLevel(logging.WARNING)


class RedirectingHttpClient(TwilioHttpClient):
    """Sends the SDK's requests to a Twilio-compatible API at `base_url` instead of twilio.com
    (`TWILIO_API_BASE_URL`): same paths, same auth, another host."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"TWILIO_API_BASE_URL must be an http(s) URL, not {base_url!r}.")
        self.base = parts

    def redirect(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit((self.base.scheme, self.base.netloc, self.base.path + parts.path, parts.query, ""))

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.redirect(url), *args, **kwargs)


# The Amazon Polly voice (through Twilio's <Say>) each catalog's calls are read in. Kreyòl has no
# voice of its own: its spelling reads closest to French, so the French voice says it.
SPOKEN_IN = {
    "en": ("Polly.Joanna", "en-US"),
    "es": ("Polly.Lupe", "es-US"),
    "pt": ("Polly.Camila", "pt-BR"),
    "fr": ("Polly.Lea", "fr-FR"),
    "ht": ("Polly.Lea", "fr-FR"),
}


class TwilioGateway:
    """Sends through Twilio's Messages API from a Messaging Service or a from-number."""

    def __init__(self, *, account_sid: str, auth_token: str, messaging_service_sid: str = "",
                 from_number: str = "", timeout: float = DEFAULT_TIMEOUT_SECONDS,
                 validity_period: int | None = DEFAULT_VALIDITY_SECONDS, api_base_url: str = "",
                 voice_from_number: str = ""):
        missing = [name for name, value in (("TWILIO_ACCOUNT_SID", account_sid), ("TWILIO_AUTH_TOKEN", auth_token))
                   if not value]
        if not (messaging_service_sid or from_number):
            missing.append("TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        if missing:
            raise ConfigError("SMS_BACKEND=twilio needs " + ", ".join(missing) + " set.")
        if timeout <= 0:
            raise ConfigError("TWILIO_TIMEOUT_SECONDS must be more than 0.")
        if validity_period is not None and not 1 <= validity_period <= MAX_VALIDITY_SECONDS:
            raise ConfigError(f"TWILIO_VALIDITY_SECONDS must be between 1 and {MAX_VALIDITY_SECONDS}.")
        self.messaging_service_sid = messaging_service_sid or None
        self.from_number = None if messaging_service_sid else from_number
        self.validity_period = validity_period
        # A voice call needs a number to call from (a Messaging Service cannot place calls).
        self.voice_from_number = voice_from_number or from_number or None
        options = {"timeout": timeout, "logger": SDK_LOGGER}
        http_client = RedirectingHttpClient(api_base_url, **options) if api_base_url else TwilioHttpClient(**options)
        # environment={"_": ""}: never pick credentials, region or edge up from os.environ behind
        # config's back (the SDK reads os.environ when given an empty mapping).
        self.client = Client(account_sid, auth_token, http_client=http_client, environment={"_": ""})

    @classmethod
    def from_config(cls, config) -> TwilioGateway:
        return cls(
            account_sid=config.get("TWILIO_ACCOUNT_SID", ""),
            auth_token=config.get("TWILIO_AUTH_TOKEN", ""),
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID", ""),
            from_number=config.get("TWILIO_FROM_NUMBER", ""),
            timeout=float(config.get("TWILIO_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS),
            validity_period=int(config.get("TWILIO_VALIDITY_SECONDS") or DEFAULT_VALIDITY_SECONDS),
            api_base_url=config.get("TWILIO_API_BASE_URL", ""),
            voice_from_number=config.get("TWILIO_VOICE_FROM_NUMBER", ""),
        )

    @contextmanager
    def _sorted_errors(self, to: str) -> Iterator[None]:
        """Twilio's and the connection's errors, sorted into ours (the module's docstring says how)."""
        try:
            yield
        except (TwilioRestException, TwilioServiceException) as error:
            raise self._log(sort_rest_error(error.status, error.code), to) from None
        except requests.RequestException as error:
            raise self._log(sort_connection_error(error), to) from None
        except (TwilioException, ValueError):  # an answer we could not read: it may have been taken
            raise self._log(UnknownOutcome("Twilio's answer could not be read: check whether the message "
                                           "arrived."), to) from None

    def send(self, to: str, body: str, *, status_callback: str | None = None,
             valid_for: int | None = None) -> SendResult:
        with self._sorted_errors(to):
            message = self.client.messages.create(
                to=to,
                body=body,
                messaging_service_sid=self.messaging_service_sid,
                from_=self.from_number,
                status_callback=status_callback,
                validity_period=self.validity_for(valid_for),
            )
        if not message.sid:
            raise self._log(UnknownOutcome("Twilio answered without a message SID: check whether the message "
                                           "arrived."), to)
        log.debug("sms to %s accepted by Twilio as %s (%s)", mask_phone(to), message.sid, message.status)
        return SendResult(provider_sid=message.sid, state=MessageState.QUEUED)

    def call(self, to: str, spoken: str, *, language: str = "en") -> SendResult:
        """Place a voice call through Programmable Voice that says `spoken` in `language`'s voice
        (TwiML built by the SDK; without one, Twilio reads every language in an English voice)."""
        if not self.voice_from_number:
            raise self._log(FinalError("No number to call from: set TWILIO_VOICE_FROM_NUMBER (or TWILIO_FROM_NUMBER)."),
                            to)
        twiml = VoiceResponse()
        voice, locale = SPOKEN_IN.get(language, SPOKEN_IN["en"])
        twiml.say(spoken, voice=voice, language=locale)
        with self._sorted_errors(to):
            placed = self.client.calls.create(to=to, from_=self.voice_from_number, twiml=str(twiml))
        if not placed.sid:
            raise self._log(UnknownOutcome("Twilio answered without a call SID: check whether the call was made."), to)
        log.debug("voice call to %s accepted by Twilio as %s (%s)", mask_phone(to), placed.sid, placed.status)
        return SendResult(provider_sid=placed.sid, state=MessageState.QUEUED)

    def validity_for(self, valid_for: int | None) -> int | None:
        """Twilio's ValidityPeriod for a text whose window closes in `valid_for` seconds: the
        configured period, cut to the window (Twilio takes 1 to 36,000)."""
        if valid_for is None:
            return self.validity_period
        return max(1, min(valid_for, self.validity_period or MAX_VALIDITY_SECONDS))

    def delete_message(self, provider_sid: str) -> bool:
        """Delete Twilio's record of a message (`DELETE …/Messages/<sid>.json`): its body, number
        and metadata. A 404 means it is gone already; anything else that is not a 2xx raises
        DeleteError, and so does no answer (a repeat later is harmless: it answers 404)."""
        if not MESSAGE_SID.fullmatch(provider_sid or ""):
            log.debug("sms record %r is not a Twilio message SID: nothing to delete at Twilio", provider_sid)
            return False
        try:
            self.client.messages(provider_sid).delete()
        except (TwilioRestException, TwilioServiceException) as error:
            if error.status == 404:
                log.debug("sms record %s was already gone at Twilio", provider_sid)
                return False
            code = str(error.code) if error.code not in (None, "", error.status) else None
            failure = DeleteError(f"Twilio refused to delete the message (HTTP {error.status}"
                                  + (f", error {code})." if code else ")."), code)
        except requests.RequestException:
            failure = DeleteError("No answer from Twilio about deleting the message; it will be tried again.")
        except (TwilioException, ValueError):
            failure = DeleteError("Twilio's answer about deleting the message could not be read; it will be "
                                  "tried again.")
        else:
            log.debug("sms record %s deleted at Twilio", provider_sid)
            return True
        log.warning("sms record %s not deleted at Twilio: %s", provider_sid, failure.message)
        raise failure

    @staticmethod
    def _log(error, to: str):
        level = logging.WARNING if isinstance(error, UnknownOutcome) else logging.INFO
        log.log(level, "sms to %s: %s (code %s)", mask_phone(to), type(error).__name__, error.code)
        return error


def sort_rest_error(status: int | None, code: int | str | None) -> FinalError | RetryableError:
    """Twilio answered with an error: which of ours it is, from the HTTP status and Twilio code."""
    status = int(status or 0)
    code = str(code) if code not in (None, "") else None
    if code == str(status):  # the SDK fills in the HTTP status when Twilio's answer had no code
        code = None
    if code in NUMBER_CODES or code in OTHER_FINAL_CODES:
        return FinalError(code=code)
    if code in RETRYABLE_CODES:
        return RetryableError(code=code)
    if status == 429:
        return RetryableError(code=code or "20429")
    if status >= 500 or status == 401:
        return RetryableError(f"Twilio answered HTTP {status}; nothing was sent, it will be tried again.", code)
    # Any other refusal: repeating the same request will not change Twilio's mind.
    return FinalError(f"Twilio refused the message (HTTP {status}" + (f", error {code})." if code else ")."), code)


def sort_connection_error(error: requests.RequestException) -> RetryableError | UnknownOutcome:
    """No answer from Twilio: retryable only when the request provably never left."""
    if isinstance(error, requests.ConnectTimeout) or _never_connected(error):
        return RetryableError("Could not connect to Twilio; nothing was sent, it will be tried again.")
    if isinstance(error, requests.Timeout):
        return UnknownOutcome("Twilio did not answer in time: check whether the message arrived.")
    return UnknownOutcome("The connection to Twilio broke during the send: check whether the message arrived.")


def _never_connected(error: requests.RequestException) -> bool:
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    # NewConnectionError covers refused connections and DNS failures (NameResolutionError).
    if isinstance(reason, (NewConnectionError, ConnectTimeoutError)):
        return True
    # A certificate is only checked in the TLS handshake, before any of the request is sent.
    seen = set()
    while isinstance(reason, BaseException) and id(reason) not in seen:
        if isinstance(reason, ssl.SSLCertVerificationError):
            return True
        seen.add(id(reason))
        reason = reason.args[0] if reason.args and isinstance(reason.args[0], BaseException) else (
            reason.__cause__ or reason.__context__)
    return False
