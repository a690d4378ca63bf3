"""/tandem offer seek (mutual mentoring) and /milestone for the goals of a pair or tandem."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.goals import tree_text
from bot.core.group_actions import tandem_message
from bot.core.i18n import t
from bot.core.ports import Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls


def _space(interaction: discord.Interaction) -> str | None:
    return str(interaction.channel_id) if isinstance(interaction.channel, discord.Thread) else None


class Tandem(commands.Cog):
    """Tandem partners and milestones."""

    milestone = app_commands.Group(
        name=ls("milestone", "cmd.milestone.name"), guild_only=True,
        description=ls("Milestones of your pair's goals", "cmd.milestone.description"),
    )  # fmt: skip

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
                actor_of(interaction), goal, text, space_ref=_space(interaction))  # fmt: skip
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
                actor_of(interaction), number, space_ref=_space(interaction))  # fmt: skip
            return [Message("✅")]

        await guarded(interaction, work)

    @milestone.command(
        name=ls("list", "cmd.milestone-list.name"),
        description=ls("Goals and their milestones", "cmd.milestone-list.description"),
    )
    async def milestone_list(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            tree = await self.bot.services.goals.tree(actor_of(interaction),
                                                      space_ref=_space(interaction))  # fmt: skip
            return [Message(tree_text(locale_of(interaction), tree))]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Tandem(bot))
