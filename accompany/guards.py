"""View decorators that ask `services.access` and answer 404 when it says no (a volunteer still
waiting for approval is told so instead, on their home page)."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from accompany.extensions import login_manager
from accompany.i18n import gettext
from accompany.services.privacy import access


def signed_in():
    """The signed-in User itself, or None: for views to hand to services, which then read its
    attributes directly instead of through `current_user`'s proxy each time (a card's checks read
    them dozens of times per page)."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def _requires(allowed, *, waiting_told: bool = False):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = signed_in()
            if user is None:
                return login_manager.unauthorized()
            if waiting_told and access.is_waiting_for_approval(user):
                flash(gettext("Your sign-up is still waiting for a coordinator's approval. You will see open "
                              "shifts here as soon as it is approved."), "info")
                return redirect(url_for("home.index"))
            if not allowed(user):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = _requires(access.is_staff)
admin_required = _requires(access.is_admin)
volunteer_required = _requires(access.may_use_board, waiting_told=True)
profile_owner_required = _requires(access.has_own_profile)
