"""The volunteer's own profile form, the ones that confirm a new number or ask for a new code for
it, and the one that deletes their account."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Optional

from accompany.formfields import (
    CHANGED_ON_THE_WAY,
    ActionForm,
    InputForm,
    MultiCheckboxField,
    PlainDateField,
    at_most,
    enum_choices,
    phone_number,
    record_number,
    texted_code_field,
)
from accompany.i18n import _l, language_choices
from accompany.models import Language
from accompany.services.people.profile import HOME_AREA_MAX, NAME_MAX, ProfileDetails

# What ticking the box means, in the words the volunteer agrees to. ICE accepts as obligor a
# U.S. citizen or lawful permanent resident with ID and a Social Security number.
OBLIGOR_ATTESTATION = _l(
    "I can be a bond obligor: I am a U.S. citizen or lawful permanent resident (green card "
    "holder) with a valid photo ID and a Social Security number, and I am willing to sign an "
    "immigration bond, which means promising that the person will go to every hearing and "
    "check-in, and getting ICE's letters about them."
)


class ProfileForm(InputForm):
    name = StringField(
        _l("Your name"),
        validators=[
            InputRequired(_l("Enter your name.")),
            at_most(NAME_MAX, _l("your name")),
        ],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        _l("Mobile phone"),
        validators=[Optional(), phone_number],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    sms_opt_in = BooleanField(_l("Send me shift reminders by text message"))
    # The one language of their pages and texts; the picker at the foot of every page sets it too.
    # Not sent (an older page): left as it is; a value we do not have: the service says so.
    preferred_language = SelectField(
        _l("Language for your pages and texts"), validate_choice=False,
        choices=[SelectChoice("", _l("Not chosen yet")), *(SelectChoice(*choice) for choice in language_choices())],
    )
    languages = MultiCheckboxField(
        _l("Languages you speak well"), choices=enum_choices(Language), validators=[Optional()]
    )
    has_car = BooleanField(_l("I have a car and can drive people"))
    court_training_on = PlainDateField(
        _l("Date of your court-accompaniment training"), validators=[Optional()]
    )
    obligor_eligible = BooleanField(OBLIGOR_ATTESTATION)
    home_area = StringField(
        _l("Town or neighborhood you live in"),
        validators=[
            Optional(),
            at_most(HOME_AREA_MAX),
        ],
    )

    def details(self) -> ProfileDetails:
        """The form's values as the service takes them."""
        return ProfileDetails(
            name=self.name.data or "",
            phone=self.phone.data or "",
            languages=list(self.languages.data or []),
            has_car=bool(self.has_car.data),
            court_training_on=self.court_training_on.data,
            obligor_eligible=bool(self.obligor_eligible.data),
            home_area=self.home_area.data or "",
            sms_opt_in=bool(self.sms_opt_in.data),
            preferred_language=self.preferred_language.data,
        )


# Where a phone form was, so its answer comes back there: the profile, or the waiting page.
PHONE_FORM_PLACES = ("profile", "home")


class ConfirmPhoneForm(InputForm):
    """The code we texted to a new number, typed back."""

    code = texted_code_field()
    back = HiddenField(validators=[Optional(), AnyOf(PHONE_FORM_PLACES, CHANGED_ON_THE_WAY)])


class NewPhoneCodeForm(ActionForm):
    """"Text me a new code", saying which waiting code the page showed: pressed twice at once, or
    again after a new code went, it asks for no second one."""

    seen = HiddenField(validators=[Optional(strip_whitespace=False), record_number])  # "  ": refused

    def seen_code(self) -> int | None:
        return int(self.seen.data) if self.seen.data else None


class DeleteAccountForm(InputForm):
    """Deleting one's own account: the password says it is really them, and really meant."""

    delete_password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Enter your password to delete your account."))],
        render_kw={"autocomplete": "current-password"},
    )
