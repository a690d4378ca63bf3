"""/circle create|join|leave|list: open topic circles."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.groups import joined_message, list_message
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls


class Circles(commands.Cog):
    """Topic circles."""

    circle = app_commands.Group(
        name=ls("circle", "cmd.circle.name"), guild_only=True,
        description=ls("Open topic circles", "cmd.circle.description"),
    )  # fmt: skip

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @circle.command(
        name=ls("create", "cmd.circle-create.name"),
        description=ls("Start a topic circle", "cmd.circle-create.description"),
    )
    @app_commands.describe(
        name=ls("The circle's name", "opt.circle_name"),
        topic=ls("Topics, comma-separated (optional)", "opt.circle_topic"),
    )
    async def circle_create(self, interaction: discord.Interaction, name: str,
                            topic: str = "") -> None:  # fmt: skip
        async def work() -> list[Message]:
            joined = await self.bot.services.circles.create(actor_of(interaction), name,
                                                                  topic)  # fmt: skip
            return [Message(t(locale_of(interaction), "circle.created",
                              name=user(joined.group.name),
                              id=joined.group.id, space=joined.space_link or "—"))]  # fmt: skip

        await guarded(interaction, work, defer=True)

    @circle.command(
        name=ls("join", "cmd.circle-join.name"),
        description=ls("Join a topic circle", "cmd.circle-join.description"),
    )
    @app_commands.describe(circle=ls("The circle's name or number", "opt.circle"))
    async def circle_join(self, interaction: discord.Interaction, circle: str) -> None:
        async def work() -> list[Message]:
            joined = await self.bot.services.circles.join(actor_of(interaction), circle)
            return [joined_message(locale_of(interaction), joined)]

        await guarded(interaction, work, defer=True)

    @circle.command(
        name=ls("leave", "cmd.circle-leave.name"),
        description=ls("Leave a topic circle", "cmd.circle-leave.description"),
    )
    @app_commands.describe(circle=ls("The circle's name or number", "opt.circle"))
    async def circle_leave(self, interaction: discord.Interaction, circle: str) -> None:
        async def work() -> list[Message]:
            view = await self.bot.services.circles.leave(actor_of(interaction), circle)
            return [Message(t(locale_of(interaction), "circle.left", name=user(view.name)))]

        await guarded(interaction, work)

    @circle.command(
        name=ls("list", "cmd.circle-list.name"),
        description=ls("All topic circles", "cmd.circle-list.description"),
    )
    async def circle_list(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            views = await self.bot.services.circles.list_open(actor_of(interaction))
            return [list_message(locale_of(interaction), "circle", views)]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Circles(bot))
