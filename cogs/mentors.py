"""/mentor-signup and /mentor-status."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import NotAllowed
from bot.core.i18n import t
from bot.core.mentors import MAX_CAPACITY, MIN_CAPACITY
from bot.core.ports import Message
from bot.core.vocab import suggest_timezones
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls

Capacity = app_commands.Range[int, MIN_CAPACITY, MAX_CAPACITY]


class Mentors(commands.Cog):
    """Becoming a mentor and pausing."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=ls("mentor-signup", "cmd.mentor-signup.name"),
        description=ls(
            "Become a mentor or update your mentor profile", "cmd.mentor-signup.description"
        ),
    )
    @app_commands.describe(
        skills=ls("Your skills, comma-separated", "opt.skills"),
        languages=ls("Languages you mentor in, e.g. en,de", "opt.languages"),
        timezone=ls("Your time zone, e.g. Europe/Berlin", "opt.timezone"),
        capacity=ls("How many mentees at once (1-10)", "opt.capacity"),
    )
    @app_commands.guild_only()
    async def signup(self, interaction: discord.Interaction, skills: str,
                     languages: str | None = None, timezone: str | None = None,
                     capacity: Capacity | None = None) -> None:  # fmt: skip
        async def work() -> list[Message]:
            loc = locale_of(interaction)
            role = self.bot.guild_config(interaction.guild_id or 0).mentor_role
            member = interaction.user
            if (
                role
                and isinstance(member, discord.Member)
                and role not in {r.id for r in member.roles}
            ):
                raise NotAllowed("discord.mentor_role_needed", role=f"<@&{role}>")
            result = await self.bot.services.mentors.signup(
                actor_of(interaction), skills=skills, languages=languages, timezone=timezone,
                capacity=capacity)  # fmt: skip
            return [Message(result.summary(loc, "/"))]

        await guarded(interaction, work)

    @signup.autocomplete("timezone")
    async def _timezones(self, interaction: discord.Interaction, current: str
                         ) -> list[app_commands.Choice[str]]:  # fmt: skip
        return [app_commands.Choice(name=z, value=z) for z in suggest_timezones(current)]

    @app_commands.command(
        name=ls("mentor-status", "cmd.mentor-status.name"),
        description=ls("Pause or resume mentoring", "cmd.mentor-status.description"),
    )
    @app_commands.describe(
        status=ls("available or paused", "opt.status"),
        until=ls("Pause until, e.g. 7d, 2w or 2026-12-24", "opt.until"),
        digest=ls("Be named in the weekly thank-you", "opt.digest"),
    )
    @app_commands.guild_only()
    async def status(
        self,
        interaction: discord.Interaction,
        status: Literal["available", "paused"],
        until: str | None = None,
        digest: bool | None = None,
    ) -> None:
        async def work() -> list[Message]:
            loc = locale_of(interaction)
            actor = actor_of(interaction)
            result = await self.bot.services.mentors.set_status(actor, status, until)
            if digest is not None:
                await self.bot.services.mentors.set_digest(actor, digest)
            if result.status == "available":
                return [Message(t(loc, "status.available"))]
            if result.until:
                when = discord.utils.format_dt(result.until, "f")
                return [Message(t(loc, "status.paused_until", until=when))]
            return [Message(t(loc, "status.paused", prefix="/"))]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Mentors(bot))
