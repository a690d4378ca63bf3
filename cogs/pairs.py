"""/mentoring end|goals|checkin inside a pair's private thread, and the feedback form."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import DomainError, InvalidInput
from bot.core.goals import goal_line
from bot.core.i18n import t, user
from bot.core.inputs import is_digits, number
from bot.core.ports import Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of, reply, space_of
from bot.platforms.discord.translator import ls

CHECKIN = {"going_well": "well", "could_use_help": "help", "wrap_up": "wrap_up"}


class EndModal(discord.ui.Modal):
    """Ending a pair asks for feedback at once (rating optional)."""

    def __init__(self, bot: MentorBot, loc: str, pair_id: int) -> None:
        super().__init__(title=t(loc, "discord.end_title")[:45])
        self.bot, self.pair_id = bot, pair_id
        self.rating: discord.ui.TextInput[EndModal] = discord.ui.TextInput(
            label=t(loc, "discord.rating_label")[:45], required=False, max_length=1
        )
        self.comment: discord.ui.TextInput[EndModal] = discord.ui.TextInput(
            label=t(loc, "discord.comment_label")[:45], required=False, max_length=1000,
            style=discord.TextStyle.paragraph)  # fmt: skip
        self.add_item(self.rating)
        self.add_item(self.comment)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            rating = self.rating.value.strip()
            if rating and not (is_digits(rating) and 1 <= int(rating) <= 5):  # before ending
                raise InvalidInput("error.rating", value=user(rating[:10]))
            actor = actor_of(interaction)
            await self.bot.services.pairs.end(actor, self.pair_id)
            if rating:
                await self.bot.services.pairs.feedback(actor, self.pair_id, int(rating),
                                                       self.comment.value)  # fmt: skip
            return [Message(t(locale_of(interaction), "discord.ended_reply"))]

        await guarded(interaction, work, defer=True)


class FeedbackModal(discord.ui.Modal):
    """Feedback at the end of a programme: rating 1-5 and a comment."""

    def __init__(self, bot: MentorBot, loc: str, pair_id: int) -> None:
        super().__init__(title=t(loc, "discord.feedback_title")[:45])
        self.bot, self.pair_id = bot, pair_id
        self.rating: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            label=t(loc, "discord.rating_required")[:45], max_length=1
        )
        self.comment: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            label=t(loc, "discord.comment_label")[:45],
            required=False,
            max_length=1000,
            style=discord.TextStyle.paragraph,
        )
        self.add_item(self.rating)
        self.add_item(self.comment)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            rating = self.rating.value.strip()
            if not is_digits(rating):
                raise InvalidInput("error.rating", value=user(rating[:10]))
            await self.bot.services.pairs.feedback(
                actor_of(interaction), self.pair_id, int(rating), self.comment.value
            )
            return [Message(t(locale_of(interaction), "pair.feedback_thanks"))]

        await guarded(interaction, work)


class Pairs(
    commands.GroupCog,
    group_name=ls("mentoring", "cmd.mentoring.name"),
    group_description=ls("Tools for your mentoring pair", "cmd.mentoring.description"),
):
    """Tools for a pair inside its thread."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        bot = self.bot
        bot.forms["feedback"] = lambda i, a: FeedbackModal(bot, locale_of(i), a.number("pair"))

    async def cog_unload(self) -> None:
        self.bot.forms.pop("feedback", None)

    @app_commands.command(
        name=ls("end", "cmd.end.name"),
        description=ls("End your mentoring pair and give feedback", "cmd.end.description"),
    )
    async def end(self, interaction: discord.Interaction) -> None:
        loc = locale_of(interaction)
        try:
            pair = await self.bot.services.pairs.pair_for(
                actor_of(interaction), None, space_of(interaction)
            )
        except DomainError as err:
            await reply(interaction, [Message(t(loc, err.key, **err.params))])
            return
        await interaction.response.send_modal(EndModal(self.bot, loc, pair.id or 0))

    @app_commands.command(
        name=ls("goals", "cmd.goals.name"),
        description=ls("Add, list or complete your pair's goals", "cmd.goals.description"),
    )
    @app_commands.describe(
        action=ls("add, list or complete", "opt.goal_action"),
        text=ls("The goal (add) or its number (complete)", "opt.goal_text"),
    )
    async def goals(
        self,
        interaction: discord.Interaction,
        action: Literal["add", "list", "complete"],
        text: str = "",
    ) -> None:
        async def work() -> list[Message]:
            loc, actor, space = locale_of(interaction), actor_of(interaction), space_of(interaction)
            svc = self.bot.services.goals
            if action == "add":
                await svc.add(actor, text, space_ref=space)
                return [Message(t(loc, "goals.added"))]
            if action == "complete":
                if number(text, "goal_number") is None:
                    raise InvalidInput("goals.bad_number", count="…")
                await svc.complete(actor, int(text), space_ref=space)
                return [Message("✅")]
            goals = await svc.list(actor, space_ref=space)
            if not goals:
                return [Message(t(loc, "goals.list_empty"))]
            lines = [t(loc, "goals.list_title")]
            lines += [goal_line(i, g) for i, g in enumerate(goals, 1)]
            return [Message("\n".join(lines))]

        await guarded(interaction, work)

    @app_commands.command(
        name=ls("checkin", "cmd.checkin.name"),
        description=ls("Tell how your mentoring is going", "cmd.checkin.description"),
    )
    @app_commands.describe(answer=ls("How is it going?", "opt.checkin_answer"))
    async def checkin(
        self,
        interaction: discord.Interaction,
        answer: Literal["going_well", "could_use_help", "wrap_up"],
    ) -> None:
        async def work() -> list[Message]:
            done = await self.bot.services.checkins.answer(
                actor_of(interaction), CHECKIN[answer], space_ref=space_of(interaction)
            )
            return [Message(t(locale_of(interaction), f"checkin.thanks_{done}"))]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Pairs(bot))
