"""Posting to our Twilio webhooks the way Twilio does: form fields signed with the SDK's
RequestValidator over the public URL."""

from __future__ import annotations

import itertools

from twilio.request_validator import RequestValidator

PUBLIC_BASE_URL = "https://accompany.example.org"
AUTH_TOKEN = "webhook-test-auth-token"
OUR_NUMBER = "+16175550100"
_sids = itertools.count(1)


def sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def inbound_params(sender: str, body: str, **extra: str) -> dict[str, str]:
    """What Twilio POSTs for a text someone sent to our number."""
    sid = "SM" + f"{next(_sids):032x}"
    return {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": sender,
        "FromCity": "BOSTON",
        "FromCountry": "US",
        "MessageSid": sid,
        "MessagingServiceSid": "MG" + "a" * 32,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "SmsStatus": "received",
        "To": OUR_NUMBER,
        **extra,
    }


def post_signed(client, path: str, params: dict, *, signed_url: str | None = None, signature: str | None = None,
                headers: dict | None = None, **kwargs):
    if signature is None:
        signature = sign(signed_url or PUBLIC_BASE_URL + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature, **(headers or {})}, **kwargs)
