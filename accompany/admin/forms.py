from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from accompany.formfields import SentOnce, email_field, enum_choices
from accompany.models import Role


class InvitationForm(SentOnce, FlaskForm):
    email = email_field("Their email")
    role = SelectField(
        "Role",
        choices=enum_choices(Role, only=[Role.COORDINATOR, Role.ADMIN]),
        default=Role.COORDINATOR.value,
    )
