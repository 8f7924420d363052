"""Checking that a webhook request really comes from Twilio (the `X-Twilio-Signature` header).

Twilio signs the URL it called plus the POSTed form with our auth token. The URL is rebuilt
from `PUBLIC_BASE_URL` rather than from the request, so it does not matter what a proxy says
the host or scheme is: a request signed for another URL never passes.
"""

from __future__ import annotations

import logging
from functools import wraps

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

from accompany.public_url import public_base_url

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"


def signed_url() -> str | None:
    """The URL Twilio called, as it signed it: PUBLIC_BASE_URL + path (+ query string)."""
    base = public_base_url()
    if not base:
        return None
    query = request.query_string.decode("utf-8", "replace")
    return base + request.path + (f"?{query}" if query else "")


def signature_problem() -> str | None:
    """Why this request is not signed by Twilio, or None when it is."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    if not token:  # an empty key would make every signature forgeable
        return "TWILIO_AUTH_TOKEN is not set"
    url = signed_url()
    if url is None:
        return "PUBLIC_BASE_URL is not set"
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return "no signature"
    if not RequestValidator(token).validate(url, request.form, signature):
        return "signature does not match"
    return None


def twilio_signed(view):
    """Refuse (403) a request to `view` that Twilio did not sign. The log line says why, with
    no form field: they hold phone numbers and message text."""

    @wraps(view)
    def checked(*args, **kwargs):
        problem = signature_problem()
        if problem is not None:
            log.warning("refused Twilio webhook %s %s: %s", request.method, request.path, problem)
            abort(403)
        return view(*args, **kwargs)

    return checked
