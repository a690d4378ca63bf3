"""/mentoring-mod: moderator tools (checked here, not only by Discord)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.i18n import t, user
from bot.core.inputs import MAX_ID, whole
from bot.core.ports import Attachment, Message
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls

PairNumber = app_commands.Range[int, 1, MAX_ID]  # pair ids are INTEGER columns


class Moderation(
    commands.GroupCog,
    group_name=ls("mentoring-mod", "cmd.mentoring-mod.name"),
    group_description=ls(
        "Moderator tools for the mentoring programme", "cmd.mentoring-mod.description"
    ),
):
    """approve, remove, reassign, end, requests, export."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        super().__init__()

    async def _moderator(self, interaction: discord.Interaction) -> bool:
        return await self.bot.is_moderator(interaction)

    @app_commands.command(
        name=ls("approve", "cmd.mod-approve.name"),
        description=ls("Approve a mentor", "cmd.mod-approve.description"),
    )
    async def approve(self, interaction: discord.Interaction, member: discord.Member) -> None:
        moderator = await self._moderator(interaction)

        async def work() -> list[Message]:
            name = await self.bot.services.moderation.approve(
                actor_of(interaction), str(member.id), moderator=moderator
            )
            return [Message(t(locale_of(interaction), "mod.approved", name=user(name)))]

        await guarded(interaction, work)

    @app_commands.command(
        name=ls("remove", "cmd.mod-remove.name"),
        description=ls("Stop a mentor getting requests", "cmd.mod-remove.description"),
    )
    async def remove(self, interaction: discord.Interaction, member: discord.Member) -> None:
        moderator = await self._moderator(interaction)

        async def work() -> list[Message]:
            name = await self.bot.services.moderation.remove(
                actor_of(interaction), str(member.id), moderator=moderator
            )
            return [Message(t(locale_of(interaction), "mod.removed", name=user(name)))]

        await guarded(interaction, work)

    @app_commands.command(
        name=ls("reassign", "cmd.mod-reassign.name"),
        description=ls("Give a mentee a new mentor", "cmd.mod-reassign.description"),
    )
    async def reassign(self, interaction: discord.Interaction, pair: PairNumber,
                       mentor: discord.Member) -> None:  # fmt: skip
        moderator = await self._moderator(interaction)

        async def work() -> list[Message]:
            new = await self.bot.services.moderation.reassign(
                actor_of(interaction), whole(pair, "pair"), str(mentor.id), moderator=moderator
            )
            return [Message(t(locale_of(interaction), "mod.reassigned", id=pair, new=new))]

        await guarded(interaction, work, defer=True)

    @app_commands.command(
        name=ls("end", "cmd.mod-end.name"), description=ls("End a pair", "cmd.mod-end.description")
    )
    async def end(self, interaction: discord.Interaction, pair: PairNumber) -> None:
        moderator = await self._moderator(interaction)

        async def work() -> list[Message]:
            await self.bot.services.moderation.end_pair(actor_of(interaction), whole(pair, "pair"),
                                                        moderator=moderator)  # fmt: skip
            return [Message(t(locale_of(interaction), "mod.ended", id=pair))]

        await guarded(interaction, work, defer=True)

    @app_commands.command(
        name=ls("requests", "cmd.mod-requests.name"),
        description=ls("Requests still waiting", "cmd.mod-requests.description"),
    )
    async def requests(self, interaction: discord.Interaction) -> None:
        moderator = await self._moderator(interaction)

        async def work() -> list[Message]:
            loc = locale_of(interaction)
            waiting = await self.bot.services.moderation.open_requests(
                actor_of(interaction), moderator=moderator
            )
            lines = [t(loc, "mod.requests_title", count=len(waiting))]
            lines += [t(loc, "mod.request_line", id=r.id, mentee=user(r.mentee),
                        topic=user(r.topic) if r.topic else "—", status=r.status)
                      for r in waiting]  # fmt: skip
            return [Message("\n".join(lines))]

        await guarded(interaction, work)

    @app_commands.command(
        name=ls("export", "cmd.mod-export.name"),
        description=ls("The programme as CSV", "cmd.mod-export.description"),
    )
    async def export(self, interaction: discord.Interaction) -> None:
        moderator = await self._moderator(interaction)

        async def work() -> list[Message]:
            data = await self.bot.services.moderation.export_csv(
                actor_of(interaction), moderator=moderator
            )
            file = Attachment("programme.csv", data, "text/csv")
            return [Message(t(locale_of(interaction), "mod.exported"), files=(file,))]

        await guarded(interaction, work, defer=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Moderation(bot))
