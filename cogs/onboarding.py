"""Greeting newcomers (batched) and noting who left."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.core.context import Actor
from bot.platforms.discord.client import MentorBot


def member_actor(member: discord.Member) -> Actor:
    """A guild member as core knows them."""
    return Actor("discord", str(member.guild.id), str(member.id), member.display_name)


class Onboarding(commands.Cog):
    """on_member_join / on_member_remove."""

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
    await bot.add_cog(Onboarding(bot))
