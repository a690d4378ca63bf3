"""Run a real discord.py client against a :class:`FakeDiscord` inside a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import discord

    from .server import FakeDiscord

C = TypeVar("C", bound="discord.Client")


@contextlib.asynccontextmanager
async def running(client: C, server: FakeDiscord, *, timeout: float = 10.0) -> AsyncIterator[C]:
    """Log ``client`` in, connect it and wait for ``on_ready``; close it on exit.

    discord.py must already point at ``server`` (see ``point_discord_at`` or the
    ``fake_discord`` fixture).  If the connection dies before READY, its
    exception is raised here instead of a bare timeout.
    """
    await client.login(server.token)
    connect = asyncio.create_task(client.connect(), name="fakediscord-client-connect")
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {connect, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if connect in done:
            connect.result()  # raises the connection error, if any
            raise RuntimeError("client.connect() returned before the client became ready")
        if ready not in done:
            raise TimeoutError(f"client not ready within {timeout}s")
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(connect, timeout=5.0)
