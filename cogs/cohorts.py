"""/cohort create|join|leave|list|feedback: learning together with a group of newcomers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.groups import joined_message, list_message
from bot.core.groups.cohorts import COHORT_JOIN
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.core.times import day_text
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls


class Cohorts(commands.Cog):
    """Cohorts and their places."""

    cohort = app_commands.Group(
        name=ls("cohort", "cmd.cohort.name"), guild_only=True,
        description=ls("Cohorts: learn together with a group of newcomers",
                       "cmd.cohort.description"),
    )  # fmt: skip

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @cohort.command(
        name=ls("create", "cmd.cohort-create.name"),
        description=ls("Open a cohort (moderators)", "cmd.cohort-create.description"),
    )
    @app_commands.describe(
        name=ls("The cohort's name", "opt.cohort_name"),
        capacity=ls("How many newcomers (default 10)", "opt.cohort_capacity"),
        start=ls("Start: now, 2026-03-01 or a duration such as 3d", "opt.start"),
        end=ls("End: 2026-05-31 or a duration after the start such as 8w", "opt.end"),
        leader=ls("Who leads the cohort (default: you)", "opt.leader"),
        co_leader=ls("A second leader (optional)", "opt.co_leader"),
    )
    async def cohort_create(
        self, interaction: discord.Interaction, name: str,
        capacity: app_commands.Range[int, 1, 500] | None = None, start: str = "", end: str = "",
        leader: discord.Member | None = None, co_leader: discord.Member | None = None,
    ) -> None:  # fmt: skip
        moderator = await self.bot.is_moderator(interaction)

        async def work() -> list[Message]:
            loc = locale_of(interaction)
            leaders = [(str(m.id), m.display_name) for m in (leader, co_leader) if m is not None]
            view = await self.bot.services.cohorts.create(
                actor_of(interaction), name, leaders=leaders, capacity=capacity, start=start,
                end=end, moderator=moderator)  # fmt: skip
            return [Message(t(loc, "cohort.created", name=user(view.name), id=view.id,
                              capacity=view.capacity, start=day_text(loc, view.starts_at, None),
                              end=day_text(loc, view.ends_at, None)))]  # fmt: skip

        await guarded(interaction, work, defer=True)

    @cohort.command(
        name=ls("join", "cmd.cohort-join.name"),
        description=ls("Take a place in a cohort", "cmd.cohort-join.description"),
    )
    @app_commands.describe(cohort=ls("The cohort's name or number", "opt.cohort"))
    async def cohort_join(self, interaction: discord.Interaction, cohort: str) -> None:
        async def work() -> list[Message]:
            joined = await self.bot.services.cohorts.join(actor_of(interaction), cohort)
            return [joined_message(locale_of(interaction), joined)]

        await guarded(interaction, work, defer=True)

    @cohort.command(
        name=ls("leave", "cmd.cohort-leave.name"),
        description=ls("Give your place in a cohort back", "cmd.cohort-leave.description"),
    )
    @app_commands.describe(cohort=ls("The cohort's name or number", "opt.cohort"))
    async def cohort_leave(self, interaction: discord.Interaction, cohort: str) -> None:
        async def work() -> list[Message]:
            view = await self.bot.services.cohorts.leave(actor_of(interaction), cohort)
            return [Message(t(locale_of(interaction), "cohort.left", name=user(view.name)))]

        await guarded(interaction, work)

    @cohort.command(
        name=ls("list", "cmd.cohort-list.name"),
        description=ls("Cohorts you can join", "cmd.cohort-list.description"),
    )
    async def cohort_list(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            loc = locale_of(interaction)
            views = await self.bot.services.cohorts.list_cohorts(actor_of(interaction))
            buttons = tuple(COHORT_JOIN.button(t(loc, "button.join_cohort_n", id=v.id), group=v.id)
                            for v in views if not v.joined)[:5]  # fmt: skip
            return [list_message(loc, "cohort", views, buttons=buttons)]

        await guarded(interaction, work)

    @cohort.command(
        name=ls("feedback", "cmd.cohort-feedback.name"),
        description=ls("Rate a cohort that has ended", "cmd.cohort-feedback.description"),
    )
    @app_commands.describe(
        cohort=ls("The cohort's name or number", "opt.cohort"),
        rating=ls("From 1 (poor) to 5 (great)", "opt.rating"),
        comment=ls("A comment (optional)", "opt.comment"),
    )
    async def cohort_feedback(
        self, interaction: discord.Interaction, cohort: str,
        rating: app_commands.Range[int, 1, 5], comment: str = "",
    ) -> None:  # fmt: skip
        async def work() -> list[Message]:
            await self.bot.services.cohorts.feedback(actor_of(interaction), cohort, rating, comment)
            return [Message(t(locale_of(interaction), "cohort.feedback_thanks"))]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Cohorts(bot))
