"""/thanks: public recognition in the recognition channel."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import InvalidInput
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of, member_actor
from bot.platforms.discord.translator import ls


class Recognition(commands.Cog):
    """Thanking people."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=ls("thanks", "cmd.thanks.name"),
        description=ls("Thank someone publicly", "cmd.thanks.description"),
    )
    @app_commands.describe(
        member=ls("Who you want to thank", "opt.member"),
        message=ls("What for (optional)", "opt.message"),
    )
    @app_commands.guild_only()
    async def thanks(self, interaction: discord.Interaction, member: discord.Member,
                     message: str = "") -> None:  # fmt: skip
        async def work() -> list[Message]:
            if member.bot:
                raise InvalidInput("discord.thanks_bot")
            await self.bot.services.profiles.member(member_actor(member))
            done = await self.bot.services.recognition.thank(
                actor_of(interaction), str(member.id), message
            )
            return [Message(t(locale_of(interaction), "thanks.reply", name=user(done.to_name)))]

        await guarded(interaction, work, defer=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Recognition(bot))
