"""The coordinators' screens: families, locations, appointments and shifts, volunteers, spreadsheets,
the message log and the inbox."""

from flask import Blueprint

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

from accompany.coordinator import (  # noqa: E402,F401
    appointments,
    families,
    inbox,
    locations,
    messages,
    shifts,
    spreadsheets,
    volunteers,
)

# isort: split
# Casework: the bond fund.
from accompany.coordinator import bonds, fund  # noqa: E402,F401

