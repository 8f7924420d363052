from __future__ import annotations

from accompany.volunteer import bp  # noqa: F401
