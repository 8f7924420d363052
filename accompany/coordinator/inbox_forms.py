"""The inbox's forms: a coordinator's answer to a text, and the buttons that settle a thread.

Each carries `seen`, the newest text the coordinator had on screen: a text that arrives while
they are reading or typing is not marked dealt with by their answer.
"""

from __future__ import annotations

from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from accompany.formfields import ActionForm, InputForm, SentOnce, record_number
from accompany.i18n import _l

# A little over what three text segments hold; the service counts segments exactly.
REPLY_MAX_LENGTH = 480


def seen_field() -> HiddenField:
    # Spaces are no empty value here: they go on to record_number and are refused (int(" ") would be a 500).
    return HiddenField(validators=[Optional(strip_whitespace=False), record_number])


class SeenForm(ActionForm):
    """A button on a thread (dealt with, stop texting), with the newest text shown."""

    seen = seen_field()


class ReplyForm(SentOnce, InputForm):
    seen = seen_field()
    text = TextAreaField(
        _l("Your reply"),
        validators=[
            InputRequired(_l("Write the reply first.")),
            Length(max=REPLY_MAX_LENGTH, message=_l("That is too long for a text: keep it under about 300 letters.")),
        ],
        render_kw={"maxlength": REPLY_MAX_LENGTH, "rows": 3, "autocomplete": "off"},
    )
