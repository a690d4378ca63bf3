"""Programme settings as core sees them: file defaults merged with per-community overrides."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import Any

from bot.core.durations import parse_duration


@dataclass(frozen=True)
class Programme:
    """The knobs of a mentoring programme (PRODUCT.md [mentoring])."""

    request_timeout: timedelta = timedelta(hours=48)
    max_offer_attempts: int = 3
    checkin_interval: timedelta = timedelta(days=7)
    program_length: timedelta = timedelta(days=90)
    default_capacity: int = 3
    auto_pause_after: int = 2
    mentor_approval: bool = False
    retention: timedelta = timedelta(days=90)

    def merged(self, overrides: dict[str, Any]) -> Programme:
        """These defaults with a community's stored overrides applied (unknown keys ignored)."""
        known = {f.name: f.type for f in fields(self)}
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in known:
                continue
            current = getattr(self, key)
            if isinstance(current, timedelta):
                changes[key] = parse_duration(str(value))
            elif isinstance(current, bool):
                changes[key] = bool(value)
            else:
                changes[key] = int(value)
        return replace(self, **changes)
