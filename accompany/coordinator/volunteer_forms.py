"""Forms for managing volunteers: the list's filters, assigning to a shift, taking off a shift."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from accompany.formfields import (
    CHANGED_ON_THE_WAY,
    InputForm,
    PlainSelectField,
    SmallIntegerField,
    at_most,
    enum_choices,
    safe_next_url,
)
from accompany.i18n import _l
from accompany.models import Language, UserStatus
from accompany.services.people.volunteers import VolunteerSearch

STATUS_CHOICES = [
    SelectChoice("", _l("Everyone")),
    SelectChoice(UserStatus.PENDING.value, _l("Waiting for approval")),
    SelectChoice(UserStatus.ACTIVE.value, _l("Active")),
    SelectChoice(UserStatus.DISABLED.value, _l("Deactivated")),
]


class VolunteerSearchForm(InputForm):
    """The list's search box and filters (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[at_most(120, _l("the search"))])
    status = PlainSelectField(_l("Status"), choices=STATUS_CHOICES, default="")
    language = PlainSelectField(
        _l("Speaks"), choices=[SelectChoice("", _l("Any language")), *enum_choices(Language)], default=""
    )
    has_car = BooleanField(_l("Has a car"))
    trained = BooleanField(_l("Court-trained"))
    obligor = BooleanField(_l("Can be a bond obligor"))

    def criteria(self) -> VolunteerSearch:
        """The search as the service takes it; a filter with an error is left out."""

        def good(field):
            return field.data if not field.errors else None

        status, language = good(self.status), good(self.language)
        return VolunteerSearch(
            text=(good(self.q) or "").strip(),
            status=UserStatus(status) if status else None,
            language=Language(language) if language else None,
            has_car=bool(self.has_car.data),
            trained=bool(self.trained.data),
            obligor=bool(self.obligor.data),
        )

    def is_filtered(self) -> bool:
        return self.criteria() != VolunteerSearch()


class AssignForm(InputForm):
    """One "Assign" button: which volunteer takes a slot of the shift."""

    volunteer_id = SmallIntegerField(
        _l("Volunteer"),
        validators=[
            InputRequired(_l("Choose a volunteer to assign.")),
            NumberRange(min=1, message=_l("Choose a volunteer to assign.")),
        ],
    )


class ReleaseForm(InputForm):
    """Take a volunteer off a shift; `next` brings the coordinator back to where they pressed it."""

    next = HiddenField()

    def next_url(self) -> str | None:
        return safe_next_url(self.next.data)


class UrgentCallForm(InputForm):
    """The button that texts eligible volunteers (or the next group now), with how many groups the
    page showed texted: pressed twice, the second press finds a group more and texts nobody."""

    rounds = HiddenField(validators=[Optional(), Regexp(r"^\d{1,4}$", message=CHANGED_ON_THE_WAY)])

    def seen_rounds(self) -> int | None:
        return int(self.rounds.data) if self.rounds.data else None
