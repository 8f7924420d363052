"""Each role's home page."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from accompany.home import views  # noqa: E402,F401
