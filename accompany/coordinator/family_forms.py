"""Forms for families: the record itself and the list's search and filters."""

from __future__ import annotations

from datetime import date, datetime, time

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from accompany import timezones
from accompany.formfields import (
    InputForm,
    PlainDateField,
    PlainSelectField,
    SentOnce,
    at_most,
    enum_choices,
    phone_number,
)
from accompany.i18n import _l
from accompany.models import Family, Language, Wording
from accompany.services.people import families as family_service
from accompany.services.people import family_records


class FamilyForm(SentOnce, InputForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the family's name (first name and initial is enough).")),
            at_most(family_service.NAME_MAX, _l("the name")),
        ],
        render_kw={"autocomplete": "off"},
    )
    phone = StringField(
        _l("Contact phone"),
        validators=[phone_number],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    language = PlainSelectField(_l("Preferred language"), choices=enum_choices(Language))
    town = StringField(
        _l("Town"),
        validators=[at_most(family_service.TOWN_MAX, _l("the town"))],
    )
    sms_consent = BooleanField(_l("The family agreed to get text reminders"))
    consent_given_by = StringField(
        _l("Consent given by"),
        validators=[at_most(family_service.CONSENT_TEXT_MAX)],
    )
    consent_on = PlainDateField(_l("Consent given on"), validators=[Optional()])
    consent_method = StringField(
        _l("How consent was given"),
        validators=[at_most(family_service.CONSENT_TEXT_MAX)],
    )
    # Short words, so a phone shows the choice whole; the field's hint says what each means.
    wording = PlainSelectField(
        _l("Wording of texts"),
        choices=[SelectChoice(Wording.DISCREET.value, _l("Discreet")), SelectChoice(Wording.PLAIN.value, _l("Plain"))],
        default=Wording.DISCREET.value,
    )
    legal_hold = BooleanField(_l("Legal hold: keep this family's record (it is never purged)"))
    notes = TextAreaField(
        _l("Notes"),
        validators=[at_most(family_service.NOTES_MAX, _l("notes"))],
        render_kw={"rows": 4},
    )

    @classmethod
    def for_family(cls, family: Family, tz_name: str) -> FamilyForm:
        """The form filled in with `family` as it is now (consent date in local time)."""
        consent_on = timezones.to_local(family.consent_at, tz_name).date() if family.consent_at else None
        return cls(
            name=family.name,
            phone=family.phone or "",
            language=family.language.value,
            town=family.town,
            sms_consent=family.sms_consent,
            consent_given_by=family.consent_given_by,
            consent_on=consent_on,
            consent_method=family.consent_method,
            wording=family.wording.value,
            legal_hold=family.legal_hold,
            notes=family.notes or "",
        )

    def details(self, *, tz_name: str, previous_consent_at: datetime | None = None) -> family_service.FamilyDetails:
        """What the coordinator entered, as the service's input."""
        return family_service.FamilyDetails(
            name=self.name.data or "",
            phone=self.phone.data or "",
            language=Language(self.language.data),
            town=self.town.data or "",
            notes=self.notes.data or "",
            wording=Wording(self.wording.data),
            sms_consent=bool(self.sms_consent.data),
            consent_given_by=self.consent_given_by.data or "",
            consent_at=consent_moment(self.consent_on.data, tz_name, previous_consent_at),
            consent_method=self.consent_method.data or "",
            legal_hold=bool(self.legal_hold.data),
        )


def consent_moment(day: date | None, tz_name: str, previous: datetime | None) -> datetime | None:
    """The aware moment for a consent date typed in local time.

    The date unchanged keeps the moment already recorded; a new date means the start of that
    local day (so today's date is never "in the future").
    """
    if day is None:
        return None
    if previous is not None and timezones.to_local(previous, tz_name).date() == day:
        return previous
    return timezones.from_local(day, time(0), tz_name)


STATUS_CHOICES = [
    SelectChoice(family_records.OPEN, _l("Open")),
    SelectChoice(family_records.CLOSED, _l("Closed")),
    SelectChoice(family_records.ALL, _l("Open and closed")),
]


CONSENT_CHOICES = [
    SelectChoice("", _l("Either way")),
    SelectChoice("yes", _l("Agreed to texts")),
    SelectChoice("no", _l("No consent yet")),
]


class FamilySearchForm(InputForm):
    """The list's search box and filters (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or phone"), validators=[at_most(120, _l("the search"))])
    language = PlainSelectField(_l("Language"), choices=[SelectChoice("", _l("Any language")), *enum_choices(Language)], default="")
    town = PlainSelectField(_l("Town"), default="")
    status = PlainSelectField(_l("Open or closed"), choices=STATUS_CHOICES, default=family_records.OPEN)
    consent = PlainSelectField(_l("SMS consent"), choices=CONSENT_CHOICES, default="")

    def set_towns(self, towns: list[str]) -> None:
        self.town.choices = [SelectChoice("", _l("Any town")), *(SelectChoice(town, town) for town in towns)]

    def criteria(self) -> family_records.FamilySearch:
        """The search as the service takes it; a filter with an error is left out."""
        def good(field):
            return field.data if not field.errors else None

        language, consent = good(self.language), good(self.consent)
        return family_records.FamilySearch(
            text=(good(self.q) or "").strip(),
            language=Language(language) if language else None,
            town=good(self.town) or "",
            status=good(self.status) or family_records.OPEN,
            sms_consent={"yes": True, "no": False}.get(consent or ""),
        )
