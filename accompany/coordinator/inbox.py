"""The inbox: texts people sent us, one conversation per phone number, and answering them.

A conversation's address is the number's keyed hash, so URLs and logs name nobody; pages show
the number masked (its last four digits) and never log a number or a text's words.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, require_valid
from accompany.coordinator import bp
from accompany.coordinator.inbox_forms import ReplyForm, SeenForm
from accompany.guards import staff_required
from accompany.i18n import _l, gettext
from accompany.models import MessageKind
from accompany.services.messaging import conversations as conversation_service
from accompany.services.messaging import keywords

KEY = re.compile(r"[0-9a-f]{64}")

# What an incoming text was read as, in plain words (nothing for an ordinary message).
READ_AS = {
    keywords.STOP: _l("Read as STOP: nothing more is texted to this number"),
    keywords.START: _l("Read as START: this number takes texts again"),
    keywords.HELP: _l("Read as HELP: the help text was the answer"),
    keywords.YES: _l("Read as yes"),
    keywords.NO: _l("Read as no"),
    keywords.RIDE: _l("Read as a ride request"),
    keywords.STOP_REQUEST: _l("Sounds like “stop texting me”: a coordinator decides"),
}

OUTGOING = {MessageKind.STAFF_REPLY: _l("Coordinator's reply")}


def _seen(form) -> int | None:
    """The newest text the coordinator had on screen (None: a form from before this field)."""
    return int(form.seen.data) if form.seen.data else None


def _checked(key: str) -> str:
    """`key` if it looks like a number's keyed hash (64 lowercase hex digits), else 404."""
    if not KEY.fullmatch(key):
        abort(404)
    return key


def _conversation_page(key: str, form: ReplyForm):
    """The thread with `key` (404 if that number never texted us), the reply form under it."""
    with committing():  # the audit log records that the family's texts were read
        thread = conversation_service.thread(key, by=current_user, now=utcnow())
    if thread is None:
        abort(404)
    form.seen.data = str(thread.newest_id)
    return render_template(
        "coordinator/inbox/conversation.html",
        thread=thread,
        conversation=thread.conversation,
        key=key,
        form=form,
        action_form=SeenForm(formdata=None, seen=thread.newest_id),
        read_as=READ_AS,
        outgoing=OUTGOING,
    )


@bp.get("/inbox")
@staff_required
def inbox():
    return render_template("coordinator/inbox/list.html", conversations=conversation_service.conversations())


@bp.get("/inbox/<key>")
@staff_required
def conversation(key: str):
    return _conversation_page(_checked(key), ReplyForm(formdata=None))


@bp.post("/inbox/<key>/reply")
@staff_required
def reply_to_conversation(key: str):
    key = _checked(key)
    form = ReplyForm()
    if form.validate_on_submit():
        with committing(form, field="text") as planned:
            conversation_service.reply(key, form.text.data, by=current_user, now=utcnow(), seen=_seen(form))
        if planned:
            flash(gettext("Reply planned: it goes out within a minute (texts to a family wait for daytime)."), "success")
            return redirect(url_for(".conversation", key=key))
        if planned.sent_before:  # the first send of this form planned it (the flash says so)
            return redirect(url_for(".conversation", key=key))
    return _conversation_page(key, form)


@bp.post("/inbox/<key>/handled")
@staff_required
def mark_conversation_handled(key: str):
    key = _checked(key)
    form = require_valid(SeenForm())
    with committing() as done:
        handled = conversation_service.mark_handled(key, by=current_user, now=utcnow(), seen=_seen(form))
    if done:
        flash(gettext("Marked as dealt with.") if handled else gettext("Nothing here was waiting."), "success")
    return redirect(url_for(".inbox"))


@bp.post("/inbox/<key>/opt-out")
@staff_required
def opt_out_conversation(key: str):
    key = _checked(key)
    form = require_valid(SeenForm())
    with committing() as done:
        conversation_service.opt_out_number(key, by=current_user, now=utcnow(), seen=_seen(form))
    if not done:
        return redirect(url_for(".inbox"))
    flash(gettext("Nothing more will be texted to this number unless it texts START."), "success")
    return redirect(url_for(".conversation", key=key))
