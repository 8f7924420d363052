"""Forms for needs and their tasks, and the needs list's filters."""

from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from accompany.formfields import (
    InputForm,
    PlainDateField,
    PlainSelectField,
    SentOnce,
    SmallIntegerField,
    at_most,
    enum_choices,
    record_id,
)
from accompany.i18n import _l
from accompany.models import Appointment, Language, Need, NeedKind, NeedStatus, User
from accompany.presentation import local_datetime
from accompany.services.casework import needs as need_service
from accompany.services.casework import tasks as task_service


def _id_or_none(value: str) -> int | None:
    try:
        return record_id(value)
    except ValueError:
        return None


class NeedForm(SentOnce, InputForm):
    kind = PlainSelectField(_l("What they need"), choices=enum_choices(NeedKind))
    status = PlainSelectField(_l("Status"), choices=enum_choices(NeedStatus), default=NeedStatus.OPEN.value)
    owner_id = PlainSelectField(_l("Owner"), default="")
    due_on = PlainDateField(_l("Due on"), validators=[Optional()])
    appointment_id = PlainSelectField(_l("Or due before this appointment"), default="")
    days_before = SmallIntegerField(_l("Days before the appointment"), validators=[
        Optional(), NumberRange(0, need_service.DAYS_BEFORE_MAX,
                                _l("Between 0 and %(most)s days.", most=need_service.DAYS_BEFORE_MAX))])
    notes = TextAreaField(_l("Notes"), validators=[at_most(need_service.NOTES_MAX, _l("notes"))], render_kw={"rows": 4})

    def set_choices(self, owners: list[User], appointments: list[Appointment]) -> None:
        self.owner_id.choices = [SelectChoice("", _l("Nobody yet")),
                                 *(SelectChoice(str(user.id), user.name) for user in owners)]
        self.appointment_id.choices = [SelectChoice("", _l("No appointment")), *(
            SelectChoice(str(a.id), local_datetime(a.starts_at, a.location.timezone))  # short: fits a phone
            for a in appointments)]

    def validate_days_before(self, field) -> None:
        if field.data is not None and not self.appointment_id.data:
            raise ValidationError(_l("Choose the appointment to count back from, or leave this empty."))

    @classmethod
    def for_need(cls, need: Need) -> NeedForm:
        return cls(formdata=None, data={
            "kind": need.kind.value, "status": need.status.value,
            "owner_id": str(need.owner_id) if need.owner_id else "",
            "due_on": need.due_on if need.appointment_id is None else None,
            "appointment_id": str(need.appointment_id) if need.appointment_id else "",
            "days_before": need.days_before, "notes": need.notes or "",
        })

    def details(self, owners: list[User], appointments: list[Appointment]) -> need_service.NeedDetails:
        """What the coordinator entered, as the service's input (ids only from the choices shown)."""
        owner_id, appointment_id = _id_or_none(self.owner_id.data), _id_or_none(self.appointment_id.data)
        return need_service.NeedDetails(
            kind=NeedKind(self.kind.data),
            status=NeedStatus(self.status.data),
            owner=next((user for user in owners if user.id == owner_id), None),
            due_on=self.due_on.data,
            appointment=next((a for a in appointments if a.id == appointment_id), None),
            days_before=self.days_before.data,
            notes=self.notes.data or "",
        )


class TaskForm(SentOnce, InputForm):
    title = StringField(_l("What needs doing"), validators=[
        InputRequired(_l("Say in a few words what needs doing.")), at_most(task_service.TITLE_MAX, _l("the title"))])
    details = TextAreaField(_l("Details for the volunteer who takes it"), validators=[
        at_most(task_service.DETAILS_MAX, _l("details"))], render_kw={"rows": 4})
    due_on = PlainDateField(_l("Due on"), validators=[InputRequired(_l("Choose the day it is due."))])
    wanted = SmallIntegerField(_l("Volunteers wanted"), default=1, validators=[
        InputRequired(_l("Say how many volunteers are wanted.")),
        NumberRange(1, task_service.WANTED_MAX,
                    _l("Between 1 and %(most)s volunteers.", most=task_service.WANTED_MAX))])
    language = PlainSelectField(_l("Language needed"), choices=[SelectChoice("", _l("Any")), *enum_choices(Language)],
                                default="")
    requires_car = BooleanField(_l("Needs a car"))
    requires_training = BooleanField(_l("Needs court-accompaniment training"))

    def plan(self) -> task_service.TaskPlan:
        return task_service.TaskPlan(
            title=self.title.data or "", details=self.details.data or "", due_on=self.due_on.data,
            wanted=self.wanted.data, language=Language(self.language.data) if self.language.data else None,
            requires_car=bool(self.requires_car.data), requires_training=bool(self.requires_training.data),
        )


LIVE = "live"
ALL = "all"


class NeedFilterForm(InputForm):
    """The needs list's filters (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    status = PlainSelectField(_l("Status"), default="", choices=[
        SelectChoice("", _l("Open and in progress")), SelectChoice(ALL, _l("Any status")), *enum_choices(NeedStatus)])
    kind = PlainSelectField(_l("Kind"), default="", choices=[SelectChoice("", _l("Any kind")), *enum_choices(NeedKind)])
    owner = PlainSelectField(_l("Owner"), default="")

    def set_owners(self, owners: list[User]) -> None:
        self.owner.choices = [SelectChoice("", _l("Anyone")), *(SelectChoice(str(u.id), u.name) for u in owners)]

    def filters(self) -> need_service.NeedFilters:
        """The filters as the service takes them; a filter with an error is left out."""
        def good(field):
            return field.data if not field.errors else ""

        status, kind = good(self.status) or "", good(self.kind) or ""
        return need_service.NeedFilters(
            status=NeedStatus(status) if status in NeedStatus._value2member_map_ else None,
            kind=NeedKind(kind) if kind else None,
            owner_id=_id_or_none(good(self.owner) or ""),
            live_only=status != ALL,
        )

