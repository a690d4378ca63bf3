"""Run a FakeDiscord on its own event loop in a thread, for benchmarks.

In a test the server shares the bot's event loop, so a busy bot delays the server and the
server sees requests in bursts that the bot never sent. Real Discord is elsewhere; for
figures like "peak requests per second" the server must not share the bot's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import AsyncIterator
from typing import Any

from .server import FakeDiscord


class ThreadedServer:
    """Forwards to a FakeDiscord running in another thread; coroutines run on its loop."""

    def __init__(self, server: FakeDiscord, loop: asyncio.AbstractEventLoop) -> None:
        self._server = server
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._server, name)
        if inspect.iscoroutinefunction(value):

            async def call(*args: Any, **kwargs: Any) -> Any:
                future = asyncio.run_coroutine_threadsafe(value(*args, **kwargs), self._loop)
                return await asyncio.wrap_future(future)

            return call
        return value


@contextlib.asynccontextmanager
async def threaded_server() -> AsyncIterator[Any]:
    """A started FakeDiscord on its own thread; stopped on exit."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fakediscord", daemon=True)
    thread.start()
    server = FakeDiscord()
    await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(server.start(), loop))
    try:
        yield ThreadedServer(server, loop)
    finally:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(server.stop(), loop))
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
