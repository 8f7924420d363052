"""Casework tasks on a volunteer's phone: taking one from the board, my tasks, a held task's
page (the family's first name and what they need, only while it is held: access.may_see_held_task),
giving it back, and marking it done with a short report."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import InputRequired

from accompany.clock import utcnow
from accompany.committing import committing, require_valid, shown
from accompany.database import db
from accompany.formfields import ActionForm, InputForm, at_most
from accompany.guards import signed_in, volunteer_required
from accompany.i18n import _l, gettext
from accompany.models import Task
from accompany.services.casework import tasks as task_service
from accompany.services.privacy import access
from accompany.volunteer import bp


class DoneForm(InputForm):
    """A volunteer's short report on a task they did."""

    report = TextAreaField(_l("What you did"), validators=[
        InputRequired(_l("Say in a few words what you did.")), at_most(task_service.REPORT_MAX, _l("the report"))],
        render_kw={"rows": 4})


@bp.post("/tasks/<id:task_id>/take")
@volunteer_required
def take_task(task_id: int):
    task = db.get_or_404(Task, task_id)
    require_valid(ActionForm())
    with committing(show_error=False) as taken:
        task_service.take_task(task, signed_in(), now=utcnow())
    if not taken:
        flash(gettext("%(problem)s Thank you for trying!", problem=shown(taken.error)), "warning")
        return redirect(url_for(".board_page", _anchor="tasks"))
    flash(gettext("It's yours. Thank you! The details are below."), "success")
    return redirect(url_for(".held_task", task_id=task_id))


@bp.get("/my/tasks")
@volunteer_required
def my_tasks_page():
    return render_template("volunteer/my_tasks.html", tasks=task_service.my_tasks(signed_in()), now=utcnow())


def _held_or_404(task_id: int):
    """The volunteer's own hold on the task, while they may still see it; else a 404."""
    taker = task_service.held_taker(current_user, task_id)
    if taker is None or not access.may_see_held_task(current_user, taker, now=utcnow()):
        abort(404)
    return taker


@bp.get("/my/tasks/<id:task_id>")
@volunteer_required
def held_task(task_id: int):
    taker = _held_or_404(task_id)
    return render_template("volunteer/held_task.html", taker=taker, task=taker.task, need=taker.task.need,
                           action_form=ActionForm())


@bp.post("/my/tasks/<id:task_id>/give-back")
@volunteer_required
def give_back_task(task_id: int):
    taker = _held_or_404(task_id)
    require_valid(ActionForm())
    with committing() as given_back:
        late = task_service.give_back(taker, now=utcnow(), by=current_user)
    if not given_back:
        return redirect(url_for(".my_tasks_page"))
    if late:
        flash(gettext("Given back. It is close to its due date, so the coordinator was told right away."), "info")
    else:
        flash(gettext("Given back. Thank you for letting us know in time."), "info")
    return redirect(url_for(".my_tasks_page"))


@bp.route("/my/tasks/<id:task_id>/done", methods=["GET", "POST"])
@volunteer_required
def task_done(task_id: int):
    taker = _held_or_404(task_id)
    if taker.done_at is not None:
        flash(shown(task_service.AlreadyDone()), "info")
        return redirect(url_for(".held_task", task_id=task_id))
    form = DoneForm()
    if form.validate_on_submit():
        with committing(form, field="report") as done:
            task_service.mark_done(taker, form.report.data, now=utcnow())
        if done:
            flash(gettext("Thank you! Your report is with the coordinator."), "success")
            return redirect(url_for(".my_tasks_page"))
    return render_template("volunteer/task_done.html", form=form, task=taker.task)
