"""The volunteer's own profile, for approved volunteers and those still waiting (DESIGN §3)."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany.database import db, utcnow
from accompany.guards import profile_owner_required
from accompany.services import planning
from accompany.services import profile as profile_service
from accompany.services.errors import DomainError
from accompany.volunteer import bp
from accompany.volunteer.profile_forms import ProfileForm


@bp.route("/my/profile", methods=["GET", "POST"])
@profile_owner_required
def profile():
    user = current_user._get_current_object()
    if request.method == "POST":
        form = ProfileForm()
    else:
        form = ProfileForm(data=asdict(profile_service.details_of(user)))
    if form.validate_on_submit():
        try:
            changed = profile_service.update_profile(user, form.details(), now=utcnow())
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash("Your profile is saved." if changed else "Nothing changed.", "success")
            return redirect(url_for(".profile"))
    return render_template(
        "volunteer/profile.html",
        form=form,
        user=user,
        texts_stopped=bool(user.phone_hash) and planning.is_opted_out(user.phone_hash),
    )
