"""Periodic sweeps: APScheduler fires them, the database says what is due."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.recognition import anniversaries, weekly_digests
from bot.core.services import Services
from bot.core.settings import Programme

log = logging.getLogger(__name__)

MAX_SWEEP = 30.0  # seconds; check-ins must arrive within a quarter interval and at most 60 s
SLOW_STEPS_EVERY = timedelta(hours=1)  # badges for a year, weekly digests, retention


def sweep_interval(programmes: list[Programme]) -> float:
    """A quarter of the shortest interval that matters, between 1 s and 30 s."""
    shortest = min(min(p.request_timeout, p.checkin_interval, p.program_length) for p in programmes)
    return min(max(shortest.total_seconds() / 4, 1.0), MAX_SWEEP)


class Sweeper:
    """The periodic jobs of one process (any number of processes may run them at once)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._daily_done: datetime | None = None  # when the slow steps last ran here
        self.scheduler = AsyncIOScheduler(timezone="UTC")

    async def sweep(self) -> None:
        """Everything that can be due: offers, waitlists, check-ins, programme ends, badges.

        Delivery runs alongside, so the first check-ins go out while later ones are created.
        """
        done = asyncio.Event()
        courier = asyncio.create_task(self._courier(done))
        try:
            await self._steps()
        finally:
            done.set()
            await courier

    async def _courier(self, done: asyncio.Event) -> None:
        while True:
            finished = done.is_set()
            try:
                sent = await self.services.postman.deliver()
            except Exception:
                log.exception("delivery failed; retrying shortly")
                sent = 0
            if not sent:
                if finished:
                    return
                await asyncio.sleep(0.2)

    async def _steps(self) -> None:
        svc, ctx = self.services, self.services.ctx
        steps: tuple[tuple[str, Callable[[], Awaitable[int]]], ...] = (
            ("offers", svc.requests.expire_due),
            ("check-ins", svc.checkins.schedule_checkins),
            ("programme ends", svc.pairs.wrap_up_due),
            ("cohorts", svc.cohorts.sweep),
            ("office hours", svc.office_hours.remind_due),
            ("tandem introductions", svc.tandem.expire_due),
        )
        now = ctx.clock.now()
        if self._daily_done is None or now - self._daily_done >= SLOW_STEPS_EVERY:
            # Day-scale work need not scan the database every few seconds.
            self._daily_done = now
            steps += (
                ("anniversaries", partial(anniversaries, ctx)),
                ("digests", partial(weekly_digests, ctx)),
                ("retention", svc.privacy.forget_departed),
            )
        for name, step in steps:
            try:
                await step()
            except Exception:
                log.exception("sweep step %s failed; it runs again next time", name)
        try:
            for community_id in await svc.community.ids():
                await svc.requests.serve_waitlist(community_id)
        except Exception:
            log.exception("waitlist sweep failed; it runs again next time")

    async def deliver(self) -> None:
        """Send what the outbox holds."""
        try:
            await self.services.postman.drain()
        except Exception:
            log.exception("delivery failed; it runs again next time")

    async def start(self) -> float:
        """Start the jobs on the running loop; returns the sweep interval in seconds."""
        every = sweep_interval(await self.services.community.programmes())
        job = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        self.scheduler.add_job(self.sweep, "interval", seconds=every, id="sweep", **job)
        self.scheduler.add_job(
            self.deliver, "interval", seconds=min(every, 5.0), id="deliver", **job
        )
        self.scheduler.start()
        log.info("sweeping every %s", timedelta(seconds=every))
        return every

    def stop(self) -> None:
        """Stop without waiting for a running sweep (its claims are in the database)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
