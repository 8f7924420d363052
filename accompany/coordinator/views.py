from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from accompany.coordinator import bp
from accompany.database import db, utcnow
from accompany.formfields import ActionForm
from accompany.guards import staff_required
from accompany.models import Role, User
from accompany.services import accounts
from accompany.services.errors import NotPending


@bp.get("/volunteers")
@staff_required
def volunteers():
    return render_template(
        "coordinator/volunteers.html", pending=accounts.pending_volunteers(), form=ActionForm()
    )


def _pending_volunteer_or_404(user_id: int) -> User:
    volunteer = db.session.get(User, user_id)
    if volunteer is None or volunteer.role != Role.VOLUNTEER:
        abort(404)
    return volunteer


@bp.post("/volunteers/<int:user_id>/approve")
@staff_required
def approve(user_id: int):
    volunteer = _pending_volunteer_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        accounts.approve_volunteer(volunteer, by=current_user, now=utcnow())
    except NotPending as error:
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(f"{volunteer.name} is approved and can now claim shifts.", "success")
    return redirect(url_for(".volunteers"))


@bp.post("/volunteers/<int:user_id>/decline")
@staff_required
def decline(user_id: int):
    volunteer = _pending_volunteer_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        accounts.decline_volunteer(volunteer, by=current_user, now=utcnow())
    except NotPending as error:
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(f"The sign-up from {volunteer.name} was declined.", "info")
    return redirect(url_for(".volunteers"))
