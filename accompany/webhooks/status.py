"""`POST /sms/status`: Twilio's delivery status callback for a message we sent."""

from __future__ import annotations

from flask import abort, request

from accompany.clock import utcnow
from accompany.database import db
from accompany.formfields import record_id
from accompany.services.messaging.delivery import record_status
from accompany.webhooks import bp
from accompany.webhooks.signatures import twilio_signed


@bp.post("/sms/status")
@twilio_signed
def delivery_status():
    provider_sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus")
    if not provider_sid or not status:
        abort(400)
    # `m` is the outbox row, named in the callback URL we gave Twilio (see status_callback_url).
    message_id = request.args.get("m", type=record_id)
    record_status(provider_sid, status, request.form.get("ErrorCode"), now=utcnow(), message_id=message_id)
    db.session.commit()
    # Answered whether or not the SID was ours: Twilio has nothing more to tell us about it.
    return "", 204
