"""Logging in and out (with two-step login for staff), sessions, volunteer sign-up, invitations
and passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from accompany.auth import language, password_reset, sessions, two_factor, views  # noqa: E402,F401
