"""The Discord runtime: intents, endpoints, cogs, persistent buttons, command sync."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import DiscordGuild, Settings
from bot.core.action import Args
from bot.core.actions import find, run_action
from bot.core.i18n import t
from bot.core.ports import CommunityRef, Message
from bot.core.services import Services
from bot.platforms.discord.pacing import Pacer
from bot.platforms.discord.platform import DiscordPlatform
from bot.platforms.discord.render import ActionButton, actor_of, guarded, locale_of, reply
from bot.platforms.discord.translator import CatalogTranslator
from bot.startup import EXIT_CONFIG, PATIENCE, StartupError, reason, retrying

log = logging.getLogger(__name__)

# A form a button opens (a modal), registered by the cog that owns it under `Action.form`.
FormFactory = Callable[[discord.Interaction, Args], discord.ui.Modal]


def point_at(settings: Settings) -> None:
    """Honour `discord.api_base_url` / `gateway_url` (REST proxy or a local test server)."""
    if settings.discord.api_base_url:
        discord.http.Route.BASE = settings.discord.api_base_url.rstrip("/")
    if settings.discord.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord.gateway_url)


class MentorBot(commands.Bot):
    """mentorbot on Discord (one process; `ShardedMentorBot` when sharding)."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        *,
        guild_ready_timeout: float = 2.0,
        greeting_window: float = 5.0,
        cogs: Sequence[str] = (),
        **options: Any,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.members = True
        intents.guild_messages = True  # counts per member and day; no message content
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            guild_ready_timeout=guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),  # each message names its pings
            **options,
        )
        self.settings = settings
        self.services = services
        self.cog_names = tuple(cogs)
        self.forms: dict[str, FormFactory] = {}
        self.pacer = Pacer()
        self.platform = DiscordPlatform(self)
        self.greeter = services.greeting.batcher("discord", window=greeting_window)
        self.tree.error(self._on_tree_error)

    async def setup_hook(self) -> None:
        for name in self.cog_names:
            await self.load_extension(name)
        self.add_dynamic_items(ActionButton)
        await self.tree.set_translator(CatalogTranslator())
        await self.tree.sync()
        for guild_id in self.settings.discord.dev_guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    # ----- configuration ------------------------------------------------------------------
    def guild_config(self, guild_id: int) -> DiscordGuild:
        """The file's settings for a guild (defaults when it has no table)."""
        return self.settings.discord.guilds.get(guild_id) or DiscordGuild()

    async def _stored(self, guild_id: int) -> dict[str, Any]:
        return await self.services.community.stored_for("discord", str(guild_id))

    async def channel_id(self, community: CommunityRef, role: str) -> int:
        """The channel configured for a role (chat settings win over the file)."""
        key = f"{role}_channel"
        stored = await self.services.community.stored(community.id)
        value = stored.get(key) or getattr(self.guild_config(int(community.external_id)), key, 0)
        return int(value or 0)

    async def is_moderator(self, interaction: discord.Interaction) -> bool:
        """Administrator, Manage Server (as Discord resolved it for this interaction), or a
        moderator role from the file or /mentoring-setup."""
        perms = interaction.permissions
        if perms.administrator or perms.manage_guild:
            return True
        member = interaction.user
        if not isinstance(member, discord.Member):
            return False
        roles = set(self.guild_config(member.guild.id).moderator_roles)
        roles |= set((await self._stored(member.guild.id)).get("moderator_roles", []))
        return any(role.id in roles for role in member.roles)

    # ----- start-up -------------------------------------------------------------------------
    async def serve(self, token: str, *, patience: float = PATIENCE) -> None:
        """Log in and stay connected; a refused token or an unreachable Discord is fatal.

        The REST API and the gateway are retried for `patience` seconds at start-up; once
        connected, discord.py reconnects on its own.
        """
        api = discord.http.Route.BASE

        def give_up(err: BaseException) -> StartupError:
            if isinstance(err, discord.LoginFailure):
                return StartupError("discord.token: Discord refused the token (401); copy the "
                                    "bot token from the Developer Portal (Bot → Reset Token) "
                                    "into MENTORBOT_DISCORD__TOKEN")  # fmt: skip
            return StartupError(f"discord: cannot reach the Discord API at {api} after "
                                f"{patience:.0f} s ({reason(err)}); check discord.api_base_url "
                                "and the network")  # fmt: skip

        await retrying(lambda: self.login(token), patience=patience, what="the Discord API",
                       transient=lambda e: isinstance(e, (OSError, aiohttp.ClientError,
                                                          discord.DiscordServerError)),
                       give_up=give_up)  # fmt: skip
        connecting = asyncio.create_task(self.connect(reconnect=True), name="discord-gateway")
        ready = asyncio.create_task(self.wait_until_ready())
        try:
            await asyncio.wait({connecting, ready}, timeout=patience,
                               return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        finally:
            ready.cancel()
        if connecting.done():
            error = connecting.exception()
            if isinstance(error, discord.PrivilegedIntentsRequired):
                raise StartupError("discord: the Server Members intent is off; enable it in the "
                                   "Developer Portal (Bot → Privileged Gateway Intents)",
                                   EXIT_CONFIG) from error  # fmt: skip
            if isinstance(error, discord.LoginFailure) or (
                isinstance(error, discord.ConnectionClosed) and error.code == 4004
            ):
                raise StartupError("discord.token: the gateway refused the token; copy the bot "
                                   "token into MENTORBOT_DISCORD__TOKEN") from error  # fmt: skip
            raise StartupError(f"discord: the gateway connection ended ({reason(error)})"
                               if error else "discord: the gateway connection ended")  # fmt: skip
        if not self.is_ready():
            connecting.cancel()
            gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
            raise StartupError(
                f"discord: could not connect to the gateway at {gateway} within "
                f"{patience:.0f} s; check the network or discord.gateway_url"
            )
        await connecting

    # ----- buttons and errors --------------------------------------------------------------
    async def press(self, interaction: discord.Interaction, action: str, guild_id: int) -> None:
        """A persistent button: run its action for whoever pressed it."""
        found = find(action)
        form = self.forms.get(found[0].form or "") if found is not None else None
        if found is not None and form is not None:
            await interaction.response.send_modal(form(interaction, found[1]))
            return

        async def work() -> list[Message]:
            actor = actor_of(interaction, guild_id)
            return await run_action(self.services, actor, action, locale_of(interaction))

        # Slow actions defer first, so Discord's 3 s never run out.
        await guarded(interaction, work, defer=found is not None and found[0].slow)

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("command %s failed", interaction.command and interaction.command.name,
                  exc_info=error)  # fmt: skip
        text = t(locale_of(interaction), "error.unexpected", error_id=str(interaction.id)[-8:])
        try:
            await reply(interaction, [Message(text)])
        except discord.HTTPException:
            log.warning("could not tell the user about the failure")


class ShardedMentorBot(MentorBot, commands.AutoShardedBot):
    """The same bot split across shards (`discord.shard_count` / `shard_ids`)."""


def create_bot(settings: Settings, services: Services, **options: Any) -> MentorBot:
    """The bot for these settings; sharded when shard_count or shard_ids are set."""
    point_at(settings)
    # mentorbot has no voice features: the voice libraries' absence is not worth a warning.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    cfg = settings.discord
    if cfg.shard_count or cfg.shard_ids:
        if cfg.shard_count:
            options.setdefault("shard_count", cfg.shard_count)
        if cfg.shard_ids:
            options.setdefault("shard_ids", list(cfg.shard_ids))
        return ShardedMentorBot(settings, services, **options)
    return MentorBot(settings, services, **options)
