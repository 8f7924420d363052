"""Coordinators' casework screens: the needs list, a need's page, adding and changing a need
(from the family's page), and adding a task for volunteers to take.

Flash messages never carry a family's name: they travel in the session cookie.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, committing_button
from accompany.coordinator import bp
from accompany.coordinator.needs_forms import NeedFilterForm, NeedForm, TaskForm
from accompany.database import db
from accompany.formfields import ActionForm
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import Family, Need, Task
from accompany.services.casework import needs as need_service
from accompany.services.casework import tasks as task_service
from accompany.services.messaging.audience import org_today


@bp.get("/needs")
@staff_required
def needs():
    owners = need_service.possible_owners()
    form = NeedFilterForm(formdata=request.args)
    form.set_owners(owners)
    form.validate()
    today = org_today(utcnow())
    return render_template("coordinator/needs/list.html", form=form, today=today,
                           needs=need_service.list_needs(form.filters(), today=today))


@bp.get("/needs/<id:need_id>")
@staff_required
def need(need_id: int):
    need = need_service.need_for_page(need_id) or abort(404)
    return render_template("coordinator/needs/detail.html", need=need, today=org_today(utcnow()),
                           action_form=ActionForm())


def _need_form_page(form: NeedForm, family: Family, need: Need | None):
    return render_template("coordinator/needs/form.html", form=form, family=family, need=need)


def _live_family_or_404(family_id: int) -> Family:
    family = db.get_or_404(Family, family_id)
    if family.purged_at is not None:
        abort(404)
    return family


@bp.route("/families/<id:family_id>/needs/new", methods=["GET", "POST"])
@staff_required
def new_need(family_id: int):
    family = _live_family_or_404(family_id)
    now = utcnow()
    owners, appointments = need_service.possible_owners(), need_service.appointments_to_hang_on(family, now=now)
    form = NeedForm()
    form.set_choices(owners, appointments)
    if request.method == "GET":
        form.owner_id.data = str(current_user.id)
    elif form.validate():
        with committing(form) as saved:
            need = need_service.create_need(family, form.details(owners, appointments), by=current_user, now=now)
        if saved:
            flash(gettext("The need is saved."), "success")
            return redirect(url_for(".need", need_id=need.id))
    return _need_form_page(form, family, None)


@bp.route("/needs/<id:need_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_need(need_id: int):
    need = db.get_or_404(Need, need_id)
    family = _live_family_or_404(need.family_id)
    now = utcnow()
    owners = need_service.possible_owners()
    appointments = need_service.appointments_to_hang_on(family, now=now, keep_id=need.appointment_id)
    form = NeedForm() if request.method == "POST" else NeedForm.for_need(need)
    form.set_choices(owners, appointments)
    if request.method == "POST" and form.validate():
        with committing(form) as saved:
            changed = need_service.update_need(need, form.details(owners, appointments), by=current_user, now=now)
        if saved:
            flash(gettext("The need is saved.") if changed else gettext("Nothing was changed."), "success")
            return redirect(url_for(".need", need_id=need.id))
    return _need_form_page(form, family, need)


@bp.route("/needs/<id:need_id>/tasks/new", methods=["GET", "POST"])
@staff_required
def new_task(need_id: int):
    need = db.get_or_404(Need, need_id)
    _live_family_or_404(need.family_id)
    form = TaskForm()
    if request.method == "GET" and need.due_on is not None:
        form.due_on.data = need.due_on
    if form.validate_on_submit():
        with committing(form) as saved:
            task_service.add_task(need, form.plan(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The task is on the volunteers' board."), "success")
            return redirect(url_for(".need", need_id=need.id))
    return render_template("coordinator/needs/task_form.html", form=form, need=need)


@bp.route("/tasks/<id:task_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_task(task_id: int):
    task = db.get_or_404(Task, task_id)
    _live_family_or_404(task.need.family_id)
    form = TaskForm()
    if request.method == "GET":
        form.process(obj=task_service.plan_of(task))
        form.language.data = task.language.value if task.language else ""
    elif form.validate():
        with committing(form) as saved:
            changed = task_service.update_task(task, form.plan(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The task is saved.") if changed else gettext("Nothing was changed."), "success")
            return redirect(url_for(".need", need_id=task.need_id))
    return render_template("coordinator/needs/task_form.html", form=form, need=task.need, task=task)


@bp.post("/tasks/<id:task_id>/remove")
@staff_required
def remove_task(task_id: int):
    task = db.get_or_404(Task, task_id)
    need_id = task.need_id
    with committing_button(gettext("The task is off the board.")):
        task_service.remove_task(task, by=current_user, now=utcnow())
    return redirect(url_for(".need", need_id=need_id))
