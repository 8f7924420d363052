"""The test backend: keeps every send in memory and can be told to fail.

    gateway = current_gateway()
    gateway.fail_next(FinalError(code="21610"))     # the next send raises it
    ...
    assert gateway.sent == [("+16175550142", "Reminder: ...")]

A primed `UnknownOutcome` counts the message as sent before raising, as a carrier that accepted
the request but whose answer was lost would (pass `reached=False` to say otherwise).
"""

from __future__ import annotations

import threading
import uuid

from accompany.models.enums import MessageState
from accompany.sms.gateway import SendError, SendResult, UnknownOutcome


class FakeGateway:
    """In-memory gateway for tests: records (to, body), returns QUEUED with a made-up SID."""

    def __init__(self):
        self._lock = threading.Lock()  # two senders in threads may share one fake
        self.sent: list[tuple[str, str]] = []
        self.status_callbacks: list[str | None] = []
        self.results: list[SendResult] = []
        self.attempts = 0
        self._failures: list[tuple[SendError, bool]] = []

    def fail_next(self, error: SendError, *, times: int = 1, reached: bool | None = None) -> None:
        """Make the next `times` sends raise `error`. `reached`: does the message count as
        sent anyway (default: only for UnknownOutcome)?"""
        if reached is None:
            reached = isinstance(error, UnknownOutcome)
        with self._lock:
            self._failures.extend([(error, reached)] * times)

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        with self._lock:
            self.attempts += 1
            failure = self._failures.pop(0) if self._failures else None
            if failure is not None and not failure[1]:
                raise failure[0]
            self.sent.append((to, body))
            self.status_callbacks.append(status_callback)
            result = SendResult(provider_sid="SM" + uuid.uuid4().hex, state=MessageState.QUEUED)
            self.results.append(result)
            if failure is not None:
                raise failure[0]
            return result

    def clear(self) -> None:
        """Forget what was sent and any primed failures."""
        with self._lock:
            self.sent.clear()
            self.status_callbacks.clear()
            self.results.clear()
            self._failures.clear()
            self.attempts = 0
