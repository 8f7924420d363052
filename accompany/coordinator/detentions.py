"""Detention cases: the list (open first), a case's page with its timeline, and what a
coordinator does there (acknowledge, the family's texts, where held, close); reporting one from
a family's or an appointment's page. Flash messages name no family."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, committing_button
from accompany.coordinator import bp
from accompany.coordinator.detention_forms import (
    NOTE_HINT,
    CaseButtonForm,
    CloseCaseForm,
    DetentionReportForm,
    SwitchNumberForm,
    WhereHeldForm,
)
from accompany.database import db
from accompany.guards import staff_required
from accompany.i18n import N_, gettext
from accompany.models import Appointment, DetentionCase, DetentionOutcome, Family, Location, LocationKind
from accompany.services.detention import cases, timeline
from accompany.services.messaging.audience import org_today
from accompany.services.scheduling.locations import active_locations


def _case_or_404(case_id: int) -> DetentionCase:
    return db.get_or_404(DetentionCase, case_id)


def _settled(outcome) -> bool:
    """Saved, or refused about the request as a whole (the case closed meanwhile, a double tap):
    either way the case page says what is so now."""
    return bool(outcome) or (outcome.error is not None and outcome.error.whole_request)


def _detention_centers() -> list[Location]:
    return [place for place in active_locations() if place.kind == LocationKind.DETENTION_CENTER]


@bp.get("/detentions")
@staff_required
def detentions():
    return render_template("coordinator/detentions/list.html", cases=cases.list_cases(), now=utcnow())


@bp.get("/detentions/<id:case_id>")
@staff_required
def detention(case_id: int, *, where_form=None, number_form=None, close_form=None):
    case = _case_or_404(case_id)
    if where_form is None:
        where_form = WhereHeldForm(formdata=None, data={
            "location_id": str(case.held_location_id or ""), "held_note": case.held_note or ""})
    where_form.set_places(_detention_centers())
    return render_template(
        "coordinator/detentions/show.html", case=case, events=timeline.case_timeline(case), now=utcnow(),
        today=org_today(utcnow()),
        button=CaseButtonForm(), where_form=where_form, number_form=number_form or SwitchNumberForm(formdata=None),
        close_form=close_form or CloseCaseForm(formdata=None), note_hint=NOTE_HINT,
    )


def _report(family: Family, appointment: Appointment | None, back: str):
    form = DetentionReportForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors) or gettext("Try again."),
              "warning")
        return redirect(back)
    with committing(form) as saved:
        case, opened = cases.open_case(family, now=utcnow(), by=current_user, appointment=appointment,
                                       note=form.note.data, how=N_("by a coordinator"))
    if not saved:
        return redirect(back)
    flash(gettext("A detention case is open: the person on call is being alerted.") if opened
          else gettext("This family already has an open detention case."), "success" if opened else "info")
    return redirect(url_for(".detention", case_id=case.id))


@bp.post("/families/<id:family_id>/detained")
@staff_required
def report_family_detention(family_id: int):
    family = db.get_or_404(Family, family_id)
    return _report(family, None, url_for(".family", family_id=family.id))


@bp.post("/appointments/<id:appointment_id>/detained")
@staff_required
def report_appointment_detention(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    return _report(appointment.family, appointment, url_for(".appointment", appointment_id=appointment.id))


@bp.post("/detentions/<id:case_id>/acknowledge")
@staff_required
def acknowledge_detention(case_id: int):
    case = _case_or_404(case_id)
    with committing_button(gettext("Acknowledged: the alerts have stopped. The case is yours.")):
        cases.acknowledge(case, by=current_user, now=utcnow())
    return redirect(url_for(".detention", case_id=case_id))


@bp.post("/detentions/<id:case_id>/resume")
@staff_required
def resume_detention_texts(case_id: int):
    case = _case_or_404(case_id)
    with committing_button(gettext("The family's texts go again.")):
        cases.resume_texts(case, by=current_user, now=utcnow())
    return redirect(url_for(".detention", case_id=case_id))


@bp.post("/detentions/<id:case_id>/cancel-texts")
@staff_required
def cancel_detention_texts(case_id: int):
    case = _case_or_404(case_id)
    with committing_button(gettext("Every text waiting for the family is cancelled.")):
        cases.cancel_texts(case, by=current_user, now=utcnow())
    return redirect(url_for(".detention", case_id=case_id))


@bp.post("/detentions/<id:case_id>/number")
@staff_required
def switch_detention_number(case_id: int):
    case = _case_or_404(case_id)
    form = SwitchNumberForm()
    if form.validate_on_submit():
        with committing(form, field="phone") as saved:
            cases.switch_number(case, form.phone.data, by=current_user, now=utcnow())
        if saved:
            flash(gettext("The family's texts go to the new number now."), "success")
        if _settled(saved):
            return redirect(url_for(".detention", case_id=case_id))
    return detention(case_id, number_form=form), 400


@bp.post("/detentions/<id:case_id>/where")
@staff_required
def detention_where_held(case_id: int):
    case = _case_or_404(case_id)
    form = WhereHeldForm()
    form.set_places(_detention_centers())
    if form.validate_on_submit():
        place = db.session.get(Location, int(form.location_id.data)) if form.location_id.data else None
        with committing(form, field="held_note") as saved:
            cases.set_where_held(case, location=place, note=form.held_note.data, by=current_user, now=utcnow())
        if saved:
            flash(gettext("Saved where they are held."), "success")
        if _settled(saved):
            return redirect(url_for(".detention", case_id=case_id))
    return detention(case_id, where_form=form), 400


@bp.post("/detentions/<id:case_id>/close")
@staff_required
def close_detention(case_id: int):
    case = _case_or_404(case_id)
    form = CloseCaseForm()
    if form.validate_on_submit():
        outcome = DetentionOutcome(form.outcome.data)
        with committing(form, field="outcome") as saved:
            cases.close_case(case, outcome, note=form.note.data, by=current_user, now=utcnow())
        if saved:
            resumed = outcome in cases.RESUMES
            flash(gettext("The case is closed. The family's texts go again.") if resumed
                  else gettext("The case is closed. Texts that were waiting for the family are cancelled."), "success")
        if _settled(saved):
            return redirect(url_for(".detention", case_id=case_id))
    return detention(case_id, close_form=form), 400
