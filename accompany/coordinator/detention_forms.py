"""The detention case's forms (report, where held, another number, close) and the on-call rota's."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from accompany.formfields import (
    ActionForm,
    InputForm,
    PlainDateField,
    PlainSelectField,
    SmallIntegerField,
    at_most,
    enum_choices,
    phone_number,
)
from accompany.models import DetentionOutcome, RotaSpan
from accompany.services.detention.cases import NOTE_MAX

NOTE_HINT = "No A-number or other identifier: locating the person happens outside the app."


def note_field(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), at_most(NOTE_MAX, "the note")],
                         render_kw={"maxlength": NOTE_MAX, "rows": 2, "autocomplete": "off"})


class DetentionReportForm(InputForm):
    """One tap: a short note is optional (sealed at rest)."""

    note = note_field("A short note (optional)")


class WhereHeldForm(InputForm):
    location_id = PlainSelectField("Detention center", default="")
    held_note = note_field("Or where, in words")

    def set_places(self, locations) -> None:
        self.location_id.choices = [SelectChoice("", "Not known / not listed")] + [
            SelectChoice(str(place.id), place.name) for place in locations]


class SwitchNumberForm(InputForm):
    phone = StringField("Another number to text the family at",
                        validators=[InputRequired("Type the new number."), at_most(40, "the number"), phone_number],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})


class CloseCaseForm(InputForm):
    outcome = PlainSelectField("Outcome", choices=enum_choices(DetentionOutcome))
    note = note_field("Note (optional)")


class CaseButtonForm(ActionForm):
    """A button on the case page (acknowledge, resume, cancel texts)."""


class OnCallTurnForm(InputForm):
    user_id = PlainSelectField("Who")
    starts_on = PlainDateField("From", validators=[InputRequired("Choose the first day.")])
    span = PlainSelectField("For", choices=enum_choices(RotaSpan), default=RotaSpan.WEEK.value)
    position = SmallIntegerField("Order that day (1 is called first)", default=1,
                                 validators=[InputRequired("Say who is called first: 1, 2, ..."),
                                             NumberRange(1, 9, "Choose a number from 1 to 9.")],
                                 render_kw={"min": 1, "max": 9, "inputmode": "numeric"})

    def set_people(self, people) -> None:
        self.user_id.choices = [SelectChoice(str(person.id), person.name) for person in people]
