"""A stateful loopback Discord server (REST v10 + gateway) for end-to-end tests.

The real discord.py client talks to it over HTTP/websocket on 127.0.0.1::

    server = await FakeDiscord().start()          # or the ``fake_discord`` fixture
    with point_discord_at(server):                # Route.BASE + DEFAULT_GATEWAY
        guild = await server.add_guild("Mentoring")
        general = await server.add_channel(guild.id, "general")
        alice = await server.add_member(guild.id, None, "alice", nick="Ali")
        async with running(bot, server):          # login + connect + wait for READY
            h = await server.send_slash(guild.id, general.id, alice.id, "mentor", {"topic": "rust"})
            reply = await h.response()            # {"type": 4, "data": {...}}
            click = await server.click_button(h.original, "mentor:accept", alice.id)
            modal = await server.send_slash(guild.id, general.id, alice.id, "goal")
            await modal.response()                # type 9; modal.modal / modal_labels()
            done = await server.submit_modal(modal, {"Goal": "learn asyncio"})
    await server.stop()

Modules: ``server`` (app, middleware, point_discord_at), ``driver`` (state-changing
test helpers), ``interactions``/``handle`` (interaction simulation), ``webhooks``
(callbacks, followups), ``rest``/``channels``/``commands`` (REST routes),
``gateway`` (websocket), ``ratelimit`` (buckets + request stats), ``state``/
``payloads``/``models`` (plain data and JSON shapes), ``harness`` (``running``),
``logcheck`` (ERROR-record collector).
"""

from .harness import running
from .interactions import InteractionHandle
from .models import (
    CATEGORY,
    DM,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    RequestRecord,
    Role,
    User,
)
from .server import FakeDiscord, point_discord_at
from .state import ApiError

__all__ = [
    "CATEGORY",
    "DM",
    "PRIVATE_THREAD",
    "PUBLIC_THREAD",
    "TEXT",
    "ApiError",
    "Attachment",
    "Channel",
    "FakeDiscord",
    "Guild",
    "InteractionHandle",
    "Member",
    "Message",
    "RequestRecord",
    "Role",
    "User",
    "point_discord_at",
    "running",
]
