"""Coordinators' legal-referral screens: the directory of legal providers (fixed URL
/coordinator/legal-providers) with add and edit, and a family's referrals to them.

Flash messages never carry a family's name: they travel in the session cookie.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing
from accompany.coordinator import bp
from accompany.coordinator.legal_forms import NewProviderForm, ProviderForm, ReferralForm, ReferralUpdateForm
from accompany.database import db
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import Family, LegalProvider, LegalReferral
from accompany.services.casework import referrals as referral_service
from accompany.services.messaging.audience import org_today


@bp.get("/legal-providers")
@staff_required
def legal_providers():
    return render_template("coordinator/legal/providers.html", providers=referral_service.list_providers())


@bp.route("/legal-providers/new", methods=["GET", "POST"])
@staff_required
def new_legal_provider():
    form = NewProviderForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            referral_service.create_provider(form.details(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The provider is saved."), "success")
            return redirect(url_for(".legal_providers"))
        if saved.sent_before:
            return redirect(url_for(".legal_providers"))
    return render_template("coordinator/legal/provider_form.html", form=form, provider=None)


@bp.route("/legal-providers/<id:provider_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_legal_provider(provider_id: int):
    provider = db.get_or_404(LegalProvider, provider_id)
    form = ProviderForm.for_provider(provider) if request.method == "GET" else ProviderForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            changed = referral_service.update_provider(provider, form.details(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The provider is saved.") if changed else gettext("Nothing was changed."), "success")
            return redirect(url_for(".legal_providers", _anchor=f"provider-{provider.id}"))
    return render_template("coordinator/legal/provider_form.html", form=form, provider=provider)


@bp.route("/families/<id:family_id>/referrals/new", methods=["GET", "POST"])
@staff_required
def new_referral(family_id: int):
    family = db.get_or_404(Family, family_id)
    form = ReferralForm() if request.method == "POST" else ReferralForm(formdata=None, sent_on=org_today(utcnow()))
    form.set_providers(referral_service.providers_taking_cases())
    if form.validate_on_submit():
        with committing(form) as saved:
            referral_service.refer_family(family, form.details(), by=current_user, now=utcnow())
        if saved or saved.sent_before or (saved.error is not None and saved.error.whole_request):
            if saved:
                flash(gettext("The referral is recorded."), "success")
            return redirect(url_for(".family", family_id=family.id, _anchor="referrals"))
    return render_template("coordinator/legal/referral_form.html", form=form, family=family, referral=None)


@bp.route("/referrals/<id:referral_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_referral(referral_id: int):
    referral = db.get_or_404(LegalReferral, referral_id)
    form = ReferralUpdateForm.for_referral(referral) if request.method == "GET" else ReferralUpdateForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            changed = referral_service.update_referral(referral, form.details(referral), by=current_user,
                                                       now=utcnow())
        if saved:
            flash(gettext("The referral is saved.") if changed else gettext("Nothing was changed."), "success")
            return redirect(url_for(".family", family_id=referral.family_id, _anchor="referrals"))
    return render_template("coordinator/legal/referral_form.html", form=form, family=referral.family,
                           referral=referral)
