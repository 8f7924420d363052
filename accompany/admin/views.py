from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from accompany.admin import bp
from accompany.admin.forms import InvitationForm
from accompany.clock import utcnow
from accompany.committing import committing, committing_button
from accompany.database import db
from accompany.formfields import ActionForm
from accompany.guards import admin_required
from accompany.i18n import gettext
from accompany.models import Role, User
from accompany.services.people import accounts, two_factor


@bp.route("/invitations", methods=["GET", "POST"])
@admin_required
def invitations():
    form = InvitationForm()
    new_link = None
    if form.validate_on_submit():
        with committing(form, field="email") as invited:
            invitation, token = accounts.invite_user(
                form.email.data,
                Role(form.role.data),
                by=current_user,
                now=utcnow(),
                valid_for=timedelta(days=current_app.config["INVITATION_DAYS"]),
            )
        if invited:
            new_link = token
            form = InvitationForm(formdata=None)
    return render_template(
        "admin/invitations.html",
        form=form,
        new_token=new_link,
        invitations=accounts.recent_invitations(),
    )


@bp.get("/accounts", endpoint="accounts")
@admin_required
def accounts_page():
    return render_template(
        "admin/accounts.html", people=accounts.staff_accounts(), action_form=ActionForm()
    )


@bp.post("/accounts/<id:user_id>/reset-two-factor")
@admin_required
def reset_two_factor(user_id: int):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    with committing_button(gettext("Two-step login is reset for %(name)s: they are logged out and set it up "
                                   "again when they next log in.", name=person.name)):
        two_factor.reset(person, by=current_user, now=utcnow())
    return redirect(url_for("admin.accounts"))
