"""A new phone number waiting for its code (services/people/phone_codes.py): typing the code back,
asking for another, or forgetting the number. From the profile, or from the page a volunteer
waiting for approval sees."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, committing_button, require_valid
from accompany.guards import profile_owner_required
from accompany.i18n import gettext
from accompany.phones import format_national
from accompany.services.people import phone_codes
from accompany.services.people import profile as profile_service
from accompany.volunteer import bp
from accompany.volunteer.profile_forms import ConfirmPhoneForm, NewPhoneCodeForm


def _back(place: str | None):
    """Back to the page the form was on (only these two: no open redirect)."""
    return redirect(url_for("home.index") if place == "home" else url_for(".profile"))


@bp.post("/my/profile/phone/confirm")
@profile_owner_required
def confirm_phone():
    form = ConfirmPhoneForm()
    if form.validate_on_submit():
        # A wrong code is counted (a code takes only so many tries), so it is committed too.
        with committing(commit_on_error=True) as confirmed:
            phone = profile_service.confirm_new_phone(current_user._get_current_object(), form.code.data,
                                                      now=utcnow())
        if confirmed:
            flash(gettext("Thank you! Your number is now %(phone)s.", phone=format_national(phone)), "success")
    else:
        problems = [error for errors in form.errors.values() for error in errors]
        flash(problems[0] if problems else gettext("Please try again."), "warning")
    return _back(form.back.data)


@bp.post("/my/profile/phone/new-code")
@profile_owner_required
def new_phone_code():
    form = require_valid(NewPhoneCodeForm())
    with committing() as asked:
        profile_service.text_new_code(current_user._get_current_object(), now=utcnow(), seen=form.seen_code())
    if asked:
        flash(gettext("We texted you a new code. It can take a minute to arrive."), "success")
    return _back(request.args.get("back"))


@bp.post("/my/profile/phone/cancel")
@profile_owner_required
def cancel_phone_change():
    with committing_button(gettext("That number is forgotten; nothing else changed."), "info"):
        phone_codes.cancel_phone_check(current_user._get_current_object(), now=utcnow())
    return _back(request.args.get("back"))
