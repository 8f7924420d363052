"""The on-call rota (`/coordinator/on-call`): who is called first when someone is detained."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from accompany.clock import utcnow
from accompany.committing import committing, committing_button, require_valid
from accompany.coordinator import bp
from accompany.coordinator.detention_forms import OnCallTurnForm
from accompany.database import db
from accompany.formfields import ActionForm
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import OnCallTurn, RotaSpan, User
from accompany.services.detention import on_call as rota
from accompany.services.messaging.audience import org_today


def _page(form: OnCallTurnForm, status: int = 200):
    now = utcnow()
    today = org_today(now)
    return render_template("coordinator/on_call.html", form=form, turns=rota.turns_from(today),
                           on_call=rota.on_call(now), today=today, candidates=rota.candidates()), status


@bp.get("/on-call")
@staff_required
def on_call():
    form = OnCallTurnForm(formdata=None, data={"starts_on": org_today(utcnow()), "span": RotaSpan.WEEK.value,
                                               "position": 1})
    form.set_people(rota.candidates())
    return _page(form)


@bp.post("/on-call")
@staff_required
def add_on_call_turn():
    form = OnCallTurnForm()
    form.set_people(rota.candidates())
    if form.validate_on_submit():
        person = db.get_or_404(User, int(form.user_id.data))
        with committing(form) as saved:
            rota.add_turn(person, starts_on=form.starts_on.data, span=RotaSpan(form.span.data),
                          position=form.position.data, now=utcnow())
        if saved:
            flash(gettext("Added to the rota."), "success")
            return redirect(url_for(".on_call"))
    return _page(form, 400)


@bp.post("/on-call/<id:turn_id>/remove")
@staff_required
def remove_on_call_turn(turn_id: int):
    turn = db.session.get(OnCallTurn, turn_id)
    if turn is None:  # taken off already (a double tap, another coordinator)
        require_valid(ActionForm())
        flash(gettext("That turn is already off the rota."), "info")
        return redirect(url_for(".on_call"))
    with committing_button(gettext("Taken off the rota.")):
        rota.remove_turn(turn)
    return redirect(url_for(".on_call"))
