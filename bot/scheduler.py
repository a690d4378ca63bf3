"""Periodic sweeps: APScheduler fires them, the database says what is due."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select
from sqlmodel import col

from bot.core.services import Services
from storage.models import Community

log = logging.getLogger(__name__)


def sweep_interval(request_timeout: timedelta) -> float:
    """How often to look for due work: a quarter of the timeout, between 1 s and 60 s."""
    return min(max(request_timeout.total_seconds() / 4, 1.0), 60.0)


class Sweeper:
    """The periodic jobs of one process."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.scheduler = AsyncIOScheduler(timezone="UTC")

    async def sweep_requests(self) -> None:
        """Time out unanswered offers, then offer waitlisted requests to free mentors."""
        try:
            await self.services.requests.expire_due()
            async with self.services.ctx.db() as s:
                ids = list((await s.execute(select(col(Community.id)))).scalars())
            for community_id in ids:
                await self.services.requests.serve_waitlist(community_id or 0)
        except Exception:
            log.exception("request sweep failed; it runs again at the next interval")

    def start(self) -> None:
        """Start the jobs on the running event loop."""
        every = sweep_interval(self.services.ctx.programme.request_timeout)
        self.scheduler.add_job(
            self.sweep_requests,
            "interval",
            seconds=every,
            id="requests",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.start()

    def stop(self) -> None:
        """Stop without waiting for a running sweep (its claims are in the database)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
