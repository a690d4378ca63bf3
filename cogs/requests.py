"""/mentor: up to three suggestions with reasons and `Ask <name>` buttons."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.groups.circles import CIRCLE_JOIN, circles_note
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.core.requests import ASK, ASK_ANY, Suggestions
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls


def render(loc: str, result: Suggestions) -> Message:
    """Ephemeral suggestions with one button per mentor and `Ask any mentor`."""
    lines = [t(loc, "privacy.first_contact", prefix="/")] if result.first_contact else []
    if result.waitlisted:
        lines.append(t(loc, "mentor.waitlisted"))
        if result.circles:
            lines.append(circles_note(loc, result.circles, "/"))
        joins = tuple(CIRCLE_JOIN.button(t(loc, "button.join_circle") + f" #{c.id}", group=c.id)
                      for c in result.circles)  # fmt: skip
        return Message("\n".join(lines), buttons=joins)
    lines.append(t(loc, "mentor.suggestions_intro"))
    lines += [t(loc, "discord.suggestion_line", index=s.index, name=user(s.name),
                reasons=user(s.reasons)) for s in result.suggestions]  # fmt: skip
    lines.append(t(loc, "discord.how_to_pick"))
    request = result.request_id
    buttons = [
        ASK.button(t(loc, "discord.ask_button", name=user(s.name)), "primary", request=request,
                   index=s.index)
        for s in result.suggestions
    ]  # fmt: skip
    buttons.append(ASK_ANY.button(t(loc, "discord.ask_any"), request=request))
    return Message("\n".join(lines), buttons=tuple(buttons))


class Requests(commands.Cog):
    """Finding a mentor."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=ls("mentor", "cmd.mentor.name"),
        description=ls("Find a mentor who fits", "cmd.mentor.description"),
    )
    @app_commands.describe(
        topic=ls("What you want help with, e.g. python, git", "opt.topic"),
        note=ls("Anything the mentor should know", "opt.note"),
    )
    @app_commands.guild_only()
    async def mentor(
        self, interaction: discord.Interaction, topic: str = "", note: str = ""
    ) -> None:
        async def work() -> list[Message]:
            result = await self.bot.services.requests.request_mentor(
                actor_of(interaction), topic, note
            )
            return [render(locale_of(interaction), result)]

        await guarded(interaction, work, defer=True)  # fmt: skip


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Requests(bot))
