"""Human durations: 30s, 15m, 48h, 7d, 2w and combinations like 1h30m."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d{1,9})\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d{1,9}\s*[smhdw]\s*)+$")
MAX_SECONDS = 10 * 365 * 86400


def parse_duration(value: str) -> timedelta:
    """Parse a duration; raise ValueError with what is allowed when it is not one."""
    text = value.strip().lower()
    if not _WHOLE.match(text):
        raise ValueError(
            f"{value!r} is not a duration; use a number with s, m, h, d or w, e.g. 30s, 48h, 7d"
        )
    seconds = sum(int(n) * _UNITS[u] for n, u in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"{value!r} must be longer than zero")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{value!r} is longer than ten years")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The shortest exact rendering, e.g. 172800 s -> '2d'."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0s"
    parts = []
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)
