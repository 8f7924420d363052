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


def _decide_sign_up(user_id: int, decide, done_message: str, category: str):
    """Run `decide` (approve or decline) on a pending volunteer, commit, and say what happened."""
    volunteer = db.session.get(User, user_id)
    if volunteer is None or volunteer.role != Role.VOLUNTEER:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        decide(volunteer, by=current_user, now=utcnow())
    except NotPending as error:
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(done_message.format(name=volunteer.name), category)
    return redirect(url_for(".volunteers"))


@bp.post("/volunteers/<int:user_id>/approve")
@staff_required
def approve(user_id: int):
    return _decide_sign_up(
        user_id, accounts.approve_volunteer, "{name} is approved and can now claim shifts.", "success"
    )


@bp.post("/volunteers/<int:user_id>/decline")
@staff_required
def decline(user_id: int):
    return _decide_sign_up(
        user_id, accounts.decline_volunteer, "The sign-up from {name} was declined.", "info"
    )
