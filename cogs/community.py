"""/mentoring-setup: a server's channels, roles and settings (moderators, checked here too)."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import NotAllowed
from bot.core.i18n import t
from bot.core.ports import Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls

Setting = Literal[
    "request_timeout", "max_offer_attempts", "checkin_interval", "program_length",
    "default_capacity", "auto_pause_after", "mentor_approval", "locale",
]  # fmt: skip


class Community(commands.Cog):
    """A community's settings."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=ls("mentoring-setup", "cmd.mentoring-setup.name"),
        description=ls(
            "Set this server's mentoring channels, roles and settings",
            "cmd.mentoring-setup.description",
        ),
    )
    @app_commands.describe(
        welcome_channel=ls("Where newcomers are greeted", "opt.welcome_channel"),
        mentoring_channel=ls("Parent channel of the private pair threads", "opt.mentoring_channel"),
        mentors_channel=ls("Open calls and requests when DMs are closed", "opt.mentors_channel"),
        moderation_channel=ls("Alerts for moderators", "opt.moderation_channel"),
        recognition_channel=ls("Public thanks and badges", "opt.recognition_channel"),
        help_channel=ls("Named in the greeting", "opt.help_channel"),
        moderator_role=ls("Members with this role count as moderators", "opt.moderator_role"),
        mentor_role=ls("Only members with this role may sign up as mentors", "opt.mentor_role"),
        setting=ls("A programme setting to change", "opt.setting"),
        value=ls("Its new value, e.g. 48h, 3 or true", "opt.value"),
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def setup_command(
        self, interaction: discord.Interaction,
        welcome_channel: discord.TextChannel | None = None,
        mentoring_channel: discord.TextChannel | None = None,
        mentors_channel: discord.TextChannel | None = None,
        moderation_channel: discord.TextChannel | None = None,
        recognition_channel: discord.TextChannel | None = None,
        help_channel: discord.TextChannel | None = None,
        moderator_role: discord.Role | None = None,
        mentor_role: discord.Role | None = None,
        setting: Setting | None = None,
        value: str | None = None,
    ) -> None:  # fmt: skip
        async def work() -> list[Message]:
            loc, actor = locale_of(interaction), actor_of(interaction)
            moderator = await self.bot.is_moderator(interaction)
            channels = {
                "welcome_channel": welcome_channel,
                "mentoring_channel": mentoring_channel,
                "mentors_channel": mentors_channel,
                "moderation_channel": moderation_channel,
                "recognition_channel": recognition_channel,
                "help_channel": help_channel,
            }
            changes: list[tuple[str, str | int | list[int]]] = [
                (name, channel.id) for name, channel in channels.items() if channel is not None
            ]
            if moderator_role is not None:
                changes.append(("moderator_roles", [moderator_role.id]))
            if mentor_role is not None:
                changes.append(("mentor_role", mentor_role.id))
            if setting is not None:
                changes.append((setting, value or ""))
            svc = self.bot.services.community
            if not changes:
                if not moderator:
                    raise NotAllowed("setup.not_allowed")
                current = await svc.settings(actor)
                shown = ", ".join(f"{k}={v}" for k, v in sorted(current.items())) or "—"
                return [Message(t(loc, "setup.current", settings=shown, prefix="/"))]
            for key, val in sorted(changes, key=lambda c: c[0] != setting):  # typed value first
                await svc.configure(actor, key, val, moderator=moderator)
            return [Message(t(loc, "setup.saved", keys=", ".join(k for k, _ in changes)))]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Community(bot))
