"""Form pieces shared by several blueprints."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Request, request
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_catalog
from markupsafe import escape
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from accompany.database import MAX_RECORD_ID
from accompany.i18n import N_, _l, gettext, translations
from accompany.phones import InvalidPhone, normalize_phone
from accompany.services.inputs import without_control_characters
from accompany.services.people.passwords import MIN_LENGTH


def plain_values(data):
    """Form or query-string data with control characters taken out of every text (files as sent)."""
    if data is None or not hasattr(data, "items"):
        return data
    return ImmutableMultiDict(
        (without_control_characters(key), without_control_characters(value) if isinstance(value, str) else value)
        for key, value in data.items(multi=True)
    )


# What WTForms itself may say to someone (a field that cannot read what was typed, a validator
# given no words of ours), marked for the pages' catalogs: WTForms' own catalogs have no Kreyòl.
# tests/test_form_messages.py sends every form back wrong in Kreyòl and finds none of its English.
WTFORMS_WORDS = (
    N_("This field is required."), N_("Not a valid choice."), N_("Invalid Choice: could not coerce."),
    N_("Not a valid date value."), N_("Not a valid time value."), N_("Not a valid datetime value."),
    N_("Not a valid integer value."), N_("Not a valid decimal value."), N_("Not a valid float value."),
    N_("Invalid input."), N_("Number must be at least %(min)s."), N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
)


class FormWords:
    """WTForms' translations: the pages' catalog first (WTFORMS_WORDS), then WTForms' own. Untouched
    by %-formatting: WTForms puts its values in itself."""

    def gettext(self, string: str) -> str:
        found = translations().ugettext(string)
        return found if found != string else wtforms_catalog.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = translations().ungettext(singular, plural, n)
        return found if found not in (singular, plural) else wtforms_catalog.ngettext(singular, plural, n)


FORM_WORDS = FormWords()
# For a hidden field that came back with a value no page of ours put there.
CHANGED_ON_THE_WAY = _l("This form came back changed. Open the page again and send it from there.")


class InputForm(FlaskForm):
    """The base of every form here: what was posted (or, for a search, put in the query string)
    reaches every field, nested forms' too, without control characters. A NUL typed into a name
    would otherwise reach PostgreSQL, which refuses it with an error (a 500). What WTForms says
    itself is in the page's language (FormWords)."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            return plain_values(super().wrap_formdata(form, formdata))

        def get_translations(self, form):
            return FORM_WORDS


class InputRequest(Request):
    """Flask's request whose query-string values (`request.args`) have no control characters, by
    the same filter as InputForm. A POSTed body is left as sent (a webhook's signature covers it);
    forms clean theirs."""

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return plain_values(super().args)


def init_input_request(app) -> None:
    app.request_class = InputRequest


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (big tap targets on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        allowed = {choice.value for choice in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("Choose only from the options listed."))


def record_id(raw: str) -> int:
    """A record id from a query string (`type=record_id`): a ValueError (so no id at all) for
    anything but a whole number from 1 to MAX_RECORD_ID (as the `<id:…>` URL converter takes)."""
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > len(str(MAX_RECORD_ID)) or not 0 < int(text) <= MAX_RECORD_ID:
        raise ValueError("not a record id")
    return int(text)


def record_number(form, field) -> None:
    """A WTForms validator for a hidden field holding the id of a record the page showed: a whole
    number from 1 to MAX_RECORD_ID, as `record_id` takes (a longer one would overflow the
    database's integer when compared there)."""
    try:
        record_id(field.data)
    except ValueError:
        raise ValidationError(CHANGED_ON_THE_WAY) from None


def search_args(form: FlaskForm) -> dict[str, str]:
    """The query-string values of a GET search form's own fields, for links that keep the search
    (a list's other pages). Nothing else from the query string: url_for would take `_external`,
    `_scheme` or `endpoint` there as its own options."""
    return {field.name: request.args[field.name] for field in form if request.args.get(field.name)}


class SmallIntegerField(IntegerField):
    """A whole number a person types (slots, an id): digits beyond any sensible size are refused
    in plain words before WTForms turns them into an int too big to compare with a float."""

    MAX_DIGITS = 9

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip().lstrip("+-")) > self.MAX_DIGITS:
            self.data = None
            raise ValueError(gettext("That number is too large."))
        try:
            super().process_formdata(valuelist)
        except ValueError:  # WTForms' own words, which have no Kreyòl catalog
            raise ValueError(gettext("Enter a whole number, like 2.")) from None


