"""URL pieces every blueprint shares: `<id:…>`, the converter of every record id in a path, and
URLs built once instead of on every card."""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from werkzeug.routing import IntegerConverter

from accompany.database import MAX_RECORD_ID


class RecordIdConverter(IntegerConverter):
    """A record id in a path (`/my/shifts/<id:shift_id>`): a whole number from 1 to MAX_RECORD_ID.
    Anything else there, 0 or a number past what an id column holds, matches no route: a 404, as
    for a record that does not exist, never a query the database refuses."""

    def __init__(self, map) -> None:
        super().__init__(map, min=1, max=MAX_RECORD_ID)


def init_url_converters(app: Flask) -> None:
    app.url_map.converters["id"] = RecordIdConverter


def _built(key: tuple, build) -> str | tuple[str, str]:
    """What `build()` gives for `key` in this app at this script root, remembered."""
    known = current_app.extensions.setdefault("accompany.urls", {})
    where = (request.script_root, *key)
    found = known.get(where)
    if found is None:
        found = known[where] = build()
    return found


def fixed_url(endpoint: str, **values: str) -> str:
    """`url_for(endpoint, **values)` for a URL that is the same on every request (a page without
    parameters, a static file): werkzeug builds it once per app, not on every page."""
    return _built((endpoint, tuple(sorted(values.items()))), lambda: url_for(endpoint, **values))


def record_url(endpoint: str, record_id: int, key: str = "id") -> str:
    """`url_for(endpoint, **{key: record_id})` from a pattern built once per endpoint: the same
    URL, without werkzeug's build for each card of a long list."""
    mark = str(MAX_RECORD_ID)
    before, after = _built((endpoint, key, "record"),
                           lambda: url_for(endpoint, **{key: MAX_RECORD_ID}).rpartition(mark)[::2])
    return f"{before}{int(record_id)}{after}"


def init_url_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(fixed_url=fixed_url, record_url=record_url)
