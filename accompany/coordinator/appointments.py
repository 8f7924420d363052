"""Appointments and their shifts: record, change, reschedule, cancel, close."""

from __future__ import annotations

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from accompany.clock import utcnow
from accompany.committing import committing, committing_button, require_valid
from accompany.coordinator import bp
from accompany.coordinator.appointment_forms import (
    AppointmentDetailsForm,
    CloseForm,
    NewAppointmentForm,
    RescheduleForm,
    VerifyForm,
)
from accompany.coordinator.shifts import plan_from_form, shift_form_values
from accompany.database import db
from accompany.formfields import ActionForm, record_id
from accompany.guards import staff_required
from accompany.i18n import gettext, ngettext
from accompany.models import (
    Appointment,
    AppointmentKind,
    AttendanceMode,
    Family,
    Language,
    Location,
    Outcome,
    ShiftRole,
    VerifyMethod,
)
from accompany.services.casework import letters
from accompany.services.scheduling import appointments as service
from accompany.services.scheduling import locations as location_service
from accompany.services.scheduling import overview as overview_service
from accompany.services.scheduling import series as series_service
from accompany.services.scheduling import shifts as shift_service
from accompany.services.scheduling import verification
from accompany.timezones import from_local, to_local


def _set_choices(form: AppointmentDetailsForm, *, family: Family | None = None,
                 current: Location | None = None) -> None:
    """Open families and active places (plus the appointment's own place, even if retired since)."""
    families = [family] if family is not None else service.open_families()
    form.family_id.choices = [SelectChoice(f.id, f.name) for f in families]
    places = location_service.active_locations()
    if current is not None and current not in places:
        places = [current, *places]
    form.location_id.choices = [SelectChoice(loc.id, f"{loc.name} ({loc.town})") for loc in places]


def _chosen(form: AppointmentDetailsForm) -> tuple[Family | None, Location | None]:
    family = db.session.get(Family, form.family_id.data) if form.family_id.data else None
    location = db.session.get(Location, form.location_id.data) if form.location_id.data else None
    if family is None:
        form.family_id.errors.append(gettext("Choose the family."))
    if location is None:
        form.location_id.errors.append(gettext("Choose where the appointment is."))
    return family, location


def _details(form: AppointmentDetailsForm, family: Family, location: Location) -> service.AppointmentDetails:
    return service.AppointmentDetails(
        family=family,
        location=location,
        kind=AppointmentKind(form.kind.data),
        starts_at=from_local(form.day.data, form.time.data, location.timezone),
        mode=AttendanceMode(form.mode.data),
        judge=form.judge.data or "",
        interpreter_language=Language(form.interpreter_language.data) if form.interpreter_language.data else None,
        notes=form.notes.data or "",
        verified_on=form.verified_on.data,
        verified_by=form.verified_by.data or "",
    )


def _fill_details(form: AppointmentDetailsForm, details: service.AppointmentDetails, *, with_time: bool) -> None:
    form.family_id.data = details.family.id
    form.location_id.data = details.location.id
    form.kind.data = details.kind.value
    form.mode.data = details.mode.value
    form.judge.data = details.judge
    form.interpreter_language.data = details.interpreter_language.value if details.interpreter_language else ""
    form.notes.data = details.notes
    form.verified_on.data, form.verified_by.data = details.verified_on, details.verified_by
    if with_time:
        local = to_local(details.starts_at, details.location.timezone)
        form.day.data, form.time.data = local.date(), local.time()


def _show_proposals(form: NewAppointmentForm, details: service.AppointmentDetails, keep: dict) -> None:
    """Fill the shift part of the form: kept entries for roles still wanted, proposals for new ones."""
    roles = [ShiftRole(value) for value in form.needs.data or []]
    proposals = shift_service.propose_shifts(details, roles, family_language=details.family.language,
                                             town=details.family.town, words=gettext)
    while form.shifts.entries:
        form.shifts.pop_entry()
    for role, plan in zip(roles, proposals, strict=False):
        form.shifts.append_entry(keep.get(role) or shift_form_values(plan, details.location.timezone))


def _prefill(form: NewAppointmentForm) -> None:
    """A kind and a place from the link that led here (a detention case's "Plan a detention
    visit"); anything not among the form's choices is ignored."""
    kind = request.args.get("kind", "")
    if kind in {member.value for member in AppointmentKind}:
        form.kind.data = kind
        if kind == AppointmentKind.DETENTION_VISIT.value:
            form.needs.data = [ShiftRole.VISIT.value]
    location_id = request.args.get("location_id", type=record_id)
    if location_id and location_id in {choice.value for choice in form.location_id.choices}:
        form.location_id.data = location_id


