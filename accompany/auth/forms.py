from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, Optional

from accompany.formfields import (
    InputForm,
    MultiCheckboxField,
    at_most,
    email_field,
    new_password_fields,
    phone_number,
)
from accompany.i18n import _l, spoken_language_choices


class LoginForm(InputForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


def _name_field() -> StringField:
    return StringField(
        _l("Your name"),
        validators=[InputRequired(_l("Enter your name.")), at_most(120, _l("your name"))],
        render_kw={"autocomplete": "name"},
    )


class SignUpForm(InputForm):
    name = _name_field()
    email = email_field()
    password, confirm = new_password_fields()
    phone = StringField(
        _l("Mobile phone (for shift reminders)"),
        validators=[InputRequired(_l("Enter a mobile number so we can send shift reminders.")), phone_number],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    languages = MultiCheckboxField(
        _l("Languages you speak well"),
        choices=spoken_language_choices(),
        validators=[Optional()],
    )
    has_car = BooleanField(_l("I have a car and can drive people"))
    home_area = StringField(
        _l("Town or neighborhood you live in"),
        validators=[Optional(), at_most(120)],
    )
    sms_opt_in = BooleanField(_l("Send me shift reminders by text message"), default=True)


class ChangePasswordForm(InputForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields(_l("New password"))


class AcceptInvitationForm(InputForm):
    name = _name_field()
    password, confirm = new_password_fields()


class SecondStepForm(InputForm):
    code = StringField(
        _l("Code"),
        validators=[InputRequired(_l("Type the code from your app.")),
                    Length(max=40, message=_l("That code is too long."))],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class EnrollTwoFactorForm(InputForm):
    code = StringField(
        _l("6-digit code from your app"),
        validators=[InputRequired(_l("Type the 6-digit code your app shows.")),
                    Length(max=20, message=_l("That code is too long."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class PasswordCheckForm(InputForm):
    """A change that must come from the person themselves: they type their password again."""

    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
