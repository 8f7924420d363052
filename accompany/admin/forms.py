from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from accompany.formfields import email_field
from accompany.models import Role


class InvitationForm(FlaskForm):
    email = email_field("Their email")
    role = SelectField(
        "Role",
        choices=[(Role.COORDINATOR.value, Role.COORDINATOR.label), (Role.ADMIN.value, Role.ADMIN.label)],
        default=Role.COORDINATOR.value,
    )
