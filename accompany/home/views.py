from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from accompany.clock import utcnow
from accompany.formfields import ActionForm
from accompany.home import bp
from accompany.models import UserStatus
from accompany.services.casework import bonds, referrals, tasks
from accompany.services.detention import cases as detention_cases
from accompany.services.messaging import conversations
from accompany.services.messaging.audience import org_today
from accompany.services.messaging.health import health_report
from accompany.services.people import accounts, phone_codes
from accompany.services.privacy import access
from accompany.services.scheduling import overview
from accompany.timezones import to_local


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    now = utcnow()
    if access.is_staff(current_user):
        context = {
            "overview": overview.coordinator_overview(now=now, tz_name=current_app.config["ORG_TIMEZONE"],
                                                     verify_days=current_app.config["HEARING_VERIFY_DAYS"]),
            "action_form": ActionForm(),
            "health": health_report(now=now),
            "waiting_texts": conversations.waiting_count(),
            # Casework: legal referrals whose follow-up day has come.
            "referral_follow_ups": referrals.follow_ups_due(now=now),
            # Detention response (issue 15): open cases go above everything else.
            "open_detentions": detention_cases.open_cases(),
            "now": now,
            "overview_today": org_today(now),  # casework: which needs are overdue
        }
        # Casework: the bond fund.
        context["bonds"] = bonds.bonds_at_a_glance(today=to_local(now, current_app.config["ORG_TIMEZONE"]).date())
        if access.is_admin(current_user):
            context["user_counts"] = accounts.count_users_by_role_and_status()
        return render_template("home/coordinator.html", **context)
    if access.may_use_board(current_user):
        return render_template(
            "home/volunteer.html", overview=overview.volunteer_overview(current_user, now=now),
            open_tasks=tasks.open_tasks(current_user, now=now), my_tasks=tasks.my_tasks(current_user),
        )
    if current_user.status == UserStatus.PENDING:
        return render_template("home/pending.html", phone_check=phone_codes.pending_phone_check(current_user))
    return render_template("home/welcome.html")
