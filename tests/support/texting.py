"""Sending what the outbox holds, as the scheduler would, and reading what reached a phone."""

from __future__ import annotations

import re

from accompany.services.messaging.dispatch import send_due
from accompany.services.messaging.sms.gateway import current_gateway

CODE = re.compile(r"\b(\d{6})\b")


def send_texts() -> list[tuple[str, str]]:
    """Send every due text through the fake gateway now; (number, body) for each that went."""
    gateway = current_gateway()
    before = len(gateway.sent)
    send_due(gateway, rate=0)
    return gateway.sent[before:]


def code_texted_to(number: str) -> str:
    """Send what is due and return the one-time code in the last text that went to `number`."""
    send_texts()
    bodies = [body for to, body in current_gateway().sent if to == number]
    assert bodies, f"nothing was texted to …{number[-4:]}"
    found = CODE.search(bodies[-1])
    assert found, "the last text to that number carries no code"
    return found.group(1)
