"""URL pieces every blueprint shares: `<id:…>`, the converter of every record id in a path."""

from __future__ import annotations

from flask import Flask
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
