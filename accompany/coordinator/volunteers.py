"""Coordinators' volunteer screens: the list, a volunteer's page, approving and declining sign-ups,
deactivating and reactivating, putting a volunteer on a shift or taking them off it, and texting
eligible volunteers about an urgent shift.

Flash messages name volunteers (staff accounts' own data) but never a family.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, committing_button, require_valid
from accompany.coordinator import bp
from accompany.coordinator.volunteer_forms import (
    AssignForm,
    ReleaseForm,
    UrgentCallForm,
    VolunteerSearchForm,
)
from accompany.database import db
from accompany.formfields import ActionForm, search_args
from accompany.guards import staff_required
from accompany.i18n import _l, gettext, ngettext
from accompany.models import Role, Shift, UrgentAnswer, User
from accompany.services.messaging import urgent_calls
from accompany.services.people import accounts
from accompany.services.people import volunteers as volunteer_service
from accompany.services.scheduling import claims as claim_service

PER_PAGE = 50

# How a volunteer answered an urgent ask, in plain words.
ANSWER_WORDS = {None: _l("no answer yet"), **{answer: _l(answer.label) for answer in UrgentAnswer}}
# Why texting about a shift stopped.
END_WORDS = {
    urgent_calls.FILLED: _l("the shift was filled"),
    urgent_calls.CLOSED: _l("the shift closed (it started, or its appointment was cancelled or closed)"),
}


def _volunteer_or_404(user_id: int) -> User:
    volunteer = volunteer_service.get_volunteer(user_id)
    if volunteer is None:
        abort(404)
    return volunteer


def _shift_or_404(shift_id: int) -> Shift:
    shift = volunteer_service.get_shift(shift_id)
    if shift is None:
        abort(404)
    return shift


def _after_shift_change(shift: Shift) -> str:
    """Where to go after changing who holds `shift`: its appointment's page."""
    return url_for(".appointment", appointment_id=shift.appointment_id)


# -- the list and the sign-ups -------------------------------------------------------------------


@bp.get("/volunteers")
@staff_required
def volunteers():
    form = VolunteerSearchForm(formdata=request.args)
    form.validate()
    return render_template(
        "coordinator/volunteers.html",
        search=form,
        page=volunteer_service.search_volunteers(form.criteria(), page=request.args.get("page", type=int), per_page=PER_PAGE),
        page_args=search_args(form),
        form=ActionForm(),
    )


def _pending_or_404(user_id: int) -> User:
    volunteer = db.session.get(User, user_id)
    if volunteer is None or volunteer.role != Role.VOLUNTEER:
        abort(404)
    return volunteer


@bp.post("/volunteers/<id:user_id>/approve")
@staff_required
def approve(user_id: int):
    volunteer = _pending_or_404(user_id)
    with committing_button(gettext("%(name)s is approved and can now claim shifts.", name=volunteer.name)):
        accounts.approve_volunteer(volunteer, by=current_user, now=utcnow())
    return redirect(url_for(".volunteers"))


@bp.post("/volunteers/<id:user_id>/decline")
@staff_required
def decline(user_id: int):
    volunteer = _pending_or_404(user_id)
    with committing_button(gettext("The sign-up from %(name)s was declined.", name=volunteer.name), "info"):
        accounts.decline_volunteer(volunteer, by=current_user, now=utcnow())
    return redirect(url_for(".volunteers"))


# -- one volunteer ---------------------------------------------------------------------------------


@bp.get("/volunteers/<id:user_id>")
@staff_required
def volunteer(user_id: int):
    volunteer = _volunteer_or_404(user_id)
    now = utcnow()
    return render_template(
        "coordinator/volunteers/profile.html",
        volunteer=volunteer,
        history=volunteer_service.volunteer_history(volunteer, now=now),
        now=now,
        form=ActionForm(),
        release_form=ReleaseForm(next=url_for(".volunteer", user_id=volunteer.id)),
    )


def _deactivated_message(name: str, result: volunteer_service.Deactivation) -> str:
    done = gettext("%(name)s is deactivated and logged out everywhere.", name=name)
    if result.reopened == 0:
        reopened = gettext("They held no upcoming shifts.")
    else:
        reopened = ngettext("%(num)d shift reopened.", "%(num)d shifts reopened.", result.reopened)
    if result.late:
        reopened += " " + ngettext("%(num)d of them starts within a day; coordinators were alerted.",
                                   "%(num)d of them start within a day; coordinators were alerted.", result.late)
    return f"{done} {reopened}"


