"""/profile: a modal for interests, goals, languages, time zone and a short bio."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.i18n import t
from bot.core.ports import Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls


class ProfileModal(discord.ui.Modal):
    """The profile form, prefilled with what is stored."""

    def __init__(self, bot: MentorBot, loc: str, current: dict[str, str]) -> None:
        super().__init__(title=t(loc, "discord.profile_title")[:45])
        self.bot = bot

        def field(
            key: str, limit: int, style: discord.TextStyle = discord.TextStyle.short
        ) -> discord.ui.TextInput[ProfileModal]:
            item: discord.ui.TextInput[ProfileModal] = discord.ui.TextInput(
                label=t(loc, f"discord.profile_{key}")[:45], default=current.get(key) or None,
                required=False, max_length=limit, style=style)  # fmt: skip
            self.add_item(item)
            return item

        self.interests = field("interests", 500)
        self.goals = field("goals", 1000, discord.TextStyle.paragraph)
        self.languages = field("languages", 100)
        self.timezone = field("timezone", 64)
        self.bio = field("bio", 1000, discord.TextStyle.paragraph)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            await self.bot.services.profiles.update_profile(
                actor_of(interaction), interests=self.interests.value, goals=self.goals.value,
                languages=self.languages.value or None, timezone=self.timezone.value or None,
                bio=self.bio.value)  # fmt: skip
            return [Message(t(locale_of(interaction), "profile.saved"))]

        await guarded(interaction, work)


class Profiles(commands.Cog):
    """Member profiles."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=ls("profile", "cmd.profile.name"),
        description=ls("Your mentoring profile", "cmd.profile.description"),
    )
    @app_commands.guild_only()
    async def profile(self, interaction: discord.Interaction) -> None:
        member = await self.bot.services.profiles.member(actor_of(interaction))
        current = {
            "interests": ", ".join(member.interests), "goals": member.goals,
            "languages": ", ".join(member.languages), "timezone": member.timezone or "",
            "bio": member.bio,
        }  # fmt: skip
        await interaction.response.send_modal(
            ProfileModal(self.bot, locale_of(interaction), current)
        )


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Profiles(bot))
