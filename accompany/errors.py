"""Error pages in the site's own layout, with plain words and no internals."""

from __future__ import annotations

import logging

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from accompany.database import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was not right", "Go back, check what you entered and try again."),
    403: ("Not allowed", "You do not have access to this page."),
    404: ("Page not found", "There is nothing here, or you do not have access to it."),
    405: ("Not allowed", "That page cannot be used this way."),
    413: ("Too much", "What you sent is too large. Files can be up to 2 MB; split a bigger spreadsheet in parts."),
    500: ("Something went wrong on our side", "Nothing was saved. Please try again in a minute; if it keeps happening, tell a coordinator."),
}


def _render(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, (f"Error {code}", "Please go back and try again."))
    if request.path.startswith(("/sms/", "/healthz", "/calendar/")):
        return {"error": title}, code
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


def init_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400,
            "This form was open too long or came from somewhere else. Reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            db.session.rollback()
        return _render(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        log.error("unhandled error on %s %s", request.method, request.url_rule)
        return _render(500)
