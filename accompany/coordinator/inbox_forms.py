"""The inbox's one form: a coordinator's answer to a text."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

# A little over what three text segments hold; the service counts segments exactly.
REPLY_MAX_LENGTH = 480


class ReplyForm(FlaskForm):
    text = TextAreaField(
        "Your reply",
        validators=[
            InputRequired("Write the reply first."),
            Length(max=REPLY_MAX_LENGTH, message="That is too long for a text: keep it under about 300 letters."),
        ],
        render_kw={"maxlength": REPLY_MAX_LENGTH, "rows": 3, "autocomplete": "off"},
    )
