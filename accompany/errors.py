"""Error pages in the site's own layout, with plain words and no internals."""

from __future__ import annotations

import logging
import traceback

from flask import has_request_context, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from accompany.database import db
from accompany.i18n import _l

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Go back, check what you entered and try again.")),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("There is nothing here, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("That page cannot be used this way.")),
    413: (_l("Too much"), _l("What you sent is too large. Files can be up to 2 MB; split a bigger spreadsheet "
                             "in parts.")),
    500: (_l("Something went wrong on our side"), _l("Nothing was saved. Please try again in a minute; if it keeps "
                                                     "happening, tell a coordinator.")),
}


def _render(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, (_l("Error %(code)s", code=code), _l("Please go back and try again.")))
    if request.path.startswith(("/sms/", "/healthz", "/calendar/")):
        return {"error": str(title)}, code
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


class ServerErrorLogFilter(logging.Filter):
    """What a 500 logs (Flask's "Exception on <path>" and its traceback) names the route and the
    failed statement, never a value: the path's tokens give way to the route's pattern, and a
    database error keeps only its codes and names. The values bound to a statement are hidden by
    the engine (`hide_parameters`); this also drops the database's own words, which may quote one
    (PostgreSQL's "DETAIL: Key (email)=(…) already exists")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and isinstance(record.msg, str) and record.msg.startswith("Exception on "):
            record.msg, record.args = "Exception on %s [%s]", (request.url_rule or "no route", request.method)
        if record.exc_info and isinstance(record.exc_info[1], DBAPIError):
            record.exc_text = database_traceback(record.exc_info[1])
        return True


def database_traceback(error: DBAPIError) -> str:
    """`error`'s traceback, its driver's error class and codes, and its statement (placeholders
    only): the chained driver exception and its message are left out."""
    cause = error.orig
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg): the codes and names involved
        names = (("sqlstate", diag.sqlstate), ("constraint", diag.constraint_name), ("table", diag.table_name),
                 ("column", diag.column_name))
        said = " ".join(f"{name}={value}" for name, value in names if value)
    else:  # SQLite's messages name a table or column, not a value
        said = str(cause).split("\n", 1)[0]
    return (
        "Traceback (most recent call last):\n" + "".join(traceback.format_tb(error.__traceback__))
        + f"{type(error).__module__}.{type(error).__qualname__}: ({type(cause).__module__}."
        f"{type(cause).__qualname__}) {said}\n[SQL: {error.statement}]"
    )


SERVER_ERROR_LOG_FILTER = ServerErrorLogFilter()


def init_error_handlers(app) -> None:
    app.logger.addFilter(SERVER_ERROR_LOG_FILTER)  # one filter, however many apps are made

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400,
            _l("This form was open too long or came from somewhere else. Reload the page and try again."),
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
