"""Greeting newcomers (batched), noting who left, and counting who posted on which day."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import member_actor


class Greeting(commands.Cog):
    """on_member_join / on_message / on_member_remove."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        await self.bot.services.profiles.member_joined(member_actor(member))
        self.bot.greeter.joined(str(member.guild.id), str(member.id))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Count who posted on which day (for retention figures), never what."""
        if message.guild is not None and not message.author.bot:
            self.bot.services.activity.saw("discord", str(message.guild.id), str(message.author.id))

    @commands.Cog.listener()
    async def on_member_remove(self, member: discord.Member) -> None:
        if not member.bot:
            await self.bot.services.profiles.member_left(member_actor(member))


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Greeting(bot))
