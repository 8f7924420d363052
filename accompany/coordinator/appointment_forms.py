"""Forms for appointments and their shifts. Times are entered in the location's local time."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from accompany.formfields import InputForm, MultiCheckboxField, SentOnce, SmallIntegerField, at_most, enum_choices
from accompany.i18n import _l
from accompany.models import (
    AppointmentKind,
    AttendanceMode,
    Language,
    Outcome,
    ShiftRole,
    VerifyMethod,
)

NO_LANGUAGE = [SelectChoice("", _l("No language needed"))]


def _date(label, missing=None) -> DateField:
    """A date field; `missing`: the message when it is left empty (None: it may be)."""
    checks = [InputRequired(missing)] if missing is not None else [Optional()]
    return DateField(label, validators=checks, render_kw={"autocomplete": "off"})


def _time(label, missing) -> TimeField:
    return TimeField(label, validators=[InputRequired(missing)])


def _language_choices() -> list:
    return [*NO_LANGUAGE, *enum_choices(Language)]


class ShiftFields(Form):
    """One shift's window, place, slots and requirements (nested in the appointment form)."""

    role = SelectField(_l("Role"), choices=enum_choices(ShiftRole))
    day = _date(_l("Day"), _l("Enter the day."))
    starts = _time(_l("Starts"), _l("Enter the start time."))
    ends = _time(_l("Ends"), _l("Enter the end time."))
    ends_next_day = BooleanField(_l("Ends the next day (after midnight)"))
    meeting_point = StringField(
        _l("Meeting point"), validators=[at_most(255, _l("the meeting point"))]
    )
    slots = SmallIntegerField(
        _l("Volunteers needed"),
        default=1,
        validators=[InputRequired(_l("Say how many volunteers are needed.")),
                    NumberRange(1, 20, _l("Between 1 and 20 volunteers."))],
    )
    requires_car = BooleanField(_l("Needs a car"))
    language = SelectField(_l("Language needed"), choices=_language_choices(), default="")
    requires_training = BooleanField(_l("Needs court-accompaniment training"))
    requires_obligor = BooleanField(_l("Needs someone who can be bond obligor"))
    notes = StringField(_l("Notes for volunteers"), validators=[at_most(500, _l("notes"))])

    def validate_ends(self, field) -> None:
        if self.starts.data and field.data and field.data <= self.starts.data and not self.ends_next_day.data:
            raise ValidationError(_l("The shift must end after it starts. If it ends after midnight, "
                                     "tick \u201cEnds the next day\u201d."))


class ShiftForm(SentOnce, InputForm, ShiftFields):
    """A shift on its own page (adding one later, or editing one)."""


class AppointmentDetailsForm(InputForm):
    """What the appointment is; the family is fixed by the page, the rest is entered here."""

    family_id = SelectField(_l("Family"), coerce=int, validate_choice=False)
    location_id = SelectField(_l("Location"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Kind"), choices=enum_choices(AppointmentKind))
    day = _date(_l("Date"), _l("Enter the date."))
    time = _time(_l("Time"), _l("Enter the time."))
    mode = SelectField(_l("How"), choices=enum_choices(AttendanceMode), default=AttendanceMode.IN_PERSON.value)
    judge = StringField(_l("Judge (optional)"), validators=[at_most(120, _l("the judge's name"))])
    interpreter_language = SelectField(_l("Court interpreter language"), choices=[SelectChoice("", _l("None / not known")), *enum_choices(Language)], default="")
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000, message=_l("Keep notes under 2,000 characters."))])
    verified_on = _date(_l("Date verified with the court on"))
    verified_by = StringField(_l("Verified by"), validators=[at_most(120)])

    def validate_verified_by(self, field) -> None:
        who = (field.data or "").strip()  # absent from a bare POST
        if self.verified_on.data and not who:
            raise ValidationError(_l("Say who verified the date."))
        if who and not self.verified_on.data:
            raise ValidationError(_l("Say on which day the date was verified."))


REPEATS = [SelectChoice("", _l("Does not repeat")), SelectChoice("weeks", _l("Every few weeks")),
           SelectChoice("monthly", _l("Every month, same day"))]


class NewAppointmentForm(AppointmentDetailsForm):
    """The single form: the appointment, the help it needs, and (after review) each shift. A
    check-in can repeat: each occurrence is then saved as its own appointment."""

    repeat = SelectField(_l("Repeats (check-ins only)"), choices=REPEATS, default="")
    every_weeks = SmallIntegerField(_l("Every how many weeks"), default=4, validators=[
        Optional(), NumberRange(1, 12, _l("Between 1 and 12 weeks."))])
    until = _date(_l("Last day it repeats"))
    needs = MultiCheckboxField(_l("Help needed"), choices=enum_choices(ShiftRole))
    shifts = FieldList(FormField(ShiftFields), min_entries=0, max_entries=12)
    previous_id = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """A repeat needs its last day, and a number of weeks when it is every few weeks."""
        ok = super().validate(extra_validators)
        if self.repeat.data and self.until.data is None and not self.until.errors:
            self.until.errors.append(_l("Say the last day it repeats."))
            ok = False
        if self.repeat.data == "weeks" and not self.every_weeks.data and not self.every_weeks.errors:
            self.every_weeks.errors.append(_l("Say every how many weeks."))
            ok = False
        return ok


class RescheduleForm(InputForm):
    day = _date(_l("New date"), _l("Enter the new date."))
    time = _time(_l("New time"), _l("Enter the new time."))
    scope = HiddenField()  # for a series: this one, or all that follow (series.Scope)


class CloseForm(InputForm):
    outcome = SelectField(_l("What happened"), choices=enum_choices(Outcome))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000, message=_l("Keep notes under 2,000 characters."))])


class VerifyForm(InputForm):
    """How a hearing's date was checked with the court (who and when are the sender and now)."""

    how = SelectField(_l("How you checked"), choices=enum_choices(VerifyMethod), default=VerifyMethod.EOIR_LINE.value)
    note = StringField(_l("Note (what you saw or heard; needed for other)"), validators=[at_most(200, _l("the note"))])

