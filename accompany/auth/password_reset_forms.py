"""The forms of a forgotten password: asking for a code, then typing it with the new password."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired, Length

from accompany.formfields import InputForm, form_key_field, new_password_fields, texted_code_field
from accompany.i18n import _l


class ForgotPasswordForm(InputForm):
    """Asking for a code. Its one-time key is used up by the service (password_reset.send_reset_code)
    before anything else, not by `committing` after it (so this is no SentOnce): the same form sent
    twice texts one code, and both answers carry the token made from the key."""

    account = StringField(
        _l("Your email or mobile number"),
        validators=[InputRequired(_l("Type the email address you log in with, or your mobile number.")),
                    Length(max=254, message=_l("That is too long for an email address or a phone number."))],
        render_kw={"autocomplete": "username", "autocapitalize": "off", "spellcheck": "false"},
    )
    form_key = form_key_field()


class ResetPasswordForm(InputForm):
    code = texted_code_field()
    password, confirm = new_password_fields(_l("New password"))
