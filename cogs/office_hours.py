"""/office-hours schedule|list|rsvp|cancel: a mentor's weekly sessions."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.groups.office_hours import rsvp_message, sessions_message
from bot.core.i18n import t, user
from bot.core.inputs import MAX_ID
from bot.core.ports import Message
from bot.core.times import day_text
from bot.core.vocab import suggest_timezones
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SessionNumber = app_commands.Range[int, 1, MAX_ID]  # group ids are INTEGER columns


class OfficeHours(commands.Cog):
    """Weekly office hours."""

    office_hours = app_commands.Group(
        name=ls("office-hours", "cmd.office-hours.name"), guild_only=True,
        description=ls("Weekly sessions with a mentor", "cmd.office-hours.description"),
    )  # fmt: skip

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @office_hours.command(
        name=ls("schedule", "cmd.oh-schedule.name"),
        description=ls("Hold weekly office hours (mentors)", "cmd.oh-schedule.description"),
    )
    @app_commands.describe(
        weekday=ls("The day of the week", "opt.weekday"),
        time=ls("Local start time, e.g. 18:00", "opt.time"),
        timezone=ls("The session's time zone, e.g. Europe/Berlin", "opt.session_timezone"),
        topic=ls("What the sessions are about", "opt.oh_topic"),
        duration=ls("Minutes (15-480, default 60)", "opt.duration"),
    )
    async def oh_schedule(
        self, interaction: discord.Interaction, weekday: Weekday, time: str, timezone: str,
        topic: str, duration: app_commands.Range[int, 15, 480] = 60,
    ) -> None:  # fmt: skip
        moderator = await self.bot.is_moderator(interaction)

        async def work() -> list[Message]:
            loc = locale_of(interaction)
            session = await self.bot.services.office_hours.schedule(
                actor_of(interaction), weekday=weekday, at=time, timezone=timezone, topic=topic,
                duration=duration, moderator=moderator)  # fmt: skip
            return [Message(t(loc, "oh.scheduled", id=session.id, topic=user(session.topic),
                              when=day_text(loc, session.starts_at, session.zone)))]  # fmt: skip

        await guarded(interaction, work, defer=True)

    @oh_schedule.autocomplete("timezone")
    async def _zones(self, interaction: discord.Interaction, current: str
                     ) -> list[app_commands.Choice[str]]:  # fmt: skip
        return [app_commands.Choice(name=z, value=z) for z in suggest_timezones(current)]

    @office_hours.command(
        name=ls("list", "cmd.oh-list.name"),
        description=ls("Upcoming sessions, in your time zone", "cmd.oh-list.description"),
    )
    async def oh_list(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            sessions, zone = await self.bot.services.office_hours.upcoming(actor_of(interaction))
            return [sessions_message(locale_of(interaction), sessions, zone)]

        await guarded(interaction, work)

    @office_hours.command(
        name=ls("rsvp", "cmd.oh-rsvp.name"),
        description=ls("Say you will come to the next session", "cmd.oh-rsvp.description"),
    )
    @app_commands.describe(session=ls("The number of the office hours", "opt.session"))
    async def oh_rsvp(self, interaction: discord.Interaction, session: SessionNumber) -> None:
        async def work() -> list[Message]:
            found = await self.bot.services.office_hours.rsvp(actor_of(interaction), session)
            return [rsvp_message(locale_of(interaction), *found)]

        await guarded(interaction, work)

    @office_hours.command(
        name=ls("cancel", "cmd.oh-cancel.name"),
        description=ls("Stop your office hours", "cmd.oh-cancel.description"),
    )
    @app_commands.describe(session=ls("The number of the office hours", "opt.session"))
    async def oh_cancel(self, interaction: discord.Interaction, session: SessionNumber) -> None:
        moderator = await self.bot.is_moderator(interaction)

        async def work() -> list[Message]:
            topic = await self.bot.services.office_hours.cancel(
                actor_of(interaction), session, moderator=moderator)  # fmt: skip
            return [Message(t(locale_of(interaction), "oh.cancelled_reply", topic=user(topic)))]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(OfficeHours(bot))
