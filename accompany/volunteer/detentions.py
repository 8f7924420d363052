"""A volunteer reports a detention from a shift they hold today (one tap, an optional note), and
sees that report's confirmation. They never see the list of cases, only the one they reported
from a shift they hold."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing
from accompany.coordinator.detention_forms import DetentionReportForm
from accompany.guards import volunteer_required
from accompany.i18n import gettext
from accompany.services.detention import cases
from accompany.services.scheduling import my_shifts
from accompany.volunteer import bp


@bp.post("/my/shifts/<id:shift_id>/detained")
@volunteer_required
def report_detention(shift_id: int):
    claim = my_shifts.held_claim(current_user, shift_id)
    if claim is None:
        abort(404)
    form = DetentionReportForm()
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors) or gettext("Try again."), "warning")
        return redirect(url_for(".held_shift", shift_id=shift_id))
    with committing(form) as saved:
        case, _ = cases.report_from_shift(claim, note=form.note.data, now=utcnow())
    if not saved:
        return redirect(url_for(".held_shift", shift_id=shift_id))
    return redirect(url_for(".reported_detention", case_id=case.id))


@bp.get("/my/detentions/<id:case_id>")
@volunteer_required
def reported_detention(case_id: int):
    case = cases.reported_by_volunteer(case_id, current_user)
    if case is None:
        abort(404)
    return render_template("volunteer/detention_reported.html", case=case)
