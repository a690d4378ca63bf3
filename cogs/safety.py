"""The 'contact a moderator' form a pair thread's button opens (text: !help-mod)."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.core.i18n import t
from bot.core.ports import Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of


class HelpModal(discord.ui.Modal):
    """'Contact a moderator' from a pair thread: the reporter's own words, nothing else."""

    def __init__(self, bot: MentorBot, loc: str, pair_id: int) -> None:
        super().__init__(title=t(loc, "discord.helpmod_title")[:45])
        self.bot, self.pair_id = bot, pair_id
        self.words: discord.ui.TextInput[HelpModal] = discord.ui.TextInput(
            label=t(loc, "discord.helpmod_label")[:45],
            style=discord.TextStyle.paragraph,
            max_length=1000,
        )
        self.add_item(self.words)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            await self.bot.services.safety.contact_moderators(
                actor_of(interaction), self.words.value, pair_id=self.pair_id
            )
            return [Message(t(locale_of(interaction), "safety.sent"))]

        await guarded(interaction, work)


class Safety(commands.Cog):
    """Registers the help-mod form for the `pair:helpmod:{pair}` button."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        bot = self.bot
        bot.forms["helpmod"] = lambda i, a: HelpModal(bot, locale_of(i), a.number("pair"))

    async def cog_unload(self) -> None:
        self.bot.forms.pop("helpmod", None)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Safety(bot))
