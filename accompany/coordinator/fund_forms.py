"""Forms of the fund's page: a new ledger line. (Reversing a line is a button: ActionForm.)"""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired

from accompany.formfields import InputForm, PlainDateField, PlainSelectField, SentOnce, at_most, enum_choices
from accompany.models import FundEntryKind
from accompany.services.casework.fund import RECORDED_BY_HAND

NAME_MAX = 120


class FundEntryForm(SentOnce, InputForm):
    kind = PlainSelectField("What is it", choices=enum_choices(FundEntryKind, only=RECORDED_BY_HAND))
    amount = StringField("Amount", validators=[InputRequired("Enter the amount, like 250 or $1,000.00."),
                                               at_most(20, "the amount")],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    day = PlainDateField("Day", validators=[InputRequired("Enter the day the money moved, like 2026-11-21.")])
    donor = StringField("Donor's name (leave empty for an anonymous gift)",
                        validators=[at_most(NAME_MAX, "the name")], render_kw={"autocomplete": "off"})
