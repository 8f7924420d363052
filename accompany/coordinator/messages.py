"""The message log: what is planned (with its words) and sent, and settling what went wrong."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing_button
from accompany.coordinator import bp
from accompany.coordinator.message_forms import RECIPIENTS, VIEWS, MessageFilterForm, kind_name, whole_number
from accompany.database import db
from accompany.formfields import ActionForm
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import Appointment, Family, OutboundMessage, RecipientKind
from accompany.services.messaging import message_log
from accompany.services.people import family_records

PER_PAGE = 25  # each card shows its whole text


def _record(model, raw: str | None):
    record_id = whole_number(raw)
    return db.session.get(model, record_id) if record_id else None


def _filter_form() -> MessageFilterForm:
    """The log's tabs and filters from the query string (see MessageFilterForm.choose)."""
    form = MessageFilterForm(formdata=request.args)
    form.choose(_record(Family, form.family.data), _record(Appointment, form.appointment.data))
    return form


@bp.get("/messages")
@staff_required
def messages():
    form = _filter_form()
    view, to = VIEWS[form.chosen_view()], form.chosen_recipients()
    filters = message_log.MessageFilters(
        states=list(view.states), recipient_kind=RecipientKind(to) if to else None,
        family_id=form.chosen_family.id if form.chosen_family else None,
        appointment_id=form.chosen_appointment.id if form.chosen_appointment else None,
    )
    now = utcnow()
    page = message_log.message_page(filters, request.args.get("page", type=int), per_page=PER_PAGE, now=now,
                                    soonest_first=view.soonest_first)
    return render_template(
        "coordinator/messages.html", page=page, form=form, views=VIEWS, recipients=RECIPIENTS,
        appointments=family_records.family_appointments(form.chosen_family) if form.chosen_family else [],
        action_form=ActionForm(), recipient_number=message_log.recipient_number, now=now, kind_name=kind_name,
    )


def _back_to_log():
    """The same view of the log the button was pressed on."""
    args = MessageFilterForm(formdata=request.args).tab_args()
    page = request.args.get("page", type=int)
    return redirect(url_for(".messages", **args, **({"page": page} if page and page > 1 else {})))


@bp.post("/messages/<id:message_id>/cancel")
@staff_required
def cancel_message(message_id: int):
    row = db.get_or_404(OutboundMessage, message_id)
    with committing_button(gettext("Cancelled.")):
        message_log.cancel_message(row, by=current_user, now=utcnow())
    return _back_to_log()


@bp.post("/messages/<id:message_id>/retry")
@staff_required
def retry_message(message_id: int):
    row = db.get_or_404(OutboundMessage, message_id)
    with committing_button(gettext("It will go again shortly.")):
        message_log.retry_message(row, by=current_user, now=utcnow())
    return _back_to_log()


@bp.post("/messages/<id:message_id>/arrived")
@staff_required
def settle_arrived(message_id: int):
    row = db.get_or_404(OutboundMessage, message_id)
    with committing_button(gettext("Marked as sent.")):
        message_log.settle_unknown(row, arrived=True, by=current_user, now=utcnow())
    return _back_to_log()


@bp.post("/messages/<id:message_id>/not-arrived")
@staff_required
def settle_not_arrived(message_id: int):
    row = db.get_or_404(OutboundMessage, message_id)
    with committing_button(gettext("Marked as not sent. You can send it again.")):
        message_log.settle_unknown(row, arrived=False, by=current_user, now=utcnow())
    return _back_to_log()
