"""A fake Twilio Messages API on 127.0.0.1, for the real SDK to talk to (tests and bench/).

It speaks the shape of Twilio's REST API closely enough for `twilio.rest.Client`:

    POST /2010-04-01/Accounts/<AccountSid>/Messages.json   (form: To, Body, MessagingServiceSid
         or From, StatusCallback, ValidityPeriod)  → 201 {"sid": "SM…", "status": "queued", …}
    GET  /2010-04-01/Accounts/<AccountSid>/Messages/<Sid>.json → 200 the message
    DELETE /2010-04-01/Accounts/<AccountSid>/Messages/<Sid>.json → 204, or 404 once deleted

and the Voice API's one call this app places (a detention alert's last step):

    POST /2010-04-01/Accounts/<AccountSid>/Calls.json  (form: To, From, Twiml) → 201 {"sid": "CA…", …}

recorded in `calls` (and answered like a message to the plans below),
with HTTP Basic auth (account SID, auth token) checked like Twilio does (401, code 20003).
Every request is recorded. It can be told what to do with the next requests:

    with FakeTwilio() as twilio:
        twilio.fail_next(status=400, code=21610)          # Twilio's error JSON
        twilio.stall_next(seconds=2)                      # answer (201) only after 2 s
        twilio.drop_next()                                # read the request, close without answering
        FakeTwilio(latency=3)                             # every answer takes 3 s (a slow carrier)
        FakeTwilio(hang_every=50, hang_seconds=10)        # one request in 50 hangs 10 s
        ... point TWILIO_API_BASE_URL at twilio.base_url ...
        assert twilio.messages[0].form["To"] == "+16175550142"

Stalled and dropped requests are recorded and their messages accepted, as at the real Twilio
when our side gave up waiting: the request did reach it.

A DELETE takes any message SID (SM… or MM…) not deleted before, including ones the fake never
sent (texts people sent us), answers 204 and appends the SID to `deleted`; a deleted message
answers 404 to GET and DELETE after that. The plans above apply to DELETE too.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import socket
import struct
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-twilio-auth-token-0123456789"

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/Messages\.json$")
MESSAGE_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/Messages/(?P<sid>SM[0-9a-f]{32})\.json$")
CALLS_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/Calls\.json$")
DELETE_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/Messages/(?P<sid>(SM|MM)[0-9a-fA-F]{32})\.json$")

ERROR_MESSAGES = {
    20003: "Authenticate",
    20429: "Too Many Requests",
    21211: "The 'To' number {to} is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}.",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number: {to}, is not currently reachable using the 'From' phone number via SMS.",
    21614: "'To' number {to} is not a valid mobile number",
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    form: dict[str, str]  # one value per field, as Twilio's Messages API takes them
    headers: dict[str, str]
    auth: tuple[str, str] | None
    answered: int | None = None  # the HTTP status we answered, None when dropped


@dataclass
class Message:
    sid: str
    account_sid: str
    form: dict[str, str]
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    ordinal: int = 0  # 1 for the first message accepted, 2 for the next...


@dataclass
class _Plan:
    kind: str  # "error" | "stall" | "drop"
    status: int = 0
    code: int | None = None
    message: str | None = None
    seconds: float = 0.0
    reset: bool = False


class FakeTwilio:
    """A Twilio-compatible HTTP server in a thread on 127.0.0.1 (port chosen by the OS)."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN, *, host: str = "127.0.0.1",
                 port: int = 0, latency: float = 0.0, hang_every: int = 0, hang_seconds: float = 0.0):
        self.account_sid = account_sid
        self.latency = latency  # seconds every accepted message waits before its answer (a slow carrier)
        # Every `hang_every`-th accepted message hangs `hang_seconds` instead (1 in 50: 2 %).
        self.hang_every, self.hang_seconds = hang_every, hang_seconds
        self._accepted = 0
        self.auth_token = auth_token
        self.requests: list[RecordedRequest] = []
        self.messages: list[Message] = []
        self.deleted: list[str] = []  # SIDs deleted by DELETE requests, in order
        self.calls: list[Message] = []  # voice calls placed (form: To, From, Twiml)
        self._plans: list[_Plan] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server((host, port), self)
        self._thread: threading.Thread | None = None

    # Lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTwilio:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-twilio", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes stalled handlers
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # What to do next ---------------------------------------------------------------------

    def fail_next(self, count: int = 1, *, status: int = 400, code: int | None = 21610,
                  message: str | None = None) -> None:
        """Answer the next `count` requests with HTTP `status` and Twilio's error JSON."""
        self._plan(count, _Plan("error", status=status, code=code, message=message))

    def stall_next(self, count: int = 1, *, seconds: float) -> None:
        """Take the next `count` requests, then wait `seconds` before answering (201)."""
        self._plan(count, _Plan("stall", seconds=seconds))

    def drop_next(self, count: int = 1, *, reset: bool = False) -> None:
        """Take the next `count` requests, then close the connection without answering
        (with a TCP reset when `reset`)."""
        self._plan(count, _Plan("drop", reset=reset))

    def reset(self) -> None:
        """Forget recorded requests, messages and plans."""
        with self._lock:
            for recorded in (self.requests, self.messages, self.deleted, self.calls, self._plans):
                recorded.clear()

    def _plan(self, count: int, plan: _Plan) -> None:
        with self._lock:
            self._plans.extend([plan] * count)

    def _next_plan(self) -> _Plan | None:
        with self._lock:
            return self._plans.pop(0) if self._plans else None

    # Answers -----------------------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _accept(self, account_sid: str, form: dict[str, str]) -> Message:
        message = Message(sid="SM" + secrets.token_hex(16), account_sid=account_sid, form=form)
        with self._lock:
            self.messages.append(message)
            self._accepted += 1
            message.ordinal = self._accepted
        return message

    def _accept_call(self, account_sid: str, form: dict[str, str]) -> Message:
        call = Message(sid="CA" + secrets.token_hex(16), account_sid=account_sid, form=form)
        with self._lock:
            self.calls.append(call)
            call.ordinal = len(self.calls)
        return call

    def call_json(self, call: Message) -> dict:
        created = format_datetime(call.created_at, usegmt=True)
        return {
            "account_sid": call.account_sid, "api_version": "2010-04-01", "date_created": created,
            "date_updated": created, "direction": "outbound-api", "from": call.form.get("From"),
            "sid": call.sid, "status": "queued", "to": call.form.get("To"),
            "uri": f"/2010-04-01/Accounts/{call.account_sid}/Calls/{call.sid}.json",
        }

    def _find(self, sid: str) -> Message | None:
        with self._lock:
            if sid in self.deleted:
                return None
            return next((m for m in self.messages if m.sid == sid), None)

    def _delete(self, sid: str) -> bool:
        """Delete `sid`; False when it was deleted before."""
        with self._lock:
            if sid in self.deleted:
                return False
            self.deleted.append(sid)
            return True

    def _authorized(self, auth: tuple[str, str] | None, account_sid: str) -> bool:
        return auth == (self.account_sid, self.auth_token) and account_sid == self.account_sid

    def message_json(self, message: Message, status: str | None = None) -> dict:
        form = message.form
        created = format_datetime(message.created_at, usegmt=True)
        status = status or ("accepted" if form.get("MessagingServiceSid") and not form.get("From") else "queued")
        body = form.get("Body", "")
        uri = f"/2010-04-01/Accounts/{message.account_sid}/Messages/{message.sid}.json"
        return {
            "account_sid": message.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            "status": status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": form.get("To"),
            "uri": uri,
        }

    def error_json(self, status: int, code: int | None, message: str | None, form: dict[str, str]) -> dict:
        if message is None:
            message = ERROR_MESSAGES.get(code or 0, "Error").format(to=form.get("To", ""))
        answer = {"status": status, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}"}
        if code is not None:
            answer["code"] = code
        return answer


