"""The checklist of what follows a detention: the template the network edits
(/coordinator/detentions/checklist: add, edit, switch off and on) and ticking a case's steps on
its page. Flash messages name no family."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, require_valid
from accompany.coordinator import bp
from accompany.coordinator.detention_forms import (
    ChecklistStepForm,
    NewChecklistStepForm,
    StepActiveForm,
    TickStepForm,
)
from accompany.database import db
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import CaseStep, ChecklistStep
from accompany.services.detention import checklist


def _back():
    return redirect(url_for(".detention_checklist"))


@bp.get("/detentions/checklist")
@staff_required
def detention_checklist():
    with committing():  # the first look at an empty template writes the default steps
        steps = checklist.template_steps()
    return render_template("coordinator/detentions/checklist.html", steps=steps, switch=StepActiveForm)


@bp.route("/detentions/checklist/new", methods=["GET", "POST"])
@staff_required
def new_checklist_step():
    form = NewChecklistStepForm()
    if request.method == "GET":
        with committing():
            form.position.data = len(checklist.template_steps()) + 1
    if form.validate_on_submit():
        with committing(form) as saved:
            checklist.add_step(form.details(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The step is added: cases opened from now on include it."), "success")
        if saved or saved.sent_before:
            return _back()
    return render_template("coordinator/detentions/checklist_form.html", form=form, step=None)


@bp.route("/detentions/checklist/<id:step_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_checklist_step(step_id: int):
    step = db.get_or_404(ChecklistStep, step_id)
    form = ChecklistStepForm.for_step(step) if request.method == "GET" else ChecklistStepForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            changed = checklist.update_step(step, form.details(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The step is saved: cases opened from now on follow it.") if changed else gettext("Nothing was changed."),
                  "success")
        if saved or (saved.error is not None and saved.error.whole_request):
            return _back()
    return render_template("coordinator/detentions/checklist_form.html", form=form, step=step)


@bp.post("/detentions/checklist/<id:step_id>/switch")
@staff_required
def switch_checklist_step(step_id: int):
    step = db.get_or_404(ChecklistStep, step_id)
    active = require_valid(StepActiveForm()).active.data == "1"
    with committing() as done:
        checklist.switch_step(step, active, by=current_user, now=utcnow())
    if done:
        flash(gettext("The step is on: cases opened from now on include it.") if active
              else gettext("The step is off: cases opened from now on leave it out."), "success")
    return _back()


@bp.post("/detentions/steps/<id:case_step_id>/tick")
@staff_required
def tick_case_step(case_step_id: int):
    step = db.get_or_404(CaseStep, case_step_id)
    done = require_valid(TickStepForm()).done.data == "1"
    with committing() as saved:
        checklist.tick_step(step, done, by=current_user, now=utcnow())
    if saved:
        flash(gettext("The step is ticked done.") if done else gettext("The step is not done any more."), "success")
    return redirect(url_for(".detention", case_id=step.case_id, _anchor="checklist"))
