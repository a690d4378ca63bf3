"""Client-side pacing: discord.py waits out 429s but never avoids them; this does."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict


class TokenBucket:
    """`rate` tokens per `per` seconds, at most `burst` (default `rate`) at once."""

    def __init__(self, rate: int, per: float, burst: int | None = None) -> None:
        self.rate, self.per = rate, per
        self.burst = burst or rate
        self.tokens = float(self.burst)
        self.updated = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait until a token is free, then use it."""
        async with self.lock:
            while True:
                now = time.monotonic()
                refill = (now - self.updated) * self.rate / self.per
                self.tokens = min(self.burst, self.tokens + refill)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) * self.per / self.rate)


class Pacer:
    """One bucket per channel (Discord allows 5 messages / 5 s) and one for the whole bot
    (Discord allows 50 requests / s: 36 and a burst of 2 keep any second under 40,
    leaving room for interactive traffic)."""

    def __init__(
        self,
        per_channel: tuple[int, float] = (4, 5.0),
        overall: tuple[int, float, int] = (36, 1.0, 2),
    ) -> None:
        self._channels: defaultdict[int, TokenBucket] = defaultdict(
            lambda: TokenBucket(*per_channel)
        )
        self._overall = TokenBucket(*overall)

    async def wait(self, channel_id: int) -> None:
        """Before sending a message to `channel_id`."""
        await self._channels[channel_id].take()
        await self._overall.take()

    async def wait_overall(self) -> None:
        """Before any other REST call the bot makes on its own (threads, DMs)."""
        await self._overall.take()
