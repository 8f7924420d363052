from __future__ import annotations

from accompany.coordinator import bp  # noqa: F401
