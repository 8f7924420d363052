"""Sending SMS: one small gateway interface (`gateway.py`) with console, Twilio and fake backends."""

from accompany.services.messaging.sms.gateway import (
    FinalError,
    Gateway,
    RetryableError,
    SendError,
    SendResult,
    UnknownOutcome,
    current_gateway,
    init_gateway,
)

__all__ = [
    "FinalError",
    "Gateway",
    "RetryableError",
    "SendError",
    "SendResult",
    "UnknownOutcome",
    "current_gateway",
    "init_gateway",
]