class PlainSelectField(SelectField):
    """A select whose wrong value gets a message a person understands."""

    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(gettext("Choose one of the options listed."))


class PlainDateField(DateField):
    """A date whose wrong value says what a right one looks like."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date like %(example)s.", example="2026-11-21")) from None


class LazyLabel(LazyString):
    """A label looked up in the page's language when shown, and HTML-escaped there as a str is
    (flask_babel's LazyString puts itself in a page as it is: "K'iche'" stayed unescaped)."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def enum_choices(enum_cls, only=None) -> list[SelectChoice]:
    """Select options for a LabelledEnum (optionally just some members), labelled in the page's
    language when shown."""
    return [SelectChoice(member.value, LazyLabel(gettext, member.label)) for member in (only or enum_cls)]


def at_most(limit: int, what: str | None = None) -> Length:
    """A WTForms validator: no more than `limit` characters, saying "Keep `what` under `limit` characters."
    (`what` translated by the caller: `_l("your name")`)."""
    return Length(max=limit, message=_l("Keep %(what)s under %(limit)s characters.", what=what or _l("this"),
                                        limit=limit))


def phone_number(form, field) -> None:
    """A WTForms validator: the field holds a textable phone number (or is empty)."""
    if field.data and field.data.strip():
        try:
            normalize_phone(field.data)
        except InvalidPhone as error:
            raise ValidationError(gettext(str(error))) from None


def email_field(label: str | None = None) -> StringField:
    return StringField(
        label or _l("Email"),
        validators=[
            InputRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("That email address is too long.")),
            Email(_l("That does not look like an email address."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


def texted_code_field() -> StringField:
    """The box for a code we texted (a new number's, a password reset's)."""
    return StringField(
        _l("Code from the text"),
        validators=[InputRequired(_l("Type the code from the text we sent.")),
                    Length(max=20, message=_l("That code is too long."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


def new_password_fields(label: str | None = None) -> tuple[PasswordField, PasswordField]:
    """A new password and its confirmation."""
    password = PasswordField(
        label or _l("Password"),
        validators=[
            InputRequired(_l("Choose a password.")),
            Length(min=MIN_LENGTH, max=200, message=_l("Use at least %(num)s characters.", num=MIN_LENGTH)),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Type it again"),
        validators=[InputRequired(_l("Type the password again.")), EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class ActionForm(InputForm):
    """A button that changes something: nothing to fill in but the CSRF token."""


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


def form_key_field() -> HiddenField:
    """A fresh one-time key on each page the form is shown on (see SentOnce)."""
    return HiddenField(default=new_form_key, validators=[
        Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$", message=_l("Reload the page and fill the form in again.")),
    ])


class SentOnce:
    """A form that creates something (a family, a shift, a reply, an invitation): each page it is
    shown on carries a fresh one-time key, and `accompany.committing` saves the key with the change,
    so the same filled-in form sent twice saves once. (A key a form lacks, from a page opened before
    this existed, simply is not checked.)"""

    form_key = form_key_field()


def safe_next_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def form_problems(form) -> list[tuple[str | None, str, str]]:
    """Every problem in a submitted `form`, in the order its fields come: (id of the field to focus,
    or None for a problem of the whole form, the field's label, the message). The error summary at
    the top of a form (templates/_forms.html) links each to its field."""
    problems: list[tuple[str | None, str, str]] = [(None, "", str(error)) for error in getattr(form, "form_errors", [])]
    for field in form:
        problems.extend(_field_problems(field))
    return problems


def _field_problems(field) -> list[tuple[str | None, str, str]]:
    if field.type == "FormField":
        return form_problems(field.form)
    if field.type == "FieldList":
        return [problem for entry in field.entries for problem in _field_problems(entry)]
    if not field.errors or not isinstance(field.errors, (list, tuple)):
        return []
    target = field.id
    if field.type in ("MultiCheckboxField", "RadioField"):
        target = next((option.id for option in field), field.id)  # a group: its first choice
    return [(target, str(field.label.text), str(error)) for error in field.errors]