@bp.post("/volunteers/<id:user_id>/deactivate")
@staff_required
def deactivate_volunteer(user_id: int):
    volunteer = _volunteer_or_404(user_id)
    require_valid(ActionForm())
    with committing() as done:
        result = volunteer_service.deactivate_volunteer(volunteer, by=current_user, now=utcnow())
    if done:
        flash(_deactivated_message(volunteer.name, result), "success")
    return redirect(url_for(".volunteer", user_id=user_id))


@bp.post("/volunteers/<id:user_id>/reactivate")
@staff_required
def reactivate_volunteer(user_id: int):
    volunteer = _volunteer_or_404(user_id)
    with committing_button(gettext("%(name)s is active again and can claim shifts.", name=volunteer.name)):
        volunteer_service.reactivate_volunteer(volunteer, by=current_user, now=utcnow())
    return redirect(url_for(".volunteer", user_id=user_id))


# -- shifts ----------------------------------------------------------------------------------------


@bp.route("/shifts/<id:shift_id>/assign", methods=["GET", "POST"])
@staff_required
def assign_volunteer(shift_id: int):
    shift = _shift_or_404(shift_id)
    here = url_for(".assign_volunteer", shift_id=shift.id)
    now = utcnow()
    form = AssignForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(gettext("Choose a volunteer to assign."), "warning")
            return redirect(here)
        volunteer = db.session.get(User, form.volunteer_id.data)
        if volunteer is None:
            abort(404)
        with committing() as assigned:
            volunteer_service.assign_volunteer(shift, volunteer, now=now, by=current_user)
        if not assigned:
            return redirect(here)
        flash(gettext("%(name)s now holds a slot of this shift.", name=volunteer.name), "success")
        return redirect(_after_shift_change(shift))
    holders = volunteer_service.shift_holders(shift)
    call = urgent_calls.call_for(shift)
    candidates = volunteer_service.assignment_candidates(shift, now=now, holders=holders)
    is_open = shift.is_open(now)
    needs_someone = shift.is_claimable(now)
    return render_template(
        "coordinator/volunteers/assign.html",
        shift=shift,
        holders=holders,
        eligible=[c for c in candidates if c.eligible],
        ineligible=[c for c in candidates if not c.eligible],
        is_open=is_open,
        form=form,
        release_form=ReleaseForm(next=here),
        appointment_url=url_for(".appointment", appointment_id=shift.appointment_id),
        urgent_call=call,
        askable=len(urgent_calls.candidates(shift, now=now)) if needs_someone else 0,
        urgent_settings=urgent_calls.current_settings(),
        urgent_form=UrgentCallForm(formdata=None, rounds=call.rounds if call is not None else 0),
        answer_words=ANSWER_WORDS,
        end_words=END_WORDS,
    )


@bp.post("/shifts/<id:shift_id>/urgent")
@staff_required
def urgent_call(shift_id: int):
    shift = _shift_or_404(shift_id)
    form = require_valid(UrgentCallForm())
    with committing() as done:
        call, asked = urgent_calls.start_call(shift, by=current_user, now=utcnow(), seen_rounds=form.seen_rounds())
    if done:
        flash(ngettext("Texted %(num)d volunteer. They reply YES %(code)s to take it.",
                       "Texted %(num)d volunteers. They reply YES %(code)s to take it.", len(asked), code=call.code),
              "success")
    return redirect(url_for(".assign_volunteer", shift_id=shift_id, _anchor="urgent"))


@bp.post("/claims/<id:claim_id>/release")
@staff_required
def release_claim(claim_id: int):
    claim = volunteer_service.get_claim(claim_id)
    if claim is None:
        abort(404)
    form = require_valid(ReleaseForm())
    # Read before the claim goes: the row is deleted by the release.
    name, back = claim.volunteer.name, form.next_url() or _after_shift_change(claim.shift)
    with committing() as done:
        late = claim_service.release_claim(claim, now=utcnow(), by=current_user)
    if done:
        message = gettext("%(name)s is off the shift; the slot is open again.", name=name)
        if late:
            message += " " + gettext("It starts within a day, so coordinators were alerted.")
        flash(message, "success")
    return redirect(back)
