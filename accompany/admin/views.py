from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_login import current_user

from accompany.admin import bp
from accompany.admin.forms import InvitationForm
from accompany.database import db, utcnow
from accompany.guards import admin_required
from accompany.models import Role
from accompany.services import accounts
from accompany.services.errors import DomainError


@bp.route("/invitations", methods=["GET", "POST"])
@admin_required
def invitations():
    form = InvitationForm()
    new_link = None
    if form.validate_on_submit():
        try:
            invitation, token = accounts.invite_user(
                form.email.data,
                Role(form.role.data),
                by=current_user,
                now=utcnow(),
                valid_for=timedelta(days=current_app.config["INVITATION_DAYS"]),
            )
        except DomainError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            new_link = token
            form = InvitationForm(formdata=None)
    return render_template(
        "admin/invitations.html",
        form=form,
        new_token=new_link,
        invitations=accounts.recent_invitations(),
    )
