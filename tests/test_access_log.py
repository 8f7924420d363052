"""What gunicorn logs about requests, run as production runs it (gunicorn.conf.py): the path and
the answer, never a query string (a family search names a person or a phone) or a token."""

from __future__ import annotations

import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from accompany.access_log import PrivateLogger, PrivateMessages, private_text
from accompany.crypto import phone_index
from accompany.services.people.accounts import invite_user
from tests.conftest import clock_env, from_now

ROOT = Path(__file__).resolve().parents[1]
CALENDAR_TOKEN = "CalendarTokenOfVal0123456789abcdefghijkl"
FAMILY_PHONE = "+16175550142"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60  # generous: a loaded machine starts Python slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.communicate()[0])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def _get(port: int, path: str, headers: dict | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def served(app, make, db, database_url, tmp_path):
    """The app under gunicorn with the project's config, on this test's database."""
    make.volunteer(calendar_token=CALENDAR_TOKEN)
    make.family(name="Rosa M.", phone=FAMILY_PHONE)
    _, invitation = invite_user("new.coordinator@example.org", "coordinator", by=make.admin(), now=from_now())
    db.session.commit()
    port, logs = _free_port(), tmp_path / "logs"
    logs.mkdir()
    env = {
        **os.environ, **clock_env(), "ACCOMPANY_ENV": "development", "ACCOMPANY_INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": database_url, "SECRET_KEY": "x" * 32,
        "FIELD_ENCRYPTION_KEYS": ",".join(app.config["FIELD_ENCRYPTION_KEYS"]),
        "BLIND_INDEX_KEY": app.config["BLIND_INDEX_KEY"],
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--access-logfile", str(logs / "access.log"), "--error-logfile",
               str(logs / "error.log"), "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        _wait_for(port, process)
        yield SimpleNamespace(port=port, logs=logs, invitation=invitation)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def test_the_access_log_has_paths_and_answers_but_no_query_or_token(served):
    inbox_key = phone_index(FAMILY_PHONE)
    answers = {
        f"/calendar/{CALENDAR_TOKEN}.ics": 200,
        f"/invite/{served.invitation}?from=email": 200,
        "/coordinator/families?q=Rosa": 302,
        "/coordinator/families?q=%2B16175550142&town=Chelsea": 302,
        "/login?next=%2Fcoordinator%2Ffamilies%3Fq%3DRosa": 200,
        f"/coordinator/inbox/{inbox_key}": 302,
    }
    for path, status in answers.items():
        assert _get(served.port, path, {"Referer": f"http://localhost/invite/{served.invitation}?q=Rosa",
                                        "Cookie": "session=SessionCookieValue"}) == status, path
    time.sleep(0.5)  # the worker writes the last line after answering

    logged = (served.logs / "access.log").read_text()
    for line in ('"GET /calendar/<hidden>.ics HTTP/1.1" 200', '"GET /invite/<hidden> HTTP/1.1" 200',
                 '"GET /coordinator/families HTTP/1.1" 302', '"GET /login HTTP/1.1" 200',
                 '"GET /coordinator/inbox/<hidden> HTTP/1.1" 302'):
        assert line in logged, logged
    assert logged.count("GET /coordinator/families ") == 2
    logs = logged + (served.logs / "error.log").read_text()
    for secret in (CALENDAR_TOKEN, served.invitation, inbox_key, "Rosa", "6175550142", "555-0142", "Chelsea",
                   "from=email", "next=", "?", "SessionCookieValue", "localhost"):
        assert secret not in logs, secret


def _atoms(path: str, query: str) -> dict:
    """What gunicorn's access() formats a line from, for a GET of `path`?`query`."""
    logger = PrivateLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"{path}?{query}", "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": f"https://x.org{path}?{query}",
               "HTTP_COOKIE": "session=SessionCookieValue", "HTTP_USER_AGENT": "phone"}
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]), ("COOKIE", environ["HTTP_COOKIE"]),
                                       ("USER-AGENT", "phone")])
    response = SimpleNamespace(status="200 OK", headers=[("Content-Type", "text/html")], sent=12)
    return logger.atoms_wrapper_class(logger.atoms(response, request, environ, timedelta(milliseconds=5)))


def test_any_access_log_format_shows_the_path_without_query_or_token():
    atoms = _atoms(f"/invite/{'t' * 43}", "q=Rosa")
    line_format = ("%(r)s|%(U)s|%(q)s|%(f)s|%({referer}i)s|%({cookie}i)s|%({raw_uri}e)s|%({query_string}e)s|"
                   "%({http_cookie}e)s|%({path_info}e)s|%(s)s|%(a)s")  # gunicorn formats with %
    everything = line_format % atoms
    assert everything == "GET /invite/<hidden> HTTP/1.1|/invite/<hidden>|-|-|-|-|-|-|-|-|200|phone"


@pytest.mark.parametrize("text, private", [
    ("/calendar/abc_DEF-123.ics", "/calendar/<hidden>.ics"),
    ("/invite/abc", "/invite/<hidden>"),
    ("/coordinator/inbox/0f9e8d/reply", "/coordinator/inbox/<hidden>/reply"),
    ("/coordinator/inbox", "/coordinator/inbox"),
    ("/my/calendar", "/my/calendar"),
    ("/coordinator/families/12/edit", "/coordinator/families/12/edit"),
    ("Error handling request GET /invite/abc?q=Rosa", "Error handling request GET /invite/<hidden>"),
    ("Invalid request from ip=10.0.0.1: Invalid HTTP request line: 'GET /calendar/abc.ics?x=1 HTTP'",
     "Invalid request from ip=10.0.0.1: Invalid HTTP request line: 'GET /calendar/<hidden>.ics HTTP'"),
    ("Is the database up?", "Is the database up?"),
])
def test_private_text_hides_queries_and_secret_segments(text, private):
    assert private_text(text) == private


def test_the_error_log_gets_the_same_treatment():
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s %s",
                               ("GET", "/invite/abc?q=Rosa"), None)
    assert PrivateMessages().filter(record)
    assert record.getMessage() == "Error handling request GET /invite/<hidden>"
