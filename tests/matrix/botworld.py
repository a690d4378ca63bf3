"""A mentorbot community on the test Synapse: bot, rooms, core on SQLite, and user helpers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import AsyncClient, RoomPreset, RoomVisibility

from bot.app import core
from bot.config import Settings
from bot.core.services import Services
from bot.platforms.matrix import MatrixFrontend
from tests.matrix.synapse import (
    MakeUserClient,
    RegisteredUser,
    SynapseServer,
    create_room,
    join,
    room_messages,
    sync_until,
    wait_for_message,
)

Event = dict[str, Any]


def body(ev: Event) -> str:
    content = ev.get("content") or {}
    return str(content.get("body", ""))


@dataclass
class BotWorld:
    """One community room (created by the moderator), a moderation room, and the bot."""

    server: SynapseServer
    tmp: Path
    bot: RegisteredUser
    moderator: RegisteredUser
    mod_client: AsyncClient
    room: str
    moderation_room: str
    settings: Settings
    services: Services
    make_user_client: MakeUserClient
    frontend: MatrixFrontend | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    async def start(self, **kwargs: Any) -> MatrixFrontend:
        kwargs.setdefault("greeting_window", 0.3)
        self.frontend = MatrixFrontend(self.settings.matrix, self.services, **kwargs)
        self.services.attach(self.frontend.platform)
        await self.frontend.start(ready_timeout=20)
        assert self.frontend.ready.is_set(), "the bot did not finish its first sync"
        return self.frontend

    async def stop(self) -> None:
        if self.frontend is not None:
            await self.frontend.stop()
            self.frontend = None

    async def member(
        self, prefix: str, *, join_room: bool = True, **config: Any
    ) -> tuple[RegisteredUser, AsyncClient]:
        """A new user (optionally joined to the community room); config: AsyncClientConfig.

        Clients are unencrypted unless asked (`encryption_enabled=True`): with the e2e extra
        nio refuses to send to rooms it has not synced, and most tests never sync.
        """
        config.setdefault("encryption_enabled", False)
        user, client = await self.make_user_client(prefix, **config)
        if join_room:
            await join(client, self.room)
        return user, client

    async def say(self, client: AsyncClient, room: str, text: str) -> str:
        resp = await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": text})
        assert hasattr(resp, "event_id"), resp
        return str(resp.event_id)

    async def bot_says(
        self,
        client: AsyncClient,
        room: str,
        *needles: str,
        where: Callable[[Event], bool] | None = None,
        timeout: float = 10.0,
    ) -> Event:
        """The bot's newest message in `room` whose body contains every needle."""

        def match(ev: Event) -> bool:
            return (
                ev.get("sender") == self.bot.user_id
                and ev.get("type") == "m.room.message"
                and all(n in body(ev) for n in needles)
                and (where is None or where(ev))
            )

        return await wait_for_message(client, room, match, timeout=timeout, limit=100)

    async def bot_messages(self, client: AsyncClient, room: str) -> list[Event]:
        return [
            ev
            for ev in await room_messages(client, room, limit=200)
            if ev.get("sender") == self.bot.user_id and ev.get("type") == "m.room.message"
        ]

    async def replies_to(self, client: AsyncClient, room: str, event_id: str) -> list[Event]:
        def is_reply(ev: Event) -> bool:
            rel = (ev.get("content") or {}).get("m.relates_to") or {}
            return (rel.get("m.in_reply_to") or {}).get("event_id") == event_id

        return [ev for ev in await self.bot_messages(client, room) if is_reply(ev)]

    async def ask(self, client: AsyncClient, room: str, text: str, *needles: str) -> Event:
        """Send a command and wait for the bot's reply to it."""
        event_id = await self.say(client, room, text)

        def is_reply(ev: Event) -> bool:
            rel = (ev.get("content") or {}).get("m.relates_to") or {}
            return (rel.get("m.in_reply_to") or {}).get("event_id") == event_id

        return await self.bot_says(client, room, *needles, where=is_reply)

    async def accept_invite(
        self, client: AsyncClient, *, name: str | None = None, timeout: float = 10.0
    ) -> str:
        """Join the newest invite from the bot (a DM if name is None, else the named room)."""

        def found() -> str | None:
            for room_id, room in client.invited_rooms.items():
                if room.inviter == self.bot.user_id and (room.name or None) == name:
                    return str(room_id)
            return None

        room_id = await sync_until(client, found, timeout=timeout, what=f"invite {name!r}")
        await join(client, room_id)
        return str(room_id)


async def settle(seconds: float = 1.0) -> None:
    """Give the bot a moment to (not) do something; used only to assert an absence."""
    await asyncio.sleep(seconds)


async def make_world(
    server: SynapseServer,
    tmp: Path,
    make_user_client: MakeUserClient,
    stack: contextlib.AsyncExitStack,
    *,
    room_version: str | None = None,
    matrix: dict[str, Any] | None = None,
) -> BotWorld:
    bot_user, bot_client = await make_user_client("mentorbot")
    moderator, mod_client = await make_user_client("moderator")
    room = await create_room(
        mod_client,
        name="Community",
        preset=RoomPreset.public_chat,
        visibility=RoomVisibility.private,
        invite=[bot_user.user_id],
        room_version=room_version,
    )
    moderation = await create_room(mod_client, name="Moderators", invite=[bot_user.user_id])
    await bot_client.close()
    settings = Settings(
        bot={"database_url": f"sqlite:///{tmp / 'mentorbot.db'}"},
        matrix={
            "homeserver": server.base_url,
            "user_id": bot_user.user_id,
            "access_token": bot_user.access_token,
            "device_id": bot_user.device_id,
            "store_path": str(tmp / "store" / "not-yet-there"),
            "rooms": {room: {"moderation_room": moderation}},
            **(matrix or {}),
        },
    )
    services = await stack.enter_async_context(core(settings))
    return BotWorld(server, tmp, bot_user, moderator, mod_client, room, moderation, settings,
                    services, make_user_client)  # fmt: skip


def deadline(seconds: float) -> Callable[[], bool]:
    end = time.monotonic() + seconds
    return lambda: time.monotonic() < end
