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
from accompany.i18n import _l
from accompany.models import Outcome, ShiftRole

ANYWHERE = _l("Anywhere")


class BoardFilterForm(InputForm):
    """The board's filters: a GET form that changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    role = MultiCheckboxField(_l("Role"), choices=enum_choices(ShiftRole))
    first_day = PlainDateField(_l("From"), validators=[Optional()])
    last_day = PlainDateField(_l("To"), validators=[Optional()])
    place = PlainSelectField(_l("Place"), default="")
    mine = BooleanField(_l("Only shifts in languages I speak"))
    all = BooleanField(_l("Also show shifts I can't take"))

    def set_places(self, places: list[tuple[int, str]]) -> None:
        """`places`: (id, name) pairs."""
        self.place.choices = [SelectChoice("", ANYWHERE), *(SelectChoice(str(id_), name) for id_, name in places)]


class ReportForm(InputForm):
    outcome = PlainSelectField(_l("What happened"), choices=enum_choices(Outcome))
    next_date = PlainDateField(_l("Next date, if you know it"), validators=[Optional()])
    hours = DecimalField(
        _l("Hours you gave (including travel)"),
        places=2,
        validators=[Optional(), NumberRange(0, 24, _l("Hours must be between 0 and 24."))],
        render_kw={"inputmode": "decimal", "step": "0.25"},
    )
    notes = TextAreaField(
        _l("Notes for the coordinator"),
        validators=[Length(max=2000, message=_l("Keep notes under 2,000 characters."))],
        render_kw={"rows": 4},
    )


class ResetCalendarForm(ActionForm):
    """The reset button, saying which link it resets (`calendar.link_mark`), so a double tap resets once."""

    seen = HiddenField()