@bp.route("/appointments/new", methods=["GET", "POST"])
@staff_required
def new_appointment():
    form = NewAppointmentForm()
    family = None
    family_id = request.args.get("family_id", type=record_id)
    if family_id:
        family = db.get_or_404(Family, family_id)
    _set_choices(form, family=family)
    previous = None
    if previous_id := request.values.get("previous_id", type=record_id):
        previous = db.get_or_404(Appointment, previous_id)
    if request.method == "GET":
        form.needs.data = [ShiftRole.COMPANION.value]
        if previous is not None:
            _fill_details(form, service.details_of(previous), with_time=False)
            form.previous_id.data = str(previous.id)
        if family is not None:
            form.family_id.data = family.id
        _prefill(form)
        return _render_new(form, family, review=False)

    reviewing = request.form.get("action") == "review"
    if form.validate():
        chosen_family, location = _chosen(form)
        if chosen_family is not None and location is not None:
            details = _details(form, chosen_family, location)
            entry_roles = [ShiftRole(entry.form.role.data) for entry in form.shifts]
            wanted = [ShiftRole(value) for value in form.needs.data or []]
            if reviewing or (form.shifts.entries and sorted(entry_roles) != sorted(wanted)):
                keep = {ShiftRole(e.form.role.data): SimpleNamespace(**e.form.data) for e in form.shifts}
                _show_proposals(form, details, keep)
                if not reviewing:
                    flash(gettext("The help needed changed: check the shifts below, then save."), "warning")
                return _render_new(form, family, review=True)
            if form.shifts.entries:
                plans = [plan_from_form(entry.form, location.timezone) for entry in form.shifts]
            else:
                plans = shift_service.propose_shifts(details, wanted, family_language=chosen_family.language,
                                                     town=chosen_family.town, words=gettext)
            if form.repeat.data:
                with committing(form, field="repeat") as saved:
                    made = series_service.create_series(
                        details, plans, every_weeks=form.every_weeks.data if form.repeat.data == "weeks" else None,
                        until=form.until.data, by=current_user, now=utcnow())
                if saved:
                    flash(ngettext("%(num)d check-in saved, with its shifts and reminders.", "%(num)d check-ins saved, each with its shifts and reminders.", len(made)), "success")
                    return redirect(url_for(".appointment", appointment_id=made[0].id))
                return _render_new(form, family, review=bool(form.shifts.entries))
            with committing(form, field="day") as saved:
                appointment = service.create_appointment(details, plans, by=current_user, now=utcnow(), previous=previous)
            if saved:
                flash(ngettext("Appointment saved with %(num)d shift.", "Appointment saved with %(num)d shifts.", len(plans)), "success")
                return redirect(url_for(".appointment", appointment_id=appointment.id))
    return _render_new(form, family, review=bool(form.shifts.entries))


def _render_new(form, family, *, review: bool):
    return render_template("coordinator/appointments/new.html", form=form, family=family, review=review)


@bp.get("/appointments")
@staff_required
def appointments():
    show = request.args.get("show", "upcoming")
    if show not in ("upcoming", "past", "drafts"):
        show = "upcoming"
    return render_template(
        "coordinator/appointments/list.html",
        appointments=service.list_appointments(show=show, now=utcnow()),
        show=show,
    )


@bp.get("/appointments/<id:appointment_id>")
@staff_required
def appointment(appointment_id: int):
    appointment = service.appointment_with_coverage(appointment_id)
    if appointment is None:
        abort(404)
    local = to_local(appointment.starts_at, appointment.location.timezone)
    reschedule = RescheduleForm(formdata=None, data={"day": local.date(), "time": local.time()})
    return render_template(
        "coordinator/appointments/show.html",
        appointment=appointment,
        action_form=ActionForm(),
        reschedule_form=reschedule,
        close_form=CloseForm(formdata=None),
        verify_form=VerifyForm(formdata=None),
        verify_by=overview_service.verify_by(appointment, days=verification.verify_days()),
        now=utcnow(),
        letter_drive=letters.drive_for(appointment),  # casework: letters of support for a hearing
    )


