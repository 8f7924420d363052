"""`POST /sms/inbound`: a text someone sent to our number (accompany/services/messaging/inbound.py)."""

from __future__ import annotations

from flask import Response, abort, request
from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse

from accompany.clock import utcnow
from accompany.database import db
from accompany.services.messaging.inbound import Handled, receive_text
from accompany.webhooks import bp
from accompany.webhooks.signatures import twilio_signed


@bp.post("/sms/inbound")
@twilio_signed
def inbound_text():
    sender = request.form.get("From", "")
    if not sender:
        abort(400)
    try:
        handled = receive_text(
            sender,
            request.form.get("Body", ""),
            provider_sid=request.form.get("MessageSid") or request.form.get("SmsSid"),
            now=utcnow(),
            carrier_keyword=request.form.get("OptOutType", ""),
        )
        db.session.commit()
    except IntegrityError:  # Twilio delivered this text twice at once; the other delivery has it
        db.session.rollback()
        handled = Handled(None)
    # TwiML: the answer about the number (HELP, STOP, START, or help for a number we do not
    # know), or nothing; everything else goes through the outbox.
    twiml = MessagingResponse()
    if handled.reply is not None:
        twiml.message(handled.reply.body)
    return Response(str(twiml), mimetype="text/xml")
