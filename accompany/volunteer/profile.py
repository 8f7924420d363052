"""The volunteer's own profile, for approved volunteers and those still waiting (DESIGN §3), and
deleting their own account."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from accompany.clock import utcnow
from accompany.committing import committing
from accompany.guards import profile_owner_required
from accompany.i18n import gettext
from accompany.services.messaging import audience
from accompany.services.people import phone_codes
from accompany.services.people import profile as profile_service
from accompany.services.privacy import account_deletion
from accompany.volunteer import bp
from accompany.volunteer.profile_forms import DeleteAccountForm, ProfileForm


def _page(user, form: ProfileForm, delete_form: DeleteAccountForm):
    return render_template(
        "volunteer/profile.html",
        form=form,
        delete_form=delete_form,
        user=user,
        # Only the confirmed number's STOP is shown: a number typed in says nothing until it is theirs.
        texts_stopped=bool(user.phone_hash) and audience.is_opted_out(user.phone_hash),
        phone_check=phone_codes.pending_phone_check(user),
        held_shifts=len(profile_service.upcoming_claims(user, now=utcnow())),
    )


@bp.route("/my/profile", methods=["GET", "POST"])
@profile_owner_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm() if request.method == "POST" else ProfileForm(data=asdict(profile_service.details_of(user)))
    if form.validate_on_submit():
        with committing(form, field="name") as saved:
            changed = profile_service.update_profile(user, form.details(), now=utcnow())
        if saved:
            flash(gettext("Your profile is saved.") if changed else gettext("Nothing changed."), "success")
            if "new_phone" in changed:
                flash(gettext("We texted a code to your new number. Type it below to start using that number; "
                              "until then we keep the one you had."), "info")
            return redirect(url_for(".profile"))
    return _page(user, form, DeleteAccountForm(formdata=None))


@bp.post("/my/profile/delete")
@profile_owner_required
def delete_account():
    """Delete the volunteer's own account (password required), then log them out."""
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        with committing(form, field="delete_password") as deleted:
            account_deletion.delete_volunteer_account(user, form.delete_password.data, now=utcnow())
        if deleted:
            logout_user()
            session.clear()
            flash(gettext("Your account is deleted and you are logged out. Thank you for everything you "
                          "did with us."), "info")
            return redirect(url_for("auth.login"))
    profile_form = ProfileForm(formdata=None, data=asdict(profile_service.details_of(user)))
    return _page(user, profile_form, form)
