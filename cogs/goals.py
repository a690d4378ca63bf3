"""/milestone add|complete|list: milestones of a pair's or tandem's goals.

The goals themselves are `/mentoring goals` (cogs/pairs.py), part of the pair's command group.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.goals import tree_text
from bot.core.i18n import t
from bot.core.ports import Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of, space_of
from bot.platforms.discord.translator import ls


class Goals(commands.Cog):
    """Milestones."""

    milestone = app_commands.Group(
        name=ls("milestone", "cmd.milestone.name"), guild_only=True,
        description=ls("Milestones of your pair's goals", "cmd.milestone.description"),
    )  # fmt: skip

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @milestone.command(
        name=ls("add", "cmd.milestone-add.name"),
        description=ls("Add a milestone to a goal", "cmd.milestone-add.description"),
    )
    @app_commands.describe(
        goal=ls("The goal's number from the goals list", "opt.goal_number"),
        text=ls("The milestone", "opt.milestone_text"),
    )
    async def milestone_add(self, interaction: discord.Interaction,
                            goal: app_commands.Range[int, 1, 25], text: str) -> None:  # fmt: skip
        async def work() -> list[Message]:
            number = await self.bot.services.goals.add_milestone(
                actor_of(interaction), goal, text, space_ref=space_of(interaction))  # fmt: skip
            return [Message(t(locale_of(interaction), "milestone.added", number=number))]

        await guarded(interaction, work)

    @milestone.command(
        name=ls("complete", "cmd.milestone-complete.name"),
        description=ls("Mark a milestone reached", "cmd.milestone-complete.description"),
    )
    @app_commands.describe(number=ls("The milestone's number, e.g. 2.1", "opt.milestone_number"))
    async def milestone_complete(self, interaction: discord.Interaction, number: str) -> None:
        async def work() -> list[Message]:
            await self.bot.services.goals.complete_milestone(
                actor_of(interaction), number, space_ref=space_of(interaction))  # fmt: skip
            return [Message("✅")]

        await guarded(interaction, work)

    @milestone.command(
        name=ls("list", "cmd.milestone-list.name"),
        description=ls("Goals and their milestones", "cmd.milestone-list.description"),
    )
    async def milestone_list(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            tree = await self.bot.services.goals.tree(actor_of(interaction),
                                                      space_ref=space_of(interaction))  # fmt: skip
            return [Message(tree_text(locale_of(interaction), tree))]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Goals(bot))
