"""The coordinators' shift pages: add a shift to an appointment, change it, remove it; and the
shift form's values both ways, which the new-appointment page shares."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, require_valid
from accompany.coordinator import bp
from accompany.coordinator.appointment_forms import ShiftForm
from accompany.database import db
from accompany.formfields import ActionForm
from accompany.guards import staff_required
from accompany.i18n import gettext, ngettext
from accompany.models import Appointment, Language, Shift, ShiftRole
from accompany.services.scheduling import shifts as shift_service
from accompany.timezones import from_local, to_local


def plan_from_form(fields, tz_name: str) -> shift_service.ShiftPlan:
    """A ShiftPlan from a shift form (local day and times in the location's zone; the end on the
    next day when the form says so)."""
    end_day = fields.day.data + timedelta(days=1) if fields.ends_next_day.data else fields.day.data
    return shift_service.ShiftPlan(
        role=ShiftRole(fields.role.data),
        starts_at=from_local(fields.day.data, fields.starts.data, tz_name),
        ends_at=from_local(end_day, fields.ends.data, tz_name),
        meeting_point=fields.meeting_point.data or "",
        slots=fields.slots.data,
        requires_car=fields.requires_car.data,
        language=Language(fields.language.data) if fields.language.data else None,
        requires_training=fields.requires_training.data,
        requires_obligor=fields.requires_obligor.data,
        notes=fields.notes.data or "",
    )


def shift_form_values(plan: shift_service.ShiftPlan, tz_name: str) -> SimpleNamespace:
    """What a shift form shows for `plan`: a shift that ends after midnight shows its end time and
    "ends the next day" (a form can say no more than that, so a longer one shows the next day's end)."""
    starts, ends = to_local(plan.starts_at, tz_name), to_local(plan.ends_at, tz_name)
    return SimpleNamespace(
        role=plan.role.value, day=starts.date(), starts=starts.time().replace(second=0, microsecond=0),
        ends=ends.time().replace(second=0, microsecond=0), ends_next_day=ends.date() > starts.date(),
        meeting_point=plan.meeting_point, slots=plan.slots, requires_car=plan.requires_car,
        language=plan.language.value if plan.language else "", requires_training=plan.requires_training,
        requires_obligor=plan.requires_obligor, notes=plan.notes,
    )


def _shift_form_page(form: ShiftForm, appointment: Appointment, shift: Shift | None):
    return render_template("coordinator/appointments/shift_form.html", form=form, appointment=appointment, shift=shift)


@bp.route("/appointments/<id:appointment_id>/shifts/new", methods=["GET", "POST"])
@staff_required
def new_shift(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    tz_name = appointment.location.timezone
    form = ShiftForm()
    if request.method == "GET":
        wanted = request.args.get("role", "")
        role = ShiftRole(wanted) if wanted in ShiftRole._value2member_map_ else ShiftRole.COMPANION
        proposal = shift_service.propose_shifts(
            appointment, [role], family_language=appointment.family.language, town=appointment.family.town,
            words=gettext,
        )[0]
        form.process(obj=shift_form_values(proposal, tz_name))
    elif form.validate():
        with committing(form, field="slots") as saved:
            shift_service.add_shift(appointment, plan_from_form(form, tz_name), by=current_user, now=utcnow())
        if saved:
            flash(gettext("Shift added."), "success")
            return redirect(url_for(".appointment", appointment_id=appointment.id))
    return _shift_form_page(form, appointment, None)


@bp.route("/shifts/<id:shift_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_shift(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    appointment = shift.appointment
    tz_name = appointment.location.timezone
    form = ShiftForm()
    if request.method == "GET":
        form.process(obj=shift_form_values(shift_service.plan_of(shift), tz_name))
    elif form.validate():
        with committing(form, field="slots") as saved:
            shift_service.update_shift(shift, plan_from_form(form, tz_name), by=current_user, now=utcnow())
        if saved:
            flash(gettext("Shift updated."), "success")
            return redirect(url_for(".appointment", appointment_id=appointment.id))
    return _shift_form_page(form, appointment, shift)


@bp.post("/shifts/<id:shift_id>/remove")
@staff_required
def remove_shift(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    back = url_for(".appointment", appointment_id=shift.appointment_id)
    require_valid(ActionForm())
    held = len(shift.claims)
    with committing() as done:
        shift_service.remove_shift(shift, by=current_user, now=utcnow())
    if done:
        flash(ngettext("Shift removed. %(num)d volunteer will be told.", "Shift removed. %(num)d volunteers will be told.",
                       held) if held else gettext("Shift removed."), "success")
    return redirect(back)
