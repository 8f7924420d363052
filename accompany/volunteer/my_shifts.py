"""My shifts, one held shift's details, releasing it, and reporting back."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, require_valid
from accompany.coordinator.detention_forms import DetentionReportForm
from accompany.formfields import ActionForm
from accompany.guards import signed_in, volunteer_required
from accompany.i18n import gettext
from accompany.models import Outcome
from accompany.services.detention.cases import held_today
from accompany.services.privacy import access
from accompany.services.scheduling import my_shifts
from accompany.services.scheduling.claims import release_claim
from accompany.volunteer import bp
from accompany.volunteer.forms import ReportForm


@bp.get("/my/shifts")
@volunteer_required
def my_shifts_page():
    return render_template("volunteer/my_shifts.html", shifts=my_shifts.my_shifts(signed_in(), now=utcnow()))


def _held_or_404(shift_id: int, *, details: bool):
    """The volunteer's own claim; with `details`, only while they may still see the family."""
    claim = my_shifts.held_claim(current_user, shift_id)
    if claim is None or (details and not access.may_see_held_shift(current_user, claim, now=utcnow())):
        abort(404)
    return claim


@bp.get("/my/shifts/<id:shift_id>")
@volunteer_required
def held_shift(shift_id: int):
    claim = _held_or_404(shift_id, details=True)
    now = utcnow()
    return render_template(
        "volunteer/held_shift.html",
        claim=claim,
        shift=claim.shift,
        appointment=claim.shift.appointment,
        teammates=my_shifts.teammates(claim),
        can_release=claim.shift.starts_at > now,
        can_report=claim.shift.starts_at <= now,
        action_form=ActionForm(),
        can_report_detention=held_today(claim.shift, now=now),
        detention_form=DetentionReportForm(formdata=None),
    )


@bp.post("/my/shifts/<id:shift_id>/release")
@volunteer_required
def release(shift_id: int):
    claim = my_shifts.claim_to_release(signed_in(), shift_id)
    if claim is None:
        abort(404)
    require_valid(ActionForm())
    with committing() as released:
        late = release_claim(claim, now=utcnow(), by=signed_in())
    if not released:
        return redirect(url_for(".held_shift", shift_id=shift_id))
    if late:
        flash(gettext("Released. It is close to the shift, so the coordinators were told right away."), "info")
    else:
        flash(gettext("Released. Thank you for letting us know in time."), "info")
    return redirect(url_for(".my_shifts_page"))


@bp.route("/my/shifts/<id:shift_id>/report", methods=["GET", "POST"])
@volunteer_required
def report(shift_id: int):
    claim = _held_or_404(shift_id, details=False)
    form = ReportForm()
    if not form.is_submitted() and claim.reported_at is not None:
        form = ReportForm(formdata=None, data={
            "outcome": claim.report_outcome.value, "hours": claim.report_hours,
            "notes": claim.report_notes or "", "next_date": claim.report_next_date,
        })
    if form.validate_on_submit():
        details = my_shifts.Report(
            outcome=Outcome(form.outcome.data), hours=form.hours.data,
            notes=form.notes.data or "", next_date=form.next_date.data,
        )
        with committing(form, field="outcome") as reported:
            draft = my_shifts.report_back(claim, details, now=utcnow())
        if reported:
            said = [gettext("Thank you for reporting back.")]
            if details.outcome == Outcome.DETAINED:
                said.append(gettext("A detention case is open and the person on call is being alerted."))
            if draft is not None:
                said.append(gettext("The next date is with the coordinators to confirm."))
            flash(" ".join(said), "success")
            return redirect(url_for(".my_shifts_page"))
    return render_template("volunteer/report.html", form=form, claim=claim, shift=claim.shift,
                           appointment=claim.shift.appointment)
