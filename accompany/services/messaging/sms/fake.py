"""The test backend: keeps every send in memory and can be told to fail.

    gateway = current_gateway()
    gateway.fail_next(FinalError(code="21610"))     # the next send raises it
    ...
    assert gateway.sent == [("+16175550142", "Reminder: ...")]

A primed `UnknownOutcome` counts the message as sent before raising, as a carrier that accepted
the request but whose answer was lost would (pass `reached=False` to say otherwise).

Deleting a message's record is recorded too, and can be told to fail:

    gateway.fail_next_delete(DeleteError("Twilio answered HTTP 500"))
    ...
    assert gateway.deleted == ["SM…"]      # each SID once; a second delete answers False
"""

from __future__ import annotations

import threading
import uuid

from accompany.models.enums import MessageState
from accompany.services.messaging.sms.gateway import DeleteError, SendError, SendResult, UnknownOutcome


class FakeGateway:
    """In-memory gateway for tests: records (to, body), returns QUEUED with a made-up SID."""

    def __init__(self):
        self._lock = threading.Lock()  # two senders in threads may share one fake
        self.sent: list[tuple[str, str]] = []
        self.status_callbacks: list[str | None] = []
        self.valid_for: list[int | None] = []  # each send's validity, in seconds
        self.results: list[SendResult] = []
        self.attempts = 0
        self._failures: list[tuple[SendError, bool]] = []
        self.calls: list[tuple[str, str]] = []  # voice calls placed: (to, spoken words)
        self.call_languages: list[str] = []  # the language each call was spoken in
        self.deleted: list[str] = []  # SIDs whose record was deleted, in order
        self.delete_attempts: list[str] = []  # every SID asked for, failed or not
        self._delete_failures: list[DeleteError] = []

    def fail_next(self, error: SendError, *, times: int = 1, reached: bool | None = None) -> None:
        """Make the next `times` sends raise `error`. `reached`: does the message count as
        sent anyway (default: only for UnknownOutcome)?"""
        if reached is None:
            reached = isinstance(error, UnknownOutcome)
        with self._lock:
            self._failures.extend([(error, reached)] * times)

    def send(self, to: str, body: str, *, status_callback: str | None = None,
             valid_for: int | None = None) -> SendResult:
        with self._lock:
            self.attempts += 1
            failure = self._failures.pop(0) if self._failures else None
            if failure is not None and not failure[1]:
                raise failure[0]
            self.sent.append((to, body))
            self.status_callbacks.append(status_callback)
            self.valid_for.append(valid_for)
            result = SendResult(provider_sid="SM" + uuid.uuid4().hex, state=MessageState.QUEUED)
            self.results.append(result)
            if failure is not None:
                raise failure[0]
            return result

    def call(self, to: str, spoken: str, *, language: str = "en") -> SendResult:
        """A voice call: recorded in `calls`; a primed failure applies to it as to a text."""
        with self._lock:
            self.attempts += 1
            failure = self._failures.pop(0) if self._failures else None
            if failure is not None and not failure[1]:
                raise failure[0]
            self.calls.append((to, spoken))
            self.call_languages.append(language)
            result = SendResult(provider_sid="CA" + uuid.uuid4().hex, state=MessageState.QUEUED)
            self.results.append(result)
            if failure is not None:
                raise failure[0]
            return result

    def fail_next_delete(self, error: DeleteError, *, times: int = 1) -> None:
        """Make the next `times` deletions raise `error` (nothing is deleted)."""
        with self._lock:
            self._delete_failures.extend([error] * times)

    def delete_message(self, provider_sid: str) -> bool:
        with self._lock:
            self.delete_attempts.append(provider_sid)
            if self._delete_failures:
                raise self._delete_failures.pop(0)
            if provider_sid in self.deleted:
                return False  # already gone, as the carrier's 404 says
            self.deleted.append(provider_sid)
            return True

    def clear(self) -> None:
        """Forget what was sent and deleted, and any primed failures."""
        with self._lock:
            self.sent.clear()
            self.calls.clear()
            self.call_languages.clear()
            self.status_callbacks.clear()
            self.valid_for.clear()
            self.results.clear()
            self._failures.clear()
            self.attempts = 0
            self.deleted.clear()
            self.delete_attempts.clear()
            self._delete_failures.clear()
