"""The volunteers' screens: the shift board, my shifts, reports, calendar and profile."""

from flask import Blueprint

bp = Blueprint("volunteer", __name__)

from accompany.volunteer import (  # noqa: E402,F401
    board,
    calendar,
    detentions,  # noqa: E402,F401  (issue 15)
    my_shifts,
    profile,
    profile_phone,
    tasks,  # casework (issue 14)
)
