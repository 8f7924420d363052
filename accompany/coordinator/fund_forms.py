"""Forms of the fund's page: a new ledger line. (Reversing a line is a button: ActionForm.)"""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired

from accompany.formfields import InputForm, PlainDateField, PlainSelectField, SentOnce, at_most, enum_choices
from accompany.i18n import _l
from accompany.models import FundEntryKind
from accompany.services.casework.fund import RECORDED_BY_HAND

NAME_MAX = 120


class FundEntryForm(SentOnce, InputForm):
    kind = PlainSelectField(_l("What is it"), choices=enum_choices(FundEntryKind, only=RECORDED_BY_HAND))
    amount = StringField(_l("Amount"), validators=[InputRequired(_l("Enter the amount, like 250 or $1,000.00.")),
                                               at_most(20, _l("the amount"))],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    day = PlainDateField(_l("Day"), validators=[InputRequired(_l("Enter the day the money moved, like 2026-11-21."))])
    donor = StringField(_l("Donor's name (leave empty for an anonymous gift)"),
                        validators=[at_most(NAME_MAX, _l("the name"))], render_kw={"autocomplete": "off"})
