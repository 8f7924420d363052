from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, Optional

from accompany.formfields import (
    InputForm,
    MultiCheckboxField,
    at_most,
    email_field,
    enum_choices,
    new_password_fields,
    phone_number,
)
from accompany.models import Language


class LoginForm(InputForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


def _name_field() -> StringField:
    return StringField(
        "Your name",
        validators=[InputRequired("Enter your name."), at_most(120, "your name")],
        render_kw={"autocomplete": "name"},
    )


class SignUpForm(InputForm):
    name = _name_field()
    email = email_field()
    password, confirm = new_password_fields()
    phone = StringField(
        "Mobile phone (for shift reminders)",
        validators=[InputRequired("Enter a mobile number so we can send shift reminders."), phone_number],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    languages = MultiCheckboxField(
        "Languages you speak well",
        choices=enum_choices(Language),
        validators=[Optional()],
    )
    has_car = BooleanField("I have a car and can drive people")
    home_area = StringField(
        "Town or neighborhood you live in",
        validators=[Optional(), at_most(120)],
    )
    sms_opt_in = BooleanField("Send me shift reminders by text message", default=True)


class ChangePasswordForm(InputForm):
    current = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields("New password")


class AcceptInvitationForm(InputForm):
    name = _name_field()
    password, confirm = new_password_fields()


class SecondStepForm(InputForm):
    code = StringField(
        "Code",
        validators=[InputRequired("Type the code from your app."), Length(max=40, message="That code is too long.")],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class EnrollTwoFactorForm(InputForm):
    code = StringField(
        "6-digit code from your app",
        validators=[InputRequired("Type the 6-digit code your app shows."), Length(max=20, message="That code is too long.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class PasswordCheckForm(InputForm):
    """A change that must come from the person themselves: they type their password again."""

    password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
