"""/tandem offer seek: find a mutual-mentoring partner."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.ports import Message
from bot.core.tandem import tandem_message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls


class Tandem(commands.Cog):
    """Tandem partners."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=ls("tandem", "cmd.tandem.name"),
        description=ls("Find a mutual-mentoring partner", "cmd.tandem.description"),
    )
    @app_commands.describe(
        offer=ls("What you can teach, comma-separated", "opt.offer"),
        seek=ls("What you want to learn, comma-separated", "opt.seek"),
    )
    @app_commands.guild_only()
    async def tandem(self, interaction: discord.Interaction, offer: str, seek: str) -> None:
        async def work() -> list[Message]:
            result = await self.bot.services.tandem.register(actor_of(interaction), offer, seek)
            return [tandem_message(locale_of(interaction), result, "/")]

        await guarded(interaction, work, defer=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Tandem(bot))
