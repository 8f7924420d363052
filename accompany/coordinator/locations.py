"""Coordinators' location screens: the list of places, a place's page, and its form."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, require_valid
from accompany.coordinator import bp
from accompany.coordinator.location_forms import LocationActiveForm, LocationForm
from accompany.database import db
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import Location
from accompany.services.scheduling import locations as location_service


def _active_form(location: Location) -> LocationActiveForm:
    """The button that flips the place to the other state."""
    return LocationActiveForm(formdata=None, active="0" if location.active else "1")


@bp.get("/locations")
@staff_required
def locations():
    return render_template("coordinator/locations/list.html", locations=location_service.list_locations())


@bp.route("/locations/new", methods=["GET", "POST"])
@staff_required
def new_location():
    org_zone = current_app.config["ORG_TIMEZONE"]
    form = LocationForm(current_zone=org_zone, timezone=org_zone)
    if form.validate_on_submit():
        with committing(form) as saved:
            location = location_service.create_location(form.details(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("%(name)s is saved.", name=location.name), "success")
            return redirect(url_for(".location", location_id=location.id))
    return render_template("coordinator/locations/form.html", form=form, location=None)


@bp.get("/locations/<id:location_id>")
@staff_required
def location(location_id: int):
    location = db.get_or_404(Location, location_id)
    return render_template(
        "coordinator/locations/detail.html", location=location, active_form=_active_form(location)
    )


@bp.route("/locations/<id:location_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_location(location_id: int):
    location = db.get_or_404(Location, location_id)
    if request.method == "GET":
        form = LocationForm.for_location(location)
    else:
        form = LocationForm(current_zone=location.timezone)
    if form.validate_on_submit():
        with committing(form) as saved:
            changed = location_service.update_location(location, form.details(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The place is saved.") if changed else gettext("Nothing was changed."), "success")
            return redirect(url_for(".location", location_id=location.id))
    return render_template("coordinator/locations/form.html", form=form, location=location)


@bp.post("/locations/<id:location_id>/toggle")
@staff_required
def toggle_location(location_id: int):
    location = db.get_or_404(Location, location_id)
    form = require_valid(LocationActiveForm())
    active = form.active.data == "1"
    with committing() as done:
        location_service.set_location_active(location, active, by=current_user, now=utcnow())
    if done and active:
        flash(gettext("The place is active again and offered for new appointments."), "success")
    elif done:
        flash(gettext("The place is deactivated: it is no longer offered for new appointments."), "info")
    return redirect(url_for(".location", location_id=location.id))
