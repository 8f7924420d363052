"""The detention case's forms (report, where held, another number, close, a checklist step's tick), the
checklist template's and the on-call rota's."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional

from accompany.formfields import (
    ActionForm,
    InputForm,
    PlainDateField,
    PlainSelectField,
    SentOnce,
    SmallIntegerField,
    at_most,
    enum_choices,
    phone_number,
)
from accompany.i18n import _l
from accompany.models import ChecklistStep, DetentionOutcome, NeedKind, RotaSpan
from accompany.services.detention import checklist
from accompany.services.detention.cases import NOTE_MAX

NOTE_HINT = _l("No A-number or other identifier: locating the person happens outside the app.")


def note_field(label) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), at_most(NOTE_MAX, _l("the note"))],
                         render_kw={"maxlength": NOTE_MAX, "rows": 2, "autocomplete": "off"})


class DetentionReportForm(InputForm):
    """One tap: a short note is optional (sealed at rest)."""

    note = note_field(_l("A short note (optional)"))


class WhereHeldForm(InputForm):
    location_id = PlainSelectField(_l("Detention center"), default="")
    held_note = note_field(_l("Or where, in words"))

    def set_places(self, locations) -> None:
        self.location_id.choices = [SelectChoice("", _l("Not known / not listed"))] + [
            SelectChoice(str(place.id), place.name) for place in locations]


class SwitchNumberForm(InputForm):
    phone = StringField(_l("Another number to text the family at"),
                        validators=[InputRequired(_l("Type the new number.")), at_most(40, _l("the number")), phone_number],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})


class CloseCaseForm(InputForm):
    outcome = PlainSelectField(_l("Outcome"), choices=enum_choices(DetentionOutcome))
    note = note_field(_l("Note (optional)"))


class CaseButtonForm(ActionForm):
    """A button on the case page (acknowledge, resume, cancel texts)."""


class OnCallTurnForm(InputForm):
    user_id = PlainSelectField(_l("Who"))
    starts_on = PlainDateField(_l("From"), validators=[InputRequired(_l("Choose the first day."))])
    span = PlainSelectField(_l("For"), choices=enum_choices(RotaSpan), default=RotaSpan.WEEK.value)
    position = SmallIntegerField(_l("Order that day (1 is called first)"), default=1,
                                 validators=[InputRequired(_l("Say who is called first: 1, 2, ...")),
                                             NumberRange(1, 9, _l("Choose a number from 1 to 9."))],
                                 render_kw={"min": 1, "max": 9, "inputmode": "numeric"})

    def set_people(self, people) -> None:
        self.user_id.choices = [SelectChoice(str(person.id), person.name) for person in people]


class ChecklistStepForm(InputForm):
    """A step of the checklist every new case copies: the network's words, never a family's."""

    title = StringField(_l("What to do"), validators=[InputRequired(_l(checklist.TitleMissing.message)),
                                                      at_most(checklist.TITLE_MAX, _l("the step"))],
                        render_kw={"maxlength": checklist.TITLE_MAX, "autocomplete": "off"})
    need_kind = PlainSelectField(_l("Makes a casework need"), default="",
                                 choices=[SelectChoice("", _l("No need")), *enum_choices(NeedKind)])
    plans_visit = BooleanField(_l("Offers to plan a detention visit at the facility"))
    due_days = SmallIntegerField(_l("Due this many days after the case opens (0: the same day)"), default=0,
                                 validators=[InputRequired(_l("Give the days as a number: 0 for the same day.")),
                                             NumberRange(0, checklist.DUE_DAYS_MAX,
                                                         _l(checklist.DueDaysOutOfRange.message,
                                                            most=checklist.DUE_DAYS_MAX))],
                                 render_kw={"min": 0, "max": checklist.DUE_DAYS_MAX, "inputmode": "numeric"})
    position = SmallIntegerField(_l("Order (1 is first)"), default=1,
                                 validators=[InputRequired(_l("Give the order as a number: 1 is first.")),
                                             NumberRange(1, checklist.POSITION_MAX,
                                                         _l(checklist.PositionOutOfRange.message,
                                                            most=checklist.POSITION_MAX))],
                                 render_kw={"min": 1, "max": checklist.POSITION_MAX, "inputmode": "numeric"})

    @classmethod
    def for_step(cls, step: ChecklistStep) -> ChecklistStepForm:
        return cls(formdata=None, title=step.title, need_kind=step.need_kind.value if step.need_kind else "",
                   plans_visit=step.plans_visit, due_days=step.due_days, position=step.position)

    def details(self) -> checklist.StepDetails:
        return checklist.StepDetails(
            title=self.title.data or "", position=self.position.data, due_days=self.due_days.data,
            need_kind=NeedKind(self.need_kind.data) if self.need_kind.data else None,
            plans_visit=bool(self.plans_visit.data),
        )


class NewChecklistStepForm(SentOnce, ChecklistStepForm):
    """Adding a step: the form's one-time key makes a double tap add it once."""


class StepActiveForm(InputForm):
    """Switch a template step on (active=1) or off (active=0): the wanted state is sent, so a
    double tap does not undo itself."""

    active = HiddenField(validators=[AnyOf(["0", "1"], message=_l("Use the button on the checklist page."))])


class TickStepForm(InputForm):
    """Tick a case's step done (done=1) or take the tick back (done=0)."""

    done = HiddenField(validators=[AnyOf(["0", "1"], message=_l("Use the button on the case page."))])
