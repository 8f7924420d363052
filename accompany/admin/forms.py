from __future__ import annotations

from wtforms import SelectField

from accompany.formfields import InputForm, SentOnce, email_field, enum_choices
from accompany.i18n import _l
from accompany.models import Role


class InvitationForm(SentOnce, InputForm):
    email = email_field(_l("Their email"))
    role = SelectField(
        _l("Role"),
        choices=enum_choices(Role, only=[Role.COORDINATOR, Role.ADMIN]),
        default=Role.COORDINATOR.value,
    )
