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
from bot.startup import (
    EXIT_CONFIG,
    EXIT_CONNECTION,
    EXIT_OTHER,
    PATIENCE,
    StartupError,
    reason,
    retrying,
)
from storage.db import (
    DatabaseProblem,
    Engine,
    check_usable,
    create_engine,
    prepare_sqlite,
    session_factory,
)
from storage.migrate import upgrade

log = logging.getLogger(__name__)

# The Discord front-end's cogs, one per feature (loaded as discord.py extensions).
DISCORD_COGS = (
    "cogs.greeting", "cogs.requests", "cogs.mentors", "cogs.profiles", "cogs.pairs",
    "cogs.goals", "cogs.recognition", "cogs.privacy", "cogs.safety", "cogs.moderation",
    "cogs.community", "cogs.reports", "cogs.cohorts", "cogs.office_hours", "cogs.circles",
    "cogs.tandem",
)  # fmt: skip


async def open_database(settings: Settings, patience: float = PATIENCE) -> Engine:
    """A reachable, writable, migrated database; fatal problems raise StartupError."""
    url = settings.bot.database_url
    try:
        prepare_sqlite(url)
    except OSError as err:
        raise StartupError(f"bot.database_url: cannot create the folder of {url} "
                           f"({err.strerror}); create it or choose another path",
                           EXIT_CONFIG) from err  # fmt: skip
    engine = create_engine(url)

    def give_up(err: BaseException) -> StartupError:
        problem = err if isinstance(err, DatabaseProblem) else None
        if problem is None:
            return StartupError(f"bot.database_url: {reason(err)}", EXIT_OTHER)
        waited = f" after {patience:.0f} s" if problem.transient else ""
        code = EXIT_CONNECTION if problem.transient or "login" in problem.what else EXIT_CONFIG
        return StartupError(f"bot.database_url: {problem.what}{waited}; {problem.fix}", code)

    try:
        await retrying(lambda: check_usable(engine), patience=patience, what="the database",
                       transient=lambda e: isinstance(e, DatabaseProblem) and e.transient,
                       give_up=give_up)  # fmt: skip
        try:
            await upgrade(engine)
        except Exception as err:
            raise StartupError(f"the database could not be migrated to this version "
                               f"({reason(err)}); restore a backup or ask for help",
                               EXIT_OTHER) from err  # fmt: skip
    except BaseException:
        await engine.dispose()
        raise
    return engine


@asynccontextmanager
async def core(
    settings: Settings, clock: Clock | None = None, *, patience: float = PATIENCE
) -> AsyncIterator[Services]:
    """A migrated database and the services on top of it; disposed on exit."""
    engine = await open_database(settings, patience)
    try:
        ctx = Context(
            db=session_factory(engine),
            clock=clock or SystemClock(),
            programme=settings.mentoring.programme(),
            locale=settings.bot.locale,
        )
        yield Services(ctx)
    finally:
        await engine.dispose()


class Signals:
    """SIGINT/SIGTERM: during start-up they cancel it at once; once running, they stop it."""

    def __init__(self) -> None:
        self.stop = asyncio.Event()
        self.started = False
        self._main = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # mentorbot runs on Unix only
            loop.add_signal_handler(sig, self._on_signal)

    def _on_signal(self) -> None:
        self.stop.set()
        if not self.started and self._main is not None:
            self._main.cancel()


async def run(settings: Settings, *, patience: float = PATIENCE) -> None:
    """Run every configured front-end; with none configured, the console community."""
    signals = Signals()
    async with core(settings, patience=patience) as services:
        if settings.discord.enabled or settings.matrix.enabled:
            await run_chat(settings, services, signals.stop, patience=patience, signals=signals)
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


async def run_chat(
    settings: Settings,
    services: Services,
    stop: asyncio.Event | None = None,
    *,
    patience: float = PATIENCE,
    signals: Signals | None = None,
) -> None:
    """Discord and/or Matrix on one core (each community separate) until `stop` or a signal.

    A front-end that cannot start, or stops for good, raises StartupError (a non-zero exit).
    """
    signals = signals or Signals()
    stop = stop or signals.stop
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
            tasks.append(asyncio.create_task(bot.serve(token, patience=patience), name="discord"))
        if matrix is not None:
            await matrix.start(ready_timeout=patience)
        await sweeper.start()
        services.activity.start()
        signals.started = True
        waiter = asyncio.create_task(stop.wait(), name="stop")
        tasks.append(waiter)
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            error = None if task is waiter or task.cancelled() else task.exception()
            if isinstance(error, StartupError):
                raise error
            if error is not None or task is not waiter:
                what = reason(error) if error is not None else "it closed"
                raise StartupError(f"{task.get_name()} stopped ({what})", EXIT_OTHER)
    finally:
        # Bounded, so a supervisor's SIGTERM ends the process within seconds in any phase.
        sweeper.stop()
        await services.activity.stop()
        if matrix is not None:
            await matrix.stop(grace=2.0)
        if bot is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bot.greeter.drain(), 2.0)
            await bot.close()
        for task in tasks:
            task.cancel()


async def migrate_only(settings: Settings) -> None:
    """`mentorbot db upgrade`."""
    engine = await open_database(settings)
    await engine.dispose()
