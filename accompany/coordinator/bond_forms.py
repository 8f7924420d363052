"""Forms of the bond pages: a new bond, a move, paying it from the fund, its refund."""

from __future__ import annotations

from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from accompany.formfields import InputForm, PlainDateField, PlainSelectField, SentOnce, at_most, enum_choices
from accompany.i18n import _l
from accompany.models import BondPaidHow, BondSetBy, BondStatus, Family, Location, User

NAME_MAX = 120
REF_MAX = 120


def _id_or_none(value):
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


class BondForm(SentOnce, InputForm):
    family_id = PlainSelectField(_l("Family"), coerce=_id_or_none)
    person = StringField(_l("Who is detained (first name and initial)"), validators=[at_most(NAME_MAX, _l("the name"))],
                         render_kw={"autocomplete": "off"})
    amount = StringField(_l("Bond amount"), validators=[InputRequired(_l("Enter the bond amount, like $7,500.00.")),
                                                    at_most(20, _l("the amount"))],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    set_by = PlainSelectField(_l("Set by"), choices=enum_choices(BondSetBy))
    set_on = PlainDateField(_l("Day it was set"), validators=[InputRequired(_l("Enter the day the bond was set."))])
    facility_id = PlainSelectField(_l("Detention center"), coerce=_id_or_none)
    facility_other = StringField(_l("Or, if it is not listed, its name"), validators=[at_most(160, _l("the name"))])
    obligor_id = PlainSelectField(_l("Obligor from the network"), coerce=_id_or_none)
    obligor_name = StringField(_l("Or an obligor outside the network (name)"),
                               validators=[at_most(NAME_MAX, _l("the name"))],
                               render_kw={"autocomplete": "off"})

    def set_choices(self, families: list[Family], facilities: list[Location], obligors: list[User]) -> None:
        self.family_id.choices = [SelectChoice(family.id, family.name) for family in families]
        self.facility_id.choices = [SelectChoice(None, _l("Not listed")),
                                    *(SelectChoice(place.id, place.name) for place in facilities)]
        self.obligor_id.choices = [SelectChoice(None, _l("None, or outside the network")),
                                   *(SelectChoice(user.id, user.name) for user in obligors)]


class BondMoveForm(InputForm):
    to = PlainSelectField(_l("Move to"))
    day = PlainDateField(_l("On"), validators=[InputRequired(_l("Enter the day it happened."))])
    cancellation_ref = StringField(_l("Cancellation form reference (when cancelled)"),
                                   validators=[at_most(REF_MAX, _l("the reference"))], render_kw={"autocomplete": "off"})

    def set_moves(self, moves: tuple[BondStatus, ...]) -> None:
        self.to.choices = enum_choices(BondStatus, only=moves)


class BondPayForm(InputForm):
    day = PlainDateField(_l("Paid on"), validators=[InputRequired(_l("Enter the day it was paid."))])
    paid_how = PlainSelectField(_l("How"), choices=enum_choices(BondPaidHow))
    receipt_ref = StringField(_l("Receipt reference"), validators=[at_most(REF_MAX, _l("the reference"))],
                              render_kw={"autocomplete": "off"})


class BondRefundForm(InputForm):
    day = PlainDateField(_l("Received on"), validators=[InputRequired(_l("Enter the day the refund came in."))])
    amount = StringField(_l("Amount received (empty: the whole bond)"),
                         validators=[Optional(), at_most(20, _l("the amount"))],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})


class BondEditForm(InputForm):
    person = BondForm.person
    obligor_id = BondForm.obligor_id
    obligor_name = BondForm.obligor_name
    receipt_ref = StringField(_l("Receipt reference"), validators=[at_most(REF_MAX, _l("the reference"))],
                              render_kw={"autocomplete": "off"})
    cancellation_ref = StringField(_l("Cancellation form reference"),
                                   validators=[at_most(REF_MAX, _l("the reference"))],
                                   render_kw={"autocomplete": "off"})

    def set_obligors(self, obligors: list[User], current: User | None) -> None:
        listed = obligors if current is None or current in obligors else [current, *obligors]
        self.obligor_id.choices = [SelectChoice(None, _l("None, or outside the network")),
                                   *(SelectChoice(user.id, user.name) for user in listed)]
