"""Coordinators' family screens: the searchable list, the family's page, and its form.

Flash messages never carry a family's name: they travel in the session cookie.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user

from accompany import timezones
from accompany.clock import utcnow
from accompany.committing import committing, committing_button
from accompany.coordinator import bp
from accompany.coordinator.family_forms import FamilyForm, FamilySearchForm
from accompany.database import db
from accompany.formfields import ActionForm, search_args
from accompany.guards import staff_required
from accompany.i18n import _l, gettext
from accompany.models import Family
from accompany.pagination import page_of
from accompany.services.casework import bonds as bond_service
from accompany.services.casework import letters, referrals
from accompany.services.casework import needs as need_service
from accompany.services.messaging import audience, keywords
from accompany.services.people import families as family_service
from accompany.services.people import family_records

PER_PAGE = 50


def _tz_name(family: Family | None = None) -> str:
    return (family.timezone if family is not None else "") or current_app.config["ORG_TIMEZONE"]


# What a family's text was read as (services/messaging/keywords.py), in the page's language.
INBOUND_WORDS = {
    keywords.YES: _l("a yes"), keywords.NO: _l("a no"), keywords.RIDE: _l("a ride request"),
    keywords.STOP: _l("STOP"), keywords.START: _l("START"), keywords.HELP: _l("HELP"),
    keywords.STOP_REQUEST: _l("sounds like “stop texting me”"), keywords.OTHER: _l("a message"),
}


@bp.get("/families")
@staff_required
def families():
    form = FamilySearchForm(formdata=request.args)
    form.set_towns(family_records.family_towns())
    form.validate()
    found = family_records.search_families(form.criteria())
    return render_template(
        "coordinator/families/list.html",
        form=form,
        page=page_of(found, request.args.get("page", type=int), per_page=PER_PAGE),
        page_args=search_args(form),
    )


@bp.route("/families/new", methods=["GET", "POST"])
@staff_required
def new_family():
    form = FamilyForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            family = family_service.create_family(
                form.details(tz_name=_tz_name()), by=current_user, now=utcnow()
            )
        if saved:
            flash(gettext("The family is saved."), "success")
            return redirect(url_for(".family", family_id=family.id))
    return render_template("coordinator/families/form.html", form=form, family=None)


@bp.get("/families/<id:family_id>")
@staff_required
def family(family_id: int):
    family = db.get_or_404(Family, family_id)
    with committing():
        family_service.record_family_view(family, by=current_user, now=utcnow())
    consent_day = None
    if family.consent_at is not None:
        local = timezones.to_local(family.consent_at, _tz_name(family)).date()
        consent_day = format_date(local, "medium")  # "Nov 21, 2026", in the page's locale
    return render_template(
        "coordinator/families/detail.html",
        family=family,
        consent_day=consent_day,
        appointments=family_records.family_appointments(family),
        messages=family_records.family_messages(family),
        inbound_words=INBOUND_WORDS,
        texts_stopped=bool(family.phone_hash) and audience.is_opted_out(family.phone_hash),
        form=ActionForm(),
        # Casework: letters of support and legal referrals.
        letter_drives=letters.family_drives(family),
        referrals=referrals.family_referrals(family),
        # casework (issue 14)
        needs=need_service.family_needs(family),
        today=audience.org_today(utcnow()),
        bonds=bond_service.family_bonds(family),  # casework: the bond fund
    )


@bp.route("/families/<id:family_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_family(family_id: int):
    family = db.get_or_404(Family, family_id)
    tz_name = _tz_name(family)
    if request.method == "GET":
        form = FamilyForm.for_family(family, tz_name)
        with committing():
            family_service.record_family_view(family, by=current_user, now=utcnow(), page="edit")
        return render_template("coordinator/families/form.html", form=form, family=family)
    form = FamilyForm()
    if form.validate_on_submit():
        with committing(form) as saved:
            changed = family_service.update_family(
                family,
                form.details(tz_name=tz_name, previous_consent_at=family.consent_at),
                by=current_user,
                now=utcnow(),
            )
        if saved:
            flash(gettext("The family's details are saved.") if changed else gettext("Nothing was changed."), "success")
            return redirect(url_for(".family", family_id=family.id))
    return render_template("coordinator/families/form.html", form=form, family=family)


@bp.post("/families/<id:family_id>/close")
@staff_required
def close_family(family_id: int):
    family = db.get_or_404(Family, family_id)
    with committing_button(gettext("The family is closed. No more texts will go to it.")):
        family_service.close_family(family, by=current_user, now=utcnow())
    return redirect(url_for(".family", family_id=family_id))


@bp.post("/families/<id:family_id>/reopen")
@staff_required
def reopen_family(family_id: int):
    family = db.get_or_404(Family, family_id)
    with committing_button(gettext("The family is open again.")):
        family_service.reopen_family(family, by=current_user, now=utcnow())
    return redirect(url_for(".family", family_id=family_id))
