"""Coordinators' letter-of-support screens: start a drive for a hearing, its page (who was asked,
letters received, progress), its settings, and closing it.

Flash messages never carry a name: they travel in the session cookie.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, committing_button
from accompany.coordinator import bp
from accompany.coordinator.letter_forms import AskForm, DriveForm, LetterForm, NewDriveForm
from accompany.database import db
from accompany.formfields import ActionForm
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import Appointment, LetterDrive
from accompany.services.casework import letters as letter_service
from accompany.services.messaging.audience import org_today


def _drive_or_404(drive_id: int) -> LetterDrive:
    return letter_service.drive_for_page(drive_id) or abort(404)


def _drive_page(drive: LetterDrive, *, ask_form: AskForm | None = None, letter_form: LetterForm | None = None):
    ask_form = ask_form or AskForm(formdata=None)
    ask_form.set_volunteers(letter_service.volunteers_to_ask(drive))
    letter_form = letter_form or LetterForm(formdata=None, received_on=org_today(utcnow()))
    letter_form.set_asks(drive.asks)
    return render_template("coordinator/letters/drive.html", drive=drive, ask_form=ask_form,
                           letter_form=letter_form, action_form=ActionForm())


@bp.route("/appointments/<id:appointment_id>/letter-drive", methods=["GET", "POST"])
@staff_required
def new_letter_drive(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    existing = letter_service.drive_for(appointment)
    if existing is not None and request.method == "GET":
        return redirect(url_for(".letter_drive", drive_id=existing.id))
    if request.method == "GET":
        form = NewDriveForm(formdata=None, target=5, deadline=letter_service.default_deadline(appointment),
                            owner_id=str(current_user.id))
    else:
        form = NewDriveForm()
    form.set_owners(letter_service.staff_choices())
    if form.validate_on_submit():
        with committing(form) as saved:
            drive = letter_service.start_drive(appointment, form.details(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The letter drive is started. Now note who you ask."), "success")
            return redirect(url_for(".letter_drive", drive_id=drive.id))
        if saved.sent_before or existing is not None:
            return redirect(url_for(".appointment", appointment_id=appointment.id))
    return render_template("coordinator/letters/form.html", form=form, appointment=appointment, drive=None)


@bp.get("/letter-drives/<id:drive_id>")
@staff_required
def letter_drive(drive_id: int):
    return _drive_page(_drive_or_404(drive_id))


@bp.route("/letter-drives/<id:drive_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_letter_drive(drive_id: int):
    drive = _drive_or_404(drive_id)
    form = DriveForm.for_drive(drive) if request.method == "GET" else DriveForm()
    form.set_owners(letter_service.staff_choices())
    if form.validate_on_submit():
        with committing(form) as saved:
            changed = letter_service.update_drive(drive, form.details(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The letter drive is saved.") if changed else gettext("Nothing was changed."), "success")
            return redirect(url_for(".letter_drive", drive_id=drive.id))
    return render_template("coordinator/letters/form.html", form=form, appointment=drive.appointment, drive=drive)


@bp.post("/letter-drives/<id:drive_id>/asks")
@staff_required
def ask_for_letter(drive_id: int):
    drive = _drive_or_404(drive_id)
    form = AskForm()
    form.set_volunteers(letter_service.volunteers_to_ask(drive))
    if form.validate_on_submit():
        with committing(form) as saved:
            letter_service.ask_for_letter(
                drive, volunteer_id=int(form.volunteer_id.data) if form.volunteer_id.data else None,
                name=form.name.data or "", relationship=form.relationship.data or "", by=current_user, now=utcnow())
        if saved or saved.sent_before or (saved.error is not None and saved.error.whole_request):
            if saved:
                flash(gettext("Noted. Volunteers get a reminder a week and two days before the deadline; you get "
                              "one about community contacts still to send theirs."), "success")
            return redirect(url_for(".letter_drive", drive_id=drive.id, _anchor="asked"))
    return _drive_page(drive, ask_form=form)


@bp.post("/letter-drives/<id:drive_id>/letters")
@staff_required
def record_letter(drive_id: int):
    drive = _drive_or_404(drive_id)
    form = LetterForm()
    form.set_asks(drive.asks)
    if form.validate_on_submit():
        with committing(form) as saved:
            letter_service.record_letter(drive, **form.values(), by=current_user, now=utcnow())
        if saved or saved.sent_before or (saved.error is not None and saved.error.whole_request):
            if saved:
                flash(gettext("The letter is recorded. Thank you!"), "success")
            return redirect(url_for(".letter_drive", drive_id=drive.id, _anchor="letters"))
    return _drive_page(drive, letter_form=form)


@bp.post("/letter-drives/<id:drive_id>/close")
@staff_required
def close_letter_drive(drive_id: int):
    drive = _drive_or_404(drive_id)
    with committing_button(gettext("The letter drive is closed. No more reminders go.")):
        letter_service.close_drive(drive, by=current_user, now=utcnow())
    return redirect(url_for(".letter_drive", drive_id=drive.id))
