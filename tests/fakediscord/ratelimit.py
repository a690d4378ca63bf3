"""Discord-like REST rate limiting plus request statistics.

Buckets are per (method, route template, major parameters) with a fixed window
that starts at the first request, like Discord's.  A global limit (default
50 requests per second) applies to every authenticated route except the
interaction callback / interaction webhook routes.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .models import RequestRecord

MAJOR_PARAMS = (
    "channel_id",
    "guild_id",
    "webhook_id",
    "webhook_token",
    "application_id",
    "interaction_id",
    "token",
)
# Routes that Discord exempts from the global limit.
INTERACTION_ROUTE_PREFIXES = ("/interactions/", "/webhooks/")


def _ceil_ms(seconds: float) -> float:
    """Round up to whole milliseconds (at least 1 ms), as the headers carry 3 decimals."""
    return max(0.001, math.ceil(seconds * 1000) / 1000)


@dataclass
class Bucket:
    limit: int
    per: float
    hash: str
    remaining: int = 0
    reset_at: float = 0.0  # time.monotonic()

    def refresh(self, now: float) -> None:
        if now >= self.reset_at:
            self.remaining = self.limit
            self.reset_at = now + self.per


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    bucket: str | None = None
    global_limit: bool = False


class RateLimiter:
    """Configurable Discord rate limit emulation.

    ``limits`` maps ``(METHOD, route_template)`` to ``(limit, per_seconds)``;
    route templates look like ``/channels/{channel_id}/messages``.
    """

    def __init__(self) -> None:
        self.enabled = True
        self.send_headers = True
        self.global_limit = 50  # requests per global_window, all routes but interactions
        self.global_window = 1.0  # seconds
        self.default_limit: tuple[int, float] | None = (50, 1.0)
        self.limits: dict[tuple[str, str], tuple[int, float]] = {
            ("POST", "/channels/{channel_id}/messages"): (5, 5.0),
        }
        self.buckets: dict[tuple[str, str, tuple[Any, ...]], Bucket] = {}
        self._global_window: deque[float] = deque()
        self.records: list[RequestRecord] = []

    # ------------------------------------------------------------ configuration
    def set_limit(self, method: str, route: str, limit: int, per: float) -> None:
        """Change a route's bucket size (affects buckets created afterwards too)."""
        self.limits[(method.upper(), route)] = (int(limit), float(per))
        for key in [k for k in self.buckets if k[:2] == (method.upper(), route)]:
            del self.buckets[key]

    def drain(self, method: str, route: str, **major: Any) -> Bucket:
        """Exhaust a bucket now, as if another process had just used it up."""
        bucket = self._bucket(method.upper(), route, self._major(major))
        if bucket is None:
            raise KeyError(f"no rate limit configured for {method} {route}")
        bucket.refresh(time.monotonic())
        bucket.remaining = 0
        return bucket

    def reset(self) -> None:
        """Forget all bucket state and statistics."""
        self.buckets.clear()
        self._global_window.clear()
        self.records.clear()

    # ---------------------------------------------------------------- decisions
    @staticmethod
    def _major(params: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(str(params[k]) for k in MAJOR_PARAMS if k in params)

    def _bucket(self, method: str, route: str, major: tuple[Any, ...]) -> Bucket | None:
        conf = self.limits.get((method, route))
        if conf is None:
            if route.startswith(INTERACTION_ROUTE_PREFIXES) or self.default_limit is None:
                return None
            conf = self.default_limit
        key = (method, route, major)
        bucket = self.buckets.get(key)
        if bucket is None:
            digest = hashlib.sha1(f"{method} {route}".encode()).hexdigest()[:16]
            bucket = self.buckets[key] = Bucket(conf[0], conf[1], digest)
        return bucket

    def check(self, method: str, route: str | None, params: dict[str, Any]) -> Decision:
        if not self.enabled or route is None:
            return Decision(True)
        now = time.monotonic()
        if self.global_limit and not route.startswith(INTERACTION_ROUTE_PREFIXES):
            while self._global_window and self._global_window[0] <= now - self.global_window:
                self._global_window.popleft()
            if len(self._global_window) >= self.global_limit:
                retry = _ceil_ms(self._global_window[0] + self.global_window - now)
                return Decision(
                    False,
                    self._limited_headers(retry, scope="global"),
                    self._limited_body(retry, True),
                    global_limit=True,
                )
        bucket = self._bucket(method, route, self._major(params))
        if bucket is not None:
            bucket.refresh(now)
            if bucket.remaining <= 0:
                retry = _ceil_ms(bucket.reset_at - now)
                headers = self._limited_headers(retry, scope="user")
                headers.update(self._bucket_headers(bucket, now))
                return Decision(False, headers, self._limited_body(retry, False), bucket.hash)
            bucket.remaining -= 1
        if self.global_limit and not route.startswith(INTERACTION_ROUTE_PREFIXES):
            self._global_window.append(now)
        if bucket is None:
            return Decision(True)
        headers = self._bucket_headers(bucket, now) if self.send_headers else {}
        return Decision(True, headers, bucket=bucket.hash)

    @staticmethod
    def _bucket_headers(bucket: Bucket, now: float) -> dict[str, str]:
        # Rounded *up* so a client that obeys the headers never arrives early.
        reset_after = _ceil_ms(bucket.reset_at - now)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(0, bucket.remaining)),
            "X-RateLimit-Reset": f"{_ceil_ms(time.time() + reset_after):.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket.hash,
        }

    @staticmethod
    def _limited_headers(retry: float, *, scope: str) -> dict[str, str]:
        headers = {
            "Retry-After": str(math.ceil(retry)),
            "X-RateLimit-Scope": scope,
            # discord.py treats a 429 without Via as a Cloudflare ban.
            "Via": "1.1 google",
        }
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        return headers

    @staticmethod
    def _limited_body(retry: float, is_global: bool) -> dict[str, Any]:
        return {
            "message": "You are being rate limited.",
            "retry_after": retry,
            "global": is_global,
            "code": 0,
        }

    # --------------------------------------------------------------- statistics
    def select(
        self, method: str | None = None, route: str | None = None, *, status: int | None = None
    ) -> list[RequestRecord]:
        return [
            r
            for r in self.records
            if (method is None or r.method == method.upper())
            and (route is None or r.route == route)
            and (status is None or r.status == status)
        ]

    def count(
        self, method: str | None = None, route: str | None = None, *, status: int | None = None
    ) -> int:
        return len(self.select(method, route, status=status))

    @property
    def rate_limited(self) -> list[RequestRecord]:
        """Every request that was answered with 429."""
        return [r for r in self.records if r.rate_limited]

    def peak_rps(
        self, window: float = 1.0, method: str | None = None, route: str | None = None
    ) -> float:
        """Highest number of requests in any sliding ``window`` seconds, per second."""
        times = sorted(r.at for r in self.select(method, route))
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while times[lo] <= t - window:
                lo += 1
            best = max(best, hi - lo + 1)
        return best / window
