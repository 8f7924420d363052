"""View decorators that ask `services.access` and answer 404 when it says no."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from accompany.extensions import login_manager
from accompany.services.privacy import access


def _requires(allowed):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not allowed(current_user):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = _requires(access.is_staff)
admin_required = _requires(access.is_admin)
volunteer_required = _requires(access.may_use_board)
profile_owner_required = _requires(access.has_own_profile)
