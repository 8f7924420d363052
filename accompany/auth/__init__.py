"""Logging in and out, volunteer sign-up, invitations and passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from accompany.auth import views  # noqa: E402,F401
