"""Admin-only screens: staff accounts (two-step login resets) and invitations."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from accompany.admin import views  # noqa: E402,F401
