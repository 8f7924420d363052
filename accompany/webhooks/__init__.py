"""Twilio's webhooks (`POST /sms/inbound`, `POST /sms/status`): signature-checked, the only
routes without CSRF (Twilio cannot hold a CSRF token; its signature stands in for one)."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from accompany.webhooks import inbound, status  # noqa: E402,F401
