"""The coordinators' screens."""

from flask import Blueprint

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

from accompany.coordinator import views  # noqa: E402,F401
