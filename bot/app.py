"""Wiring: settings -> database -> core -> front-ends."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
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

# The Discord front-end's cogs, one per feature (loaded as discord.py extensions).
DISCORD_COGS = (
    "cogs.greeting", "cogs.requests", "cogs.mentors", "cogs.profiles", "cogs.pairs",
    "cogs.goals", "cogs.recognition", "cogs.privacy", "cogs.safety", "cogs.moderation",
    "cogs.community", "cogs.reports", "cogs.cohorts", "cogs.office_hours", "cogs.circles",
    "cogs.tandem",
)  # fmt: skip


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
        if settings.discord.enabled or settings.matrix.enabled:
            await run_chat(settings, services)
            return
        from bot.platforms.console.platform import ConsolePlatform
        from bot.platforms.console.runner import run_console, stdin_lines

        console = ConsolePlatform(write=print)
        services.attach(console)
        sweeper = Sweeper(services)
        await sweeper.start()
        services.activity.start()
        try:
            await run_console(services, console, stdin_lines(), interactive=sys.stdin.isatty())
        finally:
            sweeper.stop()
            await services.activity.stop()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def run_chat(
    settings: Settings, services: Services, stop: asyncio.Event | None = None
) -> None:
    """Discord and/or Matrix on one core (each community separate) until `stop` or a signal."""
    stop = stop or _stop_on_signals()
    tasks: list[asyncio.Task[object]] = []
    bot = matrix = None
    sweeper = Sweeper(services)
    try:
        # Platforms are attached before anything starts, so the first sweep can reach them.
        if settings.matrix.enabled:
            from bot.platforms.matrix import MatrixFrontend

            matrix = MatrixFrontend(settings.matrix, services, locale=settings.bot.locale)
            services.attach(matrix.platform)
        if settings.discord.enabled:
            from bot.platforms.discord.client import create_bot

            bot = create_bot(settings, services, cogs=DISCORD_COGS)
            services.attach(bot.platform)
            token = settings.discord.token.get_secret_value()
            tasks.append(asyncio.create_task(bot.start(token), name="discord"))
        if matrix is not None:
            await matrix.start()
        await sweeper.start()
        services.activity.start()
        waiter = asyncio.create_task(stop.wait(), name="stop")
        tasks.append(waiter)
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                log.error("front-end %s stopped: %s", task.get_name(), task.exception())
    finally:
        sweeper.stop()
        await services.activity.stop()
        if matrix is not None:
            await matrix.stop()
        if bot is not None:
            await bot.greeter.drain()
            await bot.close()
        for task in tasks:
            task.cancel()


async def migrate_only(settings: Settings) -> None:
    """`mentorbot db upgrade`."""
    engine = create_engine(settings.bot.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
