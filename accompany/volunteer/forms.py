"""Forms for the board's filters, reporting back after a shift, and resetting the calendar link."""

from __future__ import annotations

from wtforms import BooleanField, DecimalField, HiddenField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from accompany.formfields import (
    ActionForm,
    InputForm,
    MultiCheckboxField,
    PlainDateField,
    PlainSelectField,
    enum_choices,
)
from accompany.models import Outcome, ShiftRole


class BoardFilterForm(InputForm):
    """The board's filters: a GET form that changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    role = MultiCheckboxField("Role", choices=enum_choices(ShiftRole))
    first_day = PlainDateField("From", validators=[Optional()])
    last_day = PlainDateField("To", validators=[Optional()])
    place = PlainSelectField("Place", default="")
    mine = BooleanField("Only shifts in languages I speak")
    all = BooleanField("Also show shifts I can't take")

    def set_places(self, places: list[tuple[int, str]]) -> None:
        """`places`: (id, name) pairs."""
        self.place.choices = [SelectChoice("", "Anywhere"), *(SelectChoice(str(id_), name) for id_, name in places)]


class ReportForm(InputForm):
    outcome = PlainSelectField("What happened", choices=enum_choices(Outcome))
    next_date = PlainDateField("Next date, if you know it", validators=[Optional()])
    hours = DecimalField(
        "Hours you gave (including travel)",
        places=2,
        validators=[Optional(), NumberRange(0, 24, "Hours must be between 0 and 24.")],
        render_kw={"inputmode": "decimal", "step": "0.25"},
    )
    notes = TextAreaField(
        "Notes for the coordinator",
        validators=[Length(max=2000, message="Keep notes under 2,000 characters.")],
        render_kw={"rows": 4},
    )


class ResetCalendarForm(ActionForm):
    """The reset button, saying which link it resets (`calendar.link_mark`), so a double tap resets once."""

    seen = HiddenField()
