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
        await sweeper.start()
        try:
            if settings.discord.enabled or settings.matrix.enabled:
                await run_chat(settings, services)
            else:
                from bot.platforms.console.runner import run_console, stdin_lines

                await run_console(services, stdin_lines(), interactive=sys.stdin.isatty())
        finally:
            sweeper.stop()


async def run_chat(settings: Settings, services: Services) -> None:
    """Discord and/or Matrix on one core until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[None]] = []
    bot = None
    if settings.discord.enabled:
        from bot.platforms.discord.client import create_bot

        bot = create_bot(settings, services)
        token = settings.discord.token.get_secret_value()
        tasks.append(asyncio.create_task(bot.start(token), name="discord"))
    waiter = asyncio.create_task(stop.wait(), name="stop")
    try:
        done, _ = await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                log.error("front-end %s stopped: %s", task.get_name(), task.exception())
    finally:
        if bot is not None:
            await bot.greeter.drain()
            await bot.close()
        for task in [*tasks, waiter]:
            task.cancel()


async def migrate_only(settings: Settings) -> None:
    """`mentorbot db upgrade`."""
    engine = create_engine(settings.bot.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
