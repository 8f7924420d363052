"""The coordinators' screens: families, locations, appointments and shifts, volunteers, spreadsheets."""

from flask import Blueprint

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

from accompany.coordinator import (  # noqa: E402,F401
    appointments,
    families,
    locations,
    messages,
    spreadsheets,
    volunteers,
)
