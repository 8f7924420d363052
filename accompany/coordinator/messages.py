"""The message log: what was planned and sent, and settling what went wrong."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing_button
from accompany.coordinator import bp
from accompany.database import db
from accompany.formfields import ActionForm
from accompany.guards import staff_required
from accompany.models import MessageState, OutboundMessage, RecipientKind
from accompany.services.messaging import message_log

VIEWS = {
    "planned": [MessageState.PENDING, MessageState.SENDING],
    "sent": [MessageState.QUEUED, MessageState.SENT, MessageState.DELIVERED],
    "problems": [MessageState.FAILED, MessageState.UNDELIVERED, MessageState.EXPIRED, MessageState.UNKNOWN],
    "all": [],
}


@bp.get("/messages")
@staff_required
def messages():
    view = request.args.get("view", "planned")
    if view not in VIEWS:
        view = "planned"
    to = request.args.get("to", "")
    filters = message_log.MessageFilters(
        states=VIEWS[view],
        recipient_kind=RecipientKind(to) if to in RecipientKind._value2member_map_ else None,
    )
    return render_template(
        "coordinator/messages.html", rows=message_log.find_messages(filters), view=view, to=to,
        action_form=ActionForm(), recipient_number=message_log.recipient_number, now=utcnow(),
    )


def _back_to_log():
    """The same view of the log the button was pressed on."""
    return redirect(url_for(".messages", view=request.args.get("view", "planned")))


@bp.post("/messages/<id:message_id>/cancel")
@staff_required
def cancel_message(message_id: int):
    row = db.get_or_404(OutboundMessage, message_id)
    with committing_button("Cancelled."):
        message_log.cancel_message(row, by=current_user, now=utcnow())
    return _back_to_log()


@bp.post("/messages/<id:message_id>/retry")
@staff_required
def retry_message(message_id: int):
    row = db.get_or_404(OutboundMessage, message_id)
    with committing_button("It will go again shortly."):
        message_log.retry_message(row, by=current_user, now=utcnow())
    return _back_to_log()


@bp.post("/messages/<id:message_id>/arrived")
@staff_required
def settle_arrived(message_id: int):
    row = db.get_or_404(OutboundMessage, message_id)
    with committing_button("Marked as sent."):
        message_log.settle_unknown(row, arrived=True, by=current_user, now=utcnow())
    return _back_to_log()


@bp.post("/messages/<id:message_id>/not-arrived")
@staff_required
def settle_not_arrived(message_id: int):
    row = db.get_or_404(OutboundMessage, message_id)
    with committing_button("Marked as not sent. You can send it again."):
        message_log.settle_unknown(row, arrived=False, by=current_user, now=utcnow())
    return _back_to_log()
