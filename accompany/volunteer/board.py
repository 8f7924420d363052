"""The open-shift board and claiming from it."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from accompany.clock import utcnow
from accompany.committing import committing, require_valid, shown
from accompany.formfields import ActionForm
from accompany.guards import signed_in, volunteer_required
from accompany.i18n import gettext
from accompany.models import ShiftRole
from accompany.services.casework import tasks
from accompany.services.scheduling import board
from accompany.services.scheduling.claims import claim_slot, shift_to_claim
from accompany.services.scheduling.locations import active_place_names
from accompany.volunteer import bp
from accompany.volunteer.forms import BoardFilterForm


@bp.get("/shifts")
@volunteer_required
def board_page():
    form = BoardFilterForm(request.args)
    form.set_places(active_place_names())
    filters = board.BoardFilters()
    if form.validate():
        filters = board.BoardFilters(
            roles=[ShiftRole(value) for value in form.role.data or []],
            first_day=form.first_day.data,
            last_day=form.last_day.data,
            location_id=int(form.place.data) if form.place.data else None,
            my_languages_only=form.mine.data,
            show_all=form.all.data,
        )
    cards = board.open_shifts(
        signed_in(), filters, now=utcnow(), tz_name=current_app.config["ORG_TIMEZONE"]
    )
    return render_template("volunteer/board.html", form=form, cards=cards,
                           task_cards=tasks.open_tasks(signed_in(), now=utcnow()))  # casework (issue 14)


@bp.post("/shifts/<id:shift_id>/claim")
@volunteer_required
def claim(shift_id: int):
    shift = shift_to_claim(shift_id)
    if shift is None:
        abort(404)
    require_valid(ActionForm())
    with committing(show_error=False) as claimed:
        claim_slot(shift, signed_in(), now=utcnow())
    if not claimed:
        flash(gettext("%(problem)s Thank you for trying!", problem=shown(claimed.error)), "warning")
        return redirect(url_for(".board_page"))
    flash(gettext("It's yours. Thank you! The details are below."), "success")
    return redirect(url_for(".held_shift", shift_id=shift_id))
