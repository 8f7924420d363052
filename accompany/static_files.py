"""The static files (`static/`): a version in each URL, kept a year by browsers, and gzipped for
browsers that accept it.

`url_for("static", filename=...)` gets `?v=<first 12 hex of the file's sha256>`, so a changed file
has a new URL and a browser may keep each one for a year (`immutable`); a request with another
version or none is answered too, revalidated on every use. Text files (CSS, JS, SVG) go gzipped
to a browser that says `Accept-Encoding: gzip`: compressed once per process and file (kept in
memory with the file's size and time, so an edited file is compressed again), which is what a
precompressed `.gz` beside each file would give without a file to keep in step. In production a
proxy in front may compress as well; it leaves a body that is already encoded alone.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, Response, abort, current_app, request, send_from_directory
from werkzeug.security import safe_join

YEAR = 365 * 24 * 60 * 60
COMPRESSED_TYPES = {"text/css", "text/javascript", "application/javascript", "image/svg+xml"}
SMALLEST_WORTH_COMPRESSING = 512  # bytes; below this gzip's own header eats the gain


@dataclass(frozen=True)
class StaticFile:
    version: str
    mimetype: str
    gzipped: bytes | None


@lru_cache(maxsize=128)
def _read(path: str, size: int, mtime_ns: int) -> StaticFile:
    """The file at `path` as it is at (`size`, `mtime_ns`): its version, type and gzipped body."""
    with open(path, "rb") as f:
        body = f.read()
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    gzipped = None
    if mimetype in COMPRESSED_TYPES and len(body) >= SMALLEST_WORTH_COMPRESSING:
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    return StaticFile(hashlib.sha256(body).hexdigest()[:12], mimetype, gzipped)


def _static_file(filename: str) -> tuple[str, StaticFile] | None:
    path = safe_join(current_app.static_folder, filename)
    if path is None or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    return path, _read(path, stat.st_size, stat.st_mtime_ns)


def static_version(filename: str) -> str | None:
    """The version `filename` under static/ has now (None for a file that is not there)."""
    found = _static_file(filename)
    return found[1].version if found else None


def serve_static(filename: str) -> Response:
    """Flask's static route: the file, gzipped when the browser takes it, cached for a year when
    the URL names this very version."""
    found = _static_file(filename)
    if found is None:
        abort(404)
    path, static = found
    if static.gzipped is not None and request.accept_encodings["gzip"]:
        response = Response(static.gzipped, mimetype=static.mimetype)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(f"{static.version}-gzip")
        response.last_modified = os.path.getmtime(path)
        response.make_conditional(request)
    else:
        response = send_from_directory(current_app.static_folder, filename, etag=static.version)
    if static.gzipped is not None:
        response.vary.add("Accept-Encoding")
    if request.args.get("v") == static.version:
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response


def init_static_files(app: Flask) -> None:
    app.view_functions["static"] = serve_static

    @app.url_defaults
    def versioned_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            version = static_version(values.get("filename", ""))
            if version:
                values["v"] = version
