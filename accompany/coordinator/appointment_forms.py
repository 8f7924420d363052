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
from accompany.models import (
    AppointmentKind,
    AttendanceMode,
    Language,
    Outcome,
    ShiftRole,
    VerifyMethod,
)

NO_LANGUAGE = [SelectChoice("", "No language needed")]


def _date(label: str, required: bool = True) -> DateField:
    checks = [InputRequired(f"Enter the {label.lower()}.")] if required else [Optional()]
    return DateField(label, validators=checks, render_kw={"autocomplete": "off"})


def _time(label: str) -> TimeField:
    return TimeField(label, validators=[InputRequired(f"Enter the {label.lower()}.")])


def _language_choices() -> list:
    return [*NO_LANGUAGE, *enum_choices(Language)]


class ShiftFields(Form):
    """One shift's window, place, slots and requirements (nested in the appointment form)."""

    role = SelectField("Role", choices=enum_choices(ShiftRole))
    day = _date("Day")
    starts = _time("Starts")
    ends = _time("Ends")
    ends_next_day = BooleanField("Ends the next day (after midnight)")
    meeting_point = StringField(
        "Meeting point", validators=[at_most(255, "the meeting point")]
    )
    slots = SmallIntegerField(
        "Volunteers needed",
        default=1,
        validators=[InputRequired("Say how many volunteers are needed."),
                    NumberRange(1, 20, "Between 1 and 20 volunteers.")],
    )
    requires_car = BooleanField("Needs a car")
    language = SelectField("Language needed", choices=_language_choices(), default="")
    requires_training = BooleanField("Needs court-accompaniment training")
    requires_obligor = BooleanField("Needs someone who can be bond obligor")
    notes = StringField("Notes for volunteers", validators=[at_most(500, "notes")])

    def validate_ends(self, field) -> None:
        if self.starts.data and field.data and field.data <= self.starts.data and not self.ends_next_day.data:
            raise ValidationError("The shift must end after it starts. If it ends after midnight, "
                                  "tick \u201cEnds the next day\u201d.")


class ShiftForm(SentOnce, InputForm, ShiftFields):
    """A shift on its own page (adding one later, or editing one)."""


class AppointmentDetailsForm(InputForm):
    """What the appointment is; the family is fixed by the page, the rest is entered here."""

    family_id = SelectField("Family", coerce=int, validate_choice=False)
    location_id = SelectField("Location", coerce=int, validate_choice=False)
    kind = SelectField("Kind", choices=enum_choices(AppointmentKind))
    day = _date("Date")
    time = _time("Time")
    mode = SelectField("How", choices=enum_choices(AttendanceMode), default=AttendanceMode.IN_PERSON.value)
    judge = StringField("Judge (optional)", validators=[at_most(120, "the judge's name")])
    interpreter_language = SelectField("Court interpreter language", choices=[SelectChoice("", "None / not known"), *enum_choices(Language)], default="")
    notes = TextAreaField("Notes", validators=[Length(max=2000, message="Keep notes under 2,000 characters.")])
    verified_on = _date("Date verified with the court on", required=False)
    verified_by = StringField("Verified by", validators=[at_most(120)])

    def validate_verified_by(self, field) -> None:
        who = (field.data or "").strip()  # absent from a bare POST
        if self.verified_on.data and not who:
            raise ValidationError("Say who verified the date.")
        if who and not self.verified_on.data:
            raise ValidationError("Say on which day the date was verified.")


REPEATS = [SelectChoice("", "Does not repeat"), SelectChoice("weeks", "Every few weeks"),
           SelectChoice("monthly", "Every month, same day")]


class NewAppointmentForm(AppointmentDetailsForm):
    """The single form: the appointment, the help it needs, and (after review) each shift. A
    check-in can repeat: each occurrence is then saved as its own appointment."""

    repeat = SelectField("Repeats (check-ins only)", choices=REPEATS, default="")
    every_weeks = SmallIntegerField("Every how many weeks", default=4, validators=[
        Optional(), NumberRange(1, 12, "Between 1 and 12 weeks.")])
    until = _date("Last day it repeats", required=False)
    needs = MultiCheckboxField("Help needed", choices=enum_choices(ShiftRole))
    shifts = FieldList(FormField(ShiftFields), min_entries=0, max_entries=12)
    previous_id = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """A repeat needs its last day, and a number of weeks when it is every few weeks."""
        ok = super().validate(extra_validators)
        if self.repeat.data and self.until.data is None and not self.until.errors:
            self.until.errors.append("Say the last day it repeats.")
            ok = False
        if self.repeat.data == "weeks" and not self.every_weeks.data and not self.every_weeks.errors:
            self.every_weeks.errors.append("Say every how many weeks.")
            ok = False
        return ok


class RescheduleForm(InputForm):
    day = _date("New date")
    time = _time("New time")
    scope = HiddenField()  # for a series: this one, or all that follow (series.Scope)


class CloseForm(InputForm):
    outcome = SelectField("What happened", choices=enum_choices(Outcome))
    notes = TextAreaField("Notes", validators=[Length(max=2000, message="Keep notes under 2,000 characters.")])


class VerifyForm(InputForm):
    """How a hearing's date was checked with the court (who and when are the sender and now)."""

    how = SelectField("How you checked", choices=enum_choices(VerifyMethod), default=VerifyMethod.EOIR_LINE.value)
    note = StringField("Note (what you saw or heard; needed for other)", validators=[at_most(200, "the note")])

