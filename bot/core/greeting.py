"""Greeting newcomers in batches so a join raid never floods a channel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from bot.core.community import CommunityService
from bot.core.context import Context
from bot.core.i18n import t
from bot.core.ports import Message

log = logging.getLogger(__name__)

MAX_MENTIONS = 20


@dataclass
class _Pending:
    user_ids: list[str] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


Flush = Callable[[str, list[str]], Awaitable[None]]


class GreetingBatcher:
    """Joins within `window` seconds of the first unsent one are greeted together.

    `flush(community, user_ids)` is awaited with at most MAX_MENTIONS ids at a time, one
    batch after another, so the sender's pacing decides the rate, never the join rate.
    """

    def __init__(self, flush: Flush, window: float = 5.0) -> None:
        self._flush = flush
        self.window = window
        self._pending: dict[str, _Pending] = {}
        self._queue: asyncio.Queue[tuple[str, list[str]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._busy = 0

    def joined(self, community: str, user_id: str) -> None:
        """Queue a greeting for one member."""
        pending = self._pending.setdefault(community, _Pending())
        if user_id in pending.user_ids:
            return
        pending.user_ids.append(user_id)
        if len(pending.user_ids) >= MAX_MENTIONS:
            self._release(community)
        elif pending.timer is None:
            loop = asyncio.get_running_loop()
            pending.timer = loop.call_later(self.window, self._release, community)

    def _release(self, community: str) -> None:
        pending = self._pending.pop(community, None)
        if pending is None:
            return
        if pending.timer is not None:
            pending.timer.cancel()
        for start in range(0, len(pending.user_ids), MAX_MENTIONS):
            self._queue.put_nowait((community, pending.user_ids[start : start + MAX_MENTIONS]))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while not self._queue.empty():
            community, batch = self._queue.get_nowait()
            self._busy += 1
            try:
                await self._flush(community, batch)
            except Exception:
                log.exception("greeting %d members failed", len(batch))
            finally:
                self._busy -= 1

    async def drain(self) -> None:
        """Send everything still waiting now (shutdown, end of a console script)."""
        for community in list(self._pending):
            self._release(community)
        if self._worker is not None:
            await self._worker

    @property
    def idle(self) -> bool:
        """Nothing waiting or being sent."""
        return not self._pending and self._queue.empty() and self._busy == 0


class GreetingService:
    """Welcome newcomers in the welcome channel/room, the same on every platform."""

    def __init__(self, ctx: Context, community: CommunityService) -> None:
        self.ctx = ctx
        self.community = community

    def batcher(self, platform: str, *, window: float) -> GreetingBatcher:
        """The join batcher a front-end feeds: batches are greeted through this service."""
        return GreetingBatcher(partial(self.greet, platform), window=window)

    async def greet(self, platform: str, community: str, user_ids: list[str]) -> None:
        """One welcome message naming these members (at most MAX_MENTIONS)."""
        ref = await self.community.ref_for(platform, community)
        if ref is None:
            return
        locale = await self.community.locale_for(ref)
        port = self.ctx.platform(platform)
        mentions = " ".join(port.mention(u) for u in user_ids)
        text = t(locale, "greet.welcome", mentions=mentions, command=port.command_hint("mentor"))
        help_channel = await port.channel_link(ref, "help")
        if help_channel:
            text += " " + t(locale, "greet.help_channel", channel=help_channel)
        await port.send_to_channel(ref, "welcome", Message(text, mentions=tuple(user_ids)))