NOT_FOUND = {"code": 20404, "message": "The requested resource was not found", "status": 404}


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stalled answer never holds up stop()
    request_queue_size = 128  # several senders at once (bench/) connect without refusals

    def __init__(self, address: tuple[str, int], twilio: FakeTwilio):
        self.twilio = twilio
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Records every request, answers 404 off the API's paths and 401 to wrong credentials, and
    hands the rest to the route's handler (ROUTES, below)."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's pooled session expects
    server_version = "FakeTwilio/1.0"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format, *args):  # quiet: the test output is not the place
        pass

    def do_POST(self):
        self._route("POST")

    def do_GET(self):
        self._route("GET")

    def do_DELETE(self):
        self._route("DELETE")

    def _route(self, method: str) -> None:
        twilio = self.server.twilio
        form = self._read_form() if method == "POST" else {}
        request = RecordedRequest(method, self.path, form, dict(self.headers.items()), self._basic_auth())
        twilio._record(request)
        path, handler = self.ROUTES[method]
        if method == "POST" and CALLS_PATH.match(self.path.split("?", 1)[0]):
            path, handler = CALLS_PATH, _Handler._place_call
        found = path.match(self.path.split("?", 1)[0])
        if found is None:
            self._answer(request, 404, NOT_FOUND)
        elif not twilio._authorized(request.auth, found["account"]):
            self._answer(request, 401, twilio.error_json(401, 20003, None, form))
        else:
            handler(self, request, found)

    # The routes -----------------------------------------------------------------------------

    def _create(self, request: RecordedRequest, found: re.Match) -> None:
        """POST Messages.json: accept the message (201), unless a plan or a missing field says otherwise."""
        twilio, form = self.server.twilio, request.form
        plan = twilio._next_plan()
        missing = [name for name in ("To",) if not form.get(name)]
        if plan is not None and plan.kind == "error":
            self._answer_error(request, plan)
        elif missing or not (form.get("From") or form.get("MessagingServiceSid")):
            self._answer(request, 400, twilio.error_json(400, 21604 if missing else 21603,
                                                         "A 'To' and a 'From' or 'MessagingServiceSid' "
                                                         "are required.", form))
        else:
            message = twilio._accept(found["account"], form)
            if self._stall_or_drop(plan, message):
                self._answer(request, 201, twilio.message_json(message))

    def _place_call(self, request: RecordedRequest, found: re.Match) -> None:
        """POST Calls.json: accept the call (201) when it has To, From and Twiml (or Url)."""
        twilio, form = self.server.twilio, request.form
        plan = twilio._next_plan()
        if plan is not None and plan.kind == "error":
            self._answer_error(request, plan)
        elif not (form.get("To") and form.get("From") and (form.get("Twiml") or form.get("Url"))):
            self._answer(request, 400, twilio.error_json(400, 21201, "A 'To', a 'From' and 'Twiml' or 'Url' "
                                                         "are required.", form))
        else:
            call = twilio._accept_call(found["account"], form)
            if self._stall_or_drop(plan):
                self._answer(request, 201, twilio.call_json(call))

    def _fetch(self, request: RecordedRequest, found: re.Match) -> None:
        """GET Messages/<Sid>.json: the message (200), 404 once deleted or when never sent."""
        message = self.server.twilio._find(found["sid"])
        if message is None:
            self._answer(request, 404, NOT_FOUND)
        else:
            self._answer(request, 200, self.server.twilio.message_json(message))

    def _remove(self, request: RecordedRequest, found: re.Match) -> None:
        """DELETE Messages/<Sid>.json: 204 the first time, 404 after that, unless a plan says otherwise."""
        twilio = self.server.twilio
        plan = twilio._next_plan()
        if plan is not None and plan.kind == "error":
            self._answer_error(request, plan)
        elif not twilio._delete(found["sid"]):
            self._answer(request, 404, NOT_FOUND)
        elif self._stall_or_drop(plan):
            self._answer_empty(request, 204)

    # method → (the path it serves, its handler); any other path answers 404
    ROUTES = {
        "POST": (MESSAGES_PATH, _create),
        "GET": (MESSAGE_PATH, _fetch),
        "DELETE": (DELETE_PATH, _remove),
    }

    # Reading and answering ------------------------------------------------------------------

    def _read_form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        return {name: values[-1] for name, values in parse_qs(raw, keep_blank_values=True).items()}

    def _basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except ValueError:
            return None
        return user, password

    def _stall_or_drop(self, plan: _Plan | None, message: Message | None = None) -> bool:
        """Carry out a "stall" or "drop" plan; False when the connection was dropped (no answer)."""
        if plan is not None and plan.kind == "drop":
            self._drop(plan.reset)
            return False
        twilio = self.server.twilio
        if plan is not None and plan.kind == "stall":
            twilio._stopping.wait(plan.seconds)
        elif message is not None and twilio.hang_every and message.ordinal % twilio.hang_every == 0:
            twilio._stopping.wait(twilio.hang_seconds)
        elif twilio.latency:
            twilio._stopping.wait(twilio.latency)
        return True

    def _answer_error(self, request: RecordedRequest, plan: _Plan) -> None:
        self._answer(request, plan.status,
                     self.server.twilio.error_json(plan.status, plan.code, plan.message, request.form))

    def _answer_empty(self, request: RecordedRequest, status: int) -> None:
        request.answered = status
        try:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            self.close_connection = True

    def _answer(self, request: RecordedRequest, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode("utf-8")
        request.answered = status
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (a timeout test): nothing to answer to
            self.close_connection = True

    def _drop(self, reset: bool) -> None:
        self.close_connection = True
        if reset:  # SO_LINGER 0: close with RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
