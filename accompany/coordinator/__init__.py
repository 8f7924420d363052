"""The coordinators' screens: families, locations, appointments and shifts, volunteers, spreadsheets,
the message log and the inbox."""

from flask import Blueprint

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

# Casework: letters of support and legal referrals.
# Detention response (issue 15).
from accompany.coordinator import (  # noqa: E402,F401  # noqa: E402,F401
    appointments,
    detentions,
    families,
    inbox,
    legal,
    letters,
    locations,
    messages,
    needs,  # casework (issue 14)
    on_call,
    shifts,
    spreadsheets,
    volunteers,
)

# isort: split
# Casework: the bond fund.
from accompany.coordinator import bonds, fund  # noqa: E402,F401

# isort: split
# Detention response: the checklist of what follows a detention.
from accompany.coordinator import checklist  # noqa: E402,F401

