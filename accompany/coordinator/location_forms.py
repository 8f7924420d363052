"""Forms for locations: the place itself, and the switch that offers it or not."""

from __future__ import annotations

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional

from accompany.formfields import (
    InputForm,
    MultiCheckboxField,
    PlainSelectField,
    SmallIntegerField,
    at_most,
    enum_choices,
)
from accompany.i18n import _l
from accompany.models import BringItem, Location, LocationKind
from accompany.services.scheduling import locations as location_service
from accompany.timezones import us_zone_choices


class LocationForm(InputForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the place's name.")),
            at_most(location_service.NAME_MAX, _l("the name")),
        ],
    )
    kind = PlainSelectField(_l("Kind of place"), choices=enum_choices(LocationKind))
    address = StringField(
        _l("Street address"),
        validators=[
            InputRequired(_l("Enter the street address (it makes the map link).")),
            at_most(location_service.ADDRESS_MAX, _l("the address")),
        ],
    )
    town = StringField(
        _l("Town"),
        validators=[at_most(location_service.TOWN_MAX, _l("the town"))],
    )
    timezone = PlainSelectField(_l("Time zone"))
    arrival_notes = TextAreaField(
        _l("Arrival notes"),
        validators=[at_most(location_service.NOTES_MAX, _l("the notes"))],
        render_kw={"rows": 5},
    )
    discreet_label = StringField(
        _l("Discreet name for family texts"),
        validators=[at_most(location_service.LABEL_MAX, _l("the discreet name"))],
    )
    arrive_minutes_early = SmallIntegerField(
        _l("Minutes early to arrive"),
        default=location_service.ARRIVE_EARLY_DEFAULT,
        validators=[
            Optional(),
            NumberRange(0, location_service.ARRIVE_EARLY_MAX,
                        _l("Enter a number of minutes from 0 to %(most)s.", most=location_service.ARRIVE_EARLY_MAX)),
        ],
    )
    bring = MultiCheckboxField(_l("What to bring"), choices=enum_choices(BringItem))

    def __init__(self, *args, current_zone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        zones = us_zone_choices()
        if current_zone and current_zone not in zones:
            zones = [current_zone, *zones]  # a place saved with another zone keeps it offered
        self.timezone.choices = [SelectChoice(zone, zone.replace("_", " ")) for zone in zones]

    @classmethod
    def for_location(cls, location: Location) -> LocationForm:
        return cls(
            current_zone=location.timezone,
            name=location.name,
            kind=location.kind.value,
            address=location.address,
            town=location.town,
            timezone=location.timezone,
            arrival_notes=location.arrival_notes,
            discreet_label=location.discreet_label,
            arrive_minutes_early=location.arrive_minutes_early,
            bring=location.bring_items,
        )

    def details(self) -> location_service.LocationDetails:
        return location_service.LocationDetails(
            name=self.name.data or "",
            kind=LocationKind(self.kind.data),
            address=self.address.data or "",
            town=self.town.data or "",
            timezone=self.timezone.data or "",
            arrival_notes=self.arrival_notes.data or "",
            discreet_label=self.discreet_label.data or "",
            arrive_minutes_early=(location_service.ARRIVE_EARLY_DEFAULT if self.arrive_minutes_early.data is None
                                  else self.arrive_minutes_early.data),
            bring=tuple(self.bring.data or ()),
        )


class LocationActiveForm(InputForm):
    """Offer a place for new appointments (active=1) or stop offering it (active=0).

    The wanted state is sent, not "flip it", so a double-tap does not undo itself.
    """

    active = HiddenField(validators=[AnyOf(["0", "1"], message=_l("Use the button on the place's page."))])
