"""Message counts per member per day, for retention: counted in memory, written in batches.

Only counts are kept, never content. Front-ends call `saw()` for every message a human member
posts in a community; the counter adds them up in memory and writes them with one upsert
statement per flush, every `interval` seconds or as soon as `max_pending` member-days are
waiting, and once more on `stop()`. Members the database does not know yet (never joined or
used the bot while it ran) are skipped: retention is measured for members whose join was
recorded, and those always have a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import UTC, date, datetime

from bot.core.clock import Clock
from storage.db import SessionFactory
from storage.repositories import activity as repo

log = logging.getLogger(__name__)

Key = tuple[str, str, str, date]  # platform, community external id, user id, UTC day


class ActivityCounter:
    """Counts messages per (community, member, day) and flushes them in batches."""

    def __init__(self, db: SessionFactory, clock: Clock, *, interval: float = 60.0,
                 max_pending: int = 2000) -> None:  # fmt: skip
        self.db, self.clock = db, clock
        self.interval, self.max_pending = interval, max_pending
        self._pending: Counter[Key] = Counter()
        self._loop_task: asyncio.Task[None] | None = None
        self._flushes: set[asyncio.Task[int]] = set()
        self.statements = 0

    @property
    def pending(self) -> int:
        """Distinct member-days waiting to be written."""
        return len(self._pending)

    def saw(self, platform: str, community: str, user_id: str, count: int = 1, *,
            at: datetime | None = None) -> None:  # fmt: skip
        """Count `count` messages by `user_id` in a community on the UTC day of `at` (default:
        now; pass the message's own time for messages caught up after a restart). Cheap."""
        when = (at or self.clock.now()).astimezone(UTC)
        self._pending[(platform, community, user_id, when.date())] += count
        if len(self._pending) >= self.max_pending and not self._flushes:
            with contextlib.suppress(RuntimeError):  # no running loop: the next flush takes it
                task = asyncio.get_running_loop().create_task(self.flush())
                self._flushes.add(task)
                task.add_done_callback(self._flushes.discard)

    async def flush(self) -> int:
        """Write everything counted so far; returns the statements used (0 when idle)."""
        batch, self._pending = self._pending, Counter()
        if not batch:
            return 0
        try:
            async with self.db.begin() as tx:
                used = await repo.add_activity(tx, counts=batch)
        except Exception:
            log.exception("could not write activity for %d member-days; kept for later", len(batch))
            self._pending.update(batch)
            return 0
        self.statements += used
        return used

    def start(self) -> None:
        """Flush every `interval` seconds in the background (call from a running loop)."""
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.flush()

    async def stop(self) -> None:
        """Stop the background flushes and write what is left (at shutdown)."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)
        await self.flush()
