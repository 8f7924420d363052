"""`GET /healthz`: is the database up, is the scheduler alive, is the outbox keeping up."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from accompany.health import views  # noqa: E402,F401
