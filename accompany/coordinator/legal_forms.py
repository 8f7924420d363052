"""Forms for legal referrals: a provider in the directory, a family's referral, and what came of it."""

from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Optional

from accompany.formfields import (
    InputForm,
    MultiCheckboxField,
    PlainDateField,
    PlainSelectField,
    SentOnce,
    at_most,
    enum_choices,
)
from accompany.i18n import _l
from accompany.models import Language, LegalProvider, LegalReferral, LegalService, ReferralStatus
from accompany.services.casework import referrals as referral_service


class ProviderForm(InputForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the provider's name.")),
                                           at_most(referral_service.NAME_MAX, _l("the name"))])
    services = MultiCheckboxField(_l("What they take"), choices=enum_choices(LegalService))
    languages = MultiCheckboxField(_l("Languages"), choices=enum_choices(Language))
    taking_cases = BooleanField(_l("Taking cases now"), default=True)
    phone = StringField(_l("Phone"), validators=[at_most(referral_service.PHONE_MAX, _l("the phone number"))],
                        render_kw={"inputmode": "tel"})
    email = StringField(_l("Email"), validators=[
        Optional(), at_most(referral_service.EMAIL_MAX, _l("the email")),
        Email(_l("That does not look like an email address."), check_deliverability=False),
    ], render_kw={"inputmode": "email"})
    website = StringField(_l("Website"), validators=[at_most(referral_service.WEBSITE_MAX, _l("the website"))],
                          render_kw={"inputmode": "url"})

    @classmethod
    def for_provider(cls, provider: LegalProvider) -> ProviderForm:
        return cls(formdata=None, name=provider.name, services=[s.value for s in provider.service_list],
                   languages=[lang.value for lang in provider.language_list], taking_cases=provider.taking_cases,
                   phone=provider.phone, email=provider.email, website=provider.website)

    def details(self) -> referral_service.ProviderDetails:
        return referral_service.ProviderDetails(
            name=self.name.data or "", languages=tuple(self.languages.data or ()),
            services=tuple(self.services.data or ()), taking_cases=bool(self.taking_cases.data),
            phone=self.phone.data or "", email=self.email.data or "", website=self.website.data or "",
        )


class NewProviderForm(SentOnce, ProviderForm):
    """Adding a provider: the form's one-time key makes a double tap add it once."""


class ReferralForm(SentOnce, InputForm):
    provider_id = PlainSelectField(_l("Provider (only those taking cases)"), default="")
    sent_on = PlainDateField(_l("Sent on"),
                             validators=[InputRequired(_l("Enter the day it was sent, like 2026-11-21."))])
    follow_up_on = PlainDateField(_l("Follow up on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[at_most(referral_service.NOTES_MAX, _l("the notes"))],
                          render_kw={"rows": 4})

    def set_providers(self, providers: list[LegalProvider]) -> None:
        self.provider_id.choices = [SelectChoice("", _l("Choose a provider"))] + [
            SelectChoice(str(provider.id), provider.name) for provider in providers
        ]

    def details(self) -> referral_service.ReferralDetails:
        value = self.provider_id.data or ""
        return referral_service.ReferralDetails(
            provider_id=int(value) if value.isdigit() else None, sent_on=self.sent_on.data,
            follow_up_on=self.follow_up_on.data, notes=self.notes.data or "",
        )


class ReferralUpdateForm(InputForm):
    status = PlainSelectField(_l("Status"), choices=enum_choices(ReferralStatus))
    follow_up_on = PlainDateField(_l("Follow up on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[at_most(referral_service.NOTES_MAX, _l("the notes"))],
                          render_kw={"rows": 4})

    @classmethod
    def for_referral(cls, referral: LegalReferral) -> ReferralUpdateForm:
        return cls(formdata=None, status=referral.status.value, follow_up_on=referral.follow_up_on,
                   notes=referral.notes or "")

    def details(self, referral: LegalReferral) -> referral_service.ReferralDetails:
        return referral_service.ReferralDetails(
            provider_id=referral.provider_id, sent_on=referral.sent_on, status=ReferralStatus(self.status.data),
            follow_up_on=self.follow_up_on.data, notes=self.notes.data or "",
        )
