"""A running mentorbot on the loopback Discord server, with a guild set up like a community."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import DISCORD_COGS, core
from bot.config import Settings
from bot.core.services import Services
from bot.platforms.discord.client import MentorBot, create_bot
from bot.scheduler import Sweeper
from tests.fakediscord import FakeDiscord, running
from tests.fakediscord.models import Channel, Guild, Member, Message

MANAGE_GUILD = 1 << 5


@dataclass
class Community:
    """One guild with the channels mentorbot needs."""

    guild: Guild
    general: Channel
    welcome: Channel
    mentoring: Channel
    mentors: Channel
    moderation: Channel
    recognition: Channel
    members: dict[str, Member] = field(default_factory=dict)

    def guild_config(self) -> dict[str, Any]:
        return {
            "welcome_channel": self.welcome.id,
            "mentoring_channel": self.mentoring.id,
            "mentors_channel": self.mentors.id,
            "moderation_channel": self.moderation.id,
            "recognition_channel": self.recognition.id,
        }


async def make_community(server: FakeDiscord, name: str = "Mentoring") -> Community:
    guild = await server.add_guild(name)
    channels = [await server.add_channel(guild.id, n) for n in (
        "general", "welcome", "mentoring", "mentors", "moderation", "recognition")]  # fmt: skip
    return Community(guild, *channels)


@dataclass
class Env:
    """The server, the bot, its services and the communities it serves."""

    server: FakeDiscord
    bot: MentorBot
    services: Services
    communities: list[Community]

    @property
    def c(self) -> Community:
        return self.communities[0]

    async def member(self, name: str, community: Community | None = None, *, wait: bool = True,
                     **kw: Any) -> Member:  # fmt: skip
        """A member joins (and is greeted, unless a bot); `wait`: until the bot stored it."""
        community = community or self.c
        member = await self.server.add_member(community.guild.id, None, name, **kw)
        community.members[name] = member
        if wait and not kw.get("bot"):
            await self._recorded(community, member)
        return member

    async def _recorded(self, community: Community, member: Member) -> None:
        """Until the bot has stored the join (its on_member_join ran), however busy it is."""
        from storage.repositories import members as member_repo

        guild, user = str(community.guild.id), str(member.user.id)
        for _ in range(400):
            async with self.services.ctx.db() as tx:
                found = await member_repo.get_community(tx, platform="discord", external_id=guild)
                if found is not None and found.id is not None and await member_repo.get_member(
                    tx, community_id=found.id, user_id=user
                ):
                    return
            await asyncio.sleep(0.025)
        raise TimeoutError(f"the bot never recorded that {member.user.username} joined")

    async def slash(self, who: Member, name: str, options: dict[str, Any] | None = None, *,
                    channel: Channel | None = None, locale: str = "en-US",
                    permissions: int | None = None, community: Community | None = None) -> Any:  # fmt: skip
        """Run a slash command and wait for its response."""
        community = community or self.c
        handle = await self.server.send_slash(
            community.guild.id, (channel or community.general).id, who.user.id, name, options,
            locale=locale, permissions=permissions)  # fmt: skip
        await handle.response(timeout=10)
        return handle

    async def text_of(self, handle: Any) -> str:
        """The visible text of an interaction's answer (deferred ones: the first follow-up)."""
        if handle.response_type == 5:
            (msg,) = await handle.wait_followups(1, timeout=10)
            return msg.content
        return handle.callback["data"].get("content", "")

    async def answer_message(self, handle: Any) -> Message:
        """The message object carrying an interaction's answer (for its buttons)."""
        if handle.response_type == 5:
            (msg,) = await handle.wait_followups(1, timeout=10)
            return msg
        return await handle.wait_original(timeout=10)

    async def click(self, message: Message, custom_id: str, who: Member, **kw: Any) -> str:
        """Press a button and return the (ephemeral) answer text."""
        handle = await self.server.click_button(message, custom_id, who.user.id, **kw)
        await handle.response(timeout=10)
        return await self.text_of(handle)

    async def wait(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        return await self.server.wait_for(predicate, timeout=timeout)


def settings_for(
    server: FakeDiscord, tmp: Path, communities: list[Community], **extra: Any
) -> Settings:
    return Settings(
        bot={"database_url": f"sqlite:///{tmp / 'bot.db'}", **extra.pop("bot", {})},
        discord={
            "token": server.token,
            "api_base_url": server.api_base,
            "gateway_url": server.gateway_url,
            "guilds": {c.guild.id: c.guild_config() for c in communities},
            **extra.pop("discord", {}),
        },
        **extra,
    )


@contextlib.asynccontextmanager
async def bot_env(server: FakeDiscord, tmp: Path, communities: list[Community] | None = None,
                  *, greeting_window: float = 0.3, sweeps: bool = False,
                  **extra: Any) -> AsyncIterator[Env]:  # fmt: skip
    """Start mentorbot (migrated SQLite in `tmp`) against `server`; stop it on exit."""
    communities = communities or [await make_community(server)]
    settings = settings_for(server, tmp, communities, **extra)
    async with core(settings) as services:
        bot = create_bot(settings, services, cogs=DISCORD_COGS, guild_ready_timeout=0.05,
                         greeting_window=greeting_window)  # fmt: skip
        services.attach(bot.platform)
        sweeper = Sweeper(services)
        async with running(bot, server):
            if sweeps:
                await sweeper.start()
            try:
                yield Env(server, bot, services, communities)
            finally:
                sweeper.stop()
                await bot.greeter.drain()  # before the bot closes: a late greeting has no session
        await asyncio.sleep(0)
