"""The development backend: prints each text to the terminal instead of sending it (and a line
for each message record a purge deletes).

It prints (never logs): the body belongs on a developer's screen, not in log files. The number
is masked all the same, so a terminal shared on a call shows no one's phone.
"""

from __future__ import annotations

import sys
import threading
import uuid
from typing import TextIO

from accompany.models.enums import MessageState
from accompany.phones import mask_phone
from accompany.services.messaging.sms.gateway import SendResult


class ConsoleGateway:
    """Prints the message with the number masked; every send counts as sent."""

    def __init__(self, stream: TextIO | None = None):
        self._stream = stream
        self._lock = threading.Lock()  # one message's lines stay together

    def send(self, to: str, body: str, *, status_callback: str | None = None,
             valid_for: int | None = None) -> SendResult:
        sid = f"console-{uuid.uuid4().hex}"
        stream = self._stream or sys.stdout  # looked up per send, so redirected stdout is honoured
        with self._lock:
            print(f"--- SMS to {mask_phone(to)} ({sid}) ---", file=stream)
            print(body, file=stream)
            print("--- end of SMS ---", file=stream, flush=True)
        return SendResult(provider_sid=sid, state=MessageState.SENT)

    def call(self, to: str, spoken: str, *, language: str = "en") -> SendResult:
        """Print the voice call that would be placed, and what it would say."""
        sid = f"console-call-{uuid.uuid4().hex}"
        stream = self._stream or sys.stdout
        with self._lock:
            print(f"--- Voice call to {mask_phone(to)} ({sid}, spoken in {language}) ---", file=stream)
            print(spoken, file=stream)
            print("--- end of call ---", file=stream, flush=True)
        return SendResult(provider_sid=sid, state=MessageState.SENT)

    def delete_message(self, provider_sid: str) -> bool:
        """Nothing is stored at a carrier in development: say what would be deleted."""
        stream = self._stream or sys.stdout
        with self._lock:
            print(f"--- SMS record {provider_sid} deleted (console: nothing was stored at a carrier) ---",
                  file=stream, flush=True)
        return True
