"""The address the world reaches this app at (PUBLIC_BASE_URL), read in one place.

Links in texts, the status callback Twilio is given, the URL Twilio's signatures are checked
against and the host in calendar UIDs all start from it.
"""

from __future__ import annotations

from flask import current_app


def public_base_url() -> str:
    """PUBLIC_BASE_URL without a trailing slash, or "" when it is not set."""
    return (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
