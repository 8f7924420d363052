"""gunicorn's logs without what a request line says about people (gunicorn.conf.py installs it).

A URL can carry a name, a phone number or a key: the family search is a GET (`?q=Rosa`,
`?q=+1617…`), a volunteer's calendar feed is `/calendar/<token>.ics`, an invitation is
`/invite/<token>`, and an inbox conversation is `/coordinator/inbox/<phone's keyed hash>`.
gunicorn's own access log writes the whole request line and the Referer. Here every way a log
line can show a URL (`%(r)s`, `%(U)s`, `%(q)s`, the Referer, request headers and environ values)
shows the path only, with such a segment hidden; the error log ("Error handling request …") gets
the same treatment.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

HIDDEN = "<hidden>"
_QUERY = re.compile(r"\?[^\s'\"]+")
# The segment after one of these prefixes is a secret (a key or a phone's keyed hash).
_SECRET_SEGMENT = re.compile(r"(/calendar/|/invite/|/coordinator/inbox/)[^/\s'\"?]+?(\.ics)?(?=[/\s'\"?]|$)")
# Atoms that would repeat the URL or carry credentials: the Referer and Cookie headers, and every
# environ value (`%({raw_uri}e)s`, `%({query_string}e)s`, `%({http_cookie}e)s`...).
_DROPPED_HEADERS = ("{referer}i", "{cookie}i", "{authorization}i")


def private_text(text: str) -> str:
    """`text` (a path, a request line, a log message) with no query string and no secret segment."""
    text = _QUERY.sub("", text)
    return _SECRET_SEGMENT.sub(lambda found: found.group(1) + HIDDEN + (found.group(2) or ""), text)


class PrivateMessages(logging.Filter):
    """Rewrites a log record's message through `private_text` (for gunicorn's error log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = private_text(record.getMessage()), ()
        return True


PRIVATE_MESSAGES = PrivateMessages()


class PrivateLogger(Logger):
    """gunicorn's logger, with request lines reduced to the method, the private path and the
    protocol, whatever `access_log_format` asks for."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(PRIVATE_MESSAGES)

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = private_text(environ.get("PATH_INFO") or "")
        atoms.update(U=path, q="-", f="-", r=f"{atoms['m']} {path} {atoms['H']}")
        for key in [key for key in atoms if key.endswith("}e") or key in _DROPPED_HEADERS]:
            del atoms[key]
        return atoms