@bp.route("/appointments/<id:appointment_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_appointment(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    form = AppointmentDetailsForm()
    _set_choices(form, family=appointment.family, current=appointment.location)
    if request.method == "GET":
        _fill_details(form, service.details_of(appointment), with_time=True)
    elif form.validate():
        _, location = _chosen(form)
        if location is not None:
            with committing(form, field="day") as saved:
                service.update_appointment(
                    appointment, _details(form, appointment.family, location), by=current_user, now=utcnow()
                )
            if saved:
                flash(gettext("Appointment updated."), "success")
                return redirect(url_for(".appointment", appointment_id=appointment.id))
    return render_template("coordinator/appointments/edit.html", form=form, appointment=appointment)


def _flash_form_errors(form) -> None:
    """A form posted from the appointment's page goes back there: its problems go as flashes."""
    for errors in form.errors.values():
        for error in errors if isinstance(errors, list) else [errors]:
            flash(str(error), "warning")


def _back_to(appointment: Appointment):
    """Back to the appointment's page, where its buttons are."""
    return redirect(url_for(".appointment", appointment_id=appointment.id))


@bp.post("/appointments/<id:appointment_id>/reschedule")
@staff_required
def reschedule_appointment(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    form = RescheduleForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back_to(appointment)
    scope = _series_scope(appointment, form.scope.data)
    if scope is None:
        return _ask_scope(appointment, "reschedule_appointment", "move", {"day": form.day.raw_data[0],
                                                                           "time": form.time.raw_data[0]})
    with committing() as done:
        starts_at = from_local(form.day.data, form.time.data, appointment.location.timezone)
        moved = series_service.reschedule_in_series(appointment, starts_at, scope, by=current_user, now=utcnow())
    if done:
        flash(ngettext("Rescheduled. The shifts moved too; the families and the volunteers will be told.",
                       "Rescheduled %(num)d check-ins. The shifts moved too; the families and the volunteers will "
                       "be told.", len(moved)), "success")
    return _back_to(appointment)


def _series_scope(appointment: Appointment, raw: str | None) -> series_service.Scope | None:
    """This one only for an appointment outside a series; for one in a series, what the page step
    said (None until it has: ask)."""
    if appointment.series_id is None:
        return series_service.Scope.THIS
    try:
        return series_service.Scope(raw or "")
    except ValueError:
        return None


def _ask_scope(appointment: Appointment, endpoint: str, verb: str, fields: dict):
    """The page step for a change to a check-in of a series: this one, or all that follow."""
    return render_template("coordinator/appointments/series_scope.html", appointment=appointment,
                           action=url_for(f".{endpoint}", appointment_id=appointment.id), verb=verb,
                           fields=fields, action_form=ActionForm(),
                           following=len(series_service.this_and_following(appointment)) - 1)


@bp.post("/appointments/<id:appointment_id>/verify")
@staff_required
def verify_appointment(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    form = VerifyForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back_to(appointment)
    with committing() as done:
        verification.record_verification(appointment, VerifyMethod(form.how.data), note=form.note.data or "",
                                         by=current_user, now=utcnow())
    if done:
        flash(gettext("Recorded: the hearing's date is verified."), "success")
    return _back_to(appointment)


@bp.post("/appointments/<id:appointment_id>/cancel")
@staff_required
def cancel_appointment(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    scope = _series_scope(appointment, request.form.get("scope"))
    if scope is None:
        require_valid(ActionForm())
        return _ask_scope(appointment, "cancel_appointment", "cancel", {})
    with committing_button(gettext("Cancelled. The family and the volunteers will be told.")):
        series_service.end_in_series(appointment, scope, by=current_user, now=utcnow())
    return _back_to(appointment)


@bp.post("/appointments/<id:appointment_id>/close")
@staff_required
def close_appointment(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    form = CloseForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back_to(appointment)
    outcome = Outcome(form.outcome.data)
    with committing() as done:
        prefill = service.close_appointment(appointment, outcome, notes=form.notes.data or "", by=current_user, now=utcnow())
    if not done:
        return _back_to(appointment)
    flash(gettext("Closed as %(outcome)s.", outcome=gettext(outcome.label).lower()), "success")
    if prefill is not None:
        flash(gettext("Now enter the new date for the next appointment."), "info")
        return redirect(url_for(".new_appointment", family_id=appointment.family_id, previous_id=appointment.id))
    return _back_to(appointment)


@bp.post("/appointments/<id:appointment_id>/confirm")
@staff_required
def confirm_draft(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    with committing_button(gettext("Confirmed. The family's reminders are planned.")):
        service.confirm_draft(appointment, by=current_user, now=utcnow())
    return _back_to(appointment)


@bp.post("/appointments/<id:appointment_id>/clear-alert")
@staff_required
def clear_alert(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    with committing_button(gettext("The detention alert is marked as handled.")) as done:
        service.clear_detained_alert(appointment, by=current_user, now=utcnow())
    if not done:
        return _back_to(appointment)
    return redirect(url_for("home.index"))
