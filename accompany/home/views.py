from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from accompany.clock import utcnow
from accompany.formfields import ActionForm
from accompany.home import bp
from accompany.models import UserStatus
from accompany.services import dashboard
from accompany.services.casework import tasks
from accompany.services.people import accounts, phone_codes
from accompany.services.privacy import access
from accompany.services.scheduling import overview


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    now = utcnow()
    if access.is_staff(current_user):
        return render_template(
            "home/coordinator.html",
            dashboard=dashboard.coordinator_dashboard(now=now, tz_name=current_app.config["ORG_TIMEZONE"],
                                                      verify_days=current_app.config["HEARING_VERIFY_DAYS"]),
            action_form=ActionForm(),
            now=now,
            user_counts=accounts.count_users_by_role_and_status() if access.is_admin(current_user) else None,
        )
    if access.may_use_board(current_user):
        return render_template(
            "home/volunteer.html", overview=overview.volunteer_overview(current_user, now=now),
            open_tasks=tasks.open_tasks(current_user, now=now), my_tasks=tasks.my_tasks(current_user),
        )
    if current_user.status == UserStatus.PENDING:
        return render_template("home/pending.html", phone_check=phone_codes.pending_phone_check(current_user))
    return render_template("home/welcome.html")
