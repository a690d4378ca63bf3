"""Wiring: settings -> database -> core -> front-ends."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.context import Context
from bot.core.services import Services
from bot.scheduler import Sweeper
from storage.db import create_engine, session_factory
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@asynccontextmanager
async def core(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Services]:
    """A migrated database and the services on top of it; disposed on exit."""
    engine = create_engine(settings.bot.database_url)
    try:
        await upgrade(engine)
        ctx = Context(
            db=session_factory(engine),
            clock=clock or SystemClock(),
            programme=settings.mentoring.programme(),
            locale=settings.bot.locale,
        )
        yield Services(ctx)
    finally:
        await engine.dispose()


async def run(settings: Settings) -> None:
    """Run every configured front-end; with none configured, the console community."""
    async with core(settings) as services:
        sweeper = Sweeper(services)
        sweeper.start()
        try:
            if settings.discord.enabled or settings.matrix.enabled:
                log.error("Discord and Matrix front-ends are not part of this build yet")
                return
            from bot.platforms.console.runner import run_console, stdin_lines

            await run_console(services, stdin_lines(), interactive=sys.stdin.isatty())
        finally:
            sweeper.stop()


async def migrate_only(settings: Settings) -> None:
    """`mentorbot db upgrade`."""
    engine = create_engine(settings.bot.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
