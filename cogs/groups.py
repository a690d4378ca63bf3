"""/cohort, /office-hours and /circle: group mentoring on Discord (thin: parse, call, render)."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.group_actions import joined_message, rsvp_message
from bot.core.groups import day_text, list_message
from bot.core.i18n import t
from bot.core.officehours import sessions_message
from bot.core.ports import Button, Message
from bot.core.vocab import suggest_timezones
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class Groups(commands.Cog):
    """Cohorts, office hours and topic circles."""

    cohort = app_commands.Group(
        name=ls("cohort", "cmd.cohort.name"), guild_only=True,
        description=ls("Cohorts: learn together with a group of newcomers",
                       "cmd.cohort.description"),
    )  # fmt: skip
    office_hours = app_commands.Group(
        name=ls("office-hours", "cmd.office-hours.name"), guild_only=True,
        description=ls("Weekly sessions with a mentor", "cmd.office-hours.description"),
    )  # fmt: skip
    circle = app_commands.Group(
        name=ls("circle", "cmd.circle.name"), guild_only=True,
        description=ls("Open topic circles", "cmd.circle.description"),
    )  # fmt: skip

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    # ----- cohorts ---------------------------------------------------------------------------
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
            return [Message(t(loc, "cohort.created", name=view.name, id=view.id,
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
            return [Message(t(locale_of(interaction), "cohort.left", name=view.name))]

        await guarded(interaction, work)

    @cohort.command(
        name=ls("list", "cmd.cohort-list.name"),
        description=ls("Cohorts you can join", "cmd.cohort-list.description"),
    )
    async def cohort_list(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            loc = locale_of(interaction)
            views = await self.bot.services.cohorts.list_cohorts(actor_of(interaction))
            buttons = tuple(Button(t(loc, "button.join_cohort_n", id=v.id), f"cohort:join:{v.id}")
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

    # ----- office hours ------------------------------------------------------------------------
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
            return [Message(t(loc, "oh.scheduled", id=session.id, topic=session.topic,
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
    async def oh_rsvp(self, interaction: discord.Interaction, session: int) -> None:
        async def work() -> list[Message]:
            found = await self.bot.services.office_hours.rsvp(actor_of(interaction), session)
            return [rsvp_message(locale_of(interaction), *found)]

        await guarded(interaction, work)

    @office_hours.command(
        name=ls("cancel", "cmd.oh-cancel.name"),
        description=ls("Stop your office hours", "cmd.oh-cancel.description"),
    )
    @app_commands.describe(session=ls("The number of the office hours", "opt.session"))
    async def oh_cancel(self, interaction: discord.Interaction, session: int) -> None:
        moderator = await self.bot.is_moderator(interaction)

        async def work() -> list[Message]:
            topic = await self.bot.services.office_hours.cancel(
                actor_of(interaction), session, moderator=moderator)  # fmt: skip
            return [Message(t(locale_of(interaction), "oh.cancelled_reply", topic=topic))]

        await guarded(interaction, work)

    # ----- topic circles -------------------------------------------------------------------------
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
            joined = await self.bot.services.groups.create_circle(actor_of(interaction), name,
                                                                  topic)  # fmt: skip
            return [Message(t(locale_of(interaction), "circle.created", name=joined.group.name,
                              id=joined.group.id, space=joined.space_link or "—"))]  # fmt: skip

        await guarded(interaction, work, defer=True)

    @circle.command(
        name=ls("join", "cmd.circle-join.name"),
        description=ls("Join a topic circle", "cmd.circle-join.description"),
    )
    @app_commands.describe(circle=ls("The circle's name or number", "opt.circle"))
    async def circle_join(self, interaction: discord.Interaction, circle: str) -> None:
        async def work() -> list[Message]:
            joined = await self.bot.services.groups.join_circle(actor_of(interaction), circle)
            return [joined_message(locale_of(interaction), joined)]

        await guarded(interaction, work, defer=True)

    @circle.command(
        name=ls("leave", "cmd.circle-leave.name"),
        description=ls("Leave a topic circle", "cmd.circle-leave.description"),
    )
    @app_commands.describe(circle=ls("The circle's name or number", "opt.circle"))
    async def circle_leave(self, interaction: discord.Interaction, circle: str) -> None:
        async def work() -> list[Message]:
            view = await self.bot.services.groups.leave_circle(actor_of(interaction), circle)
            return [Message(t(locale_of(interaction), "circle.left", name=view.name))]

        await guarded(interaction, work)

    @circle.command(
        name=ls("list", "cmd.circle-list.name"),
        description=ls("All topic circles", "cmd.circle-list.description"),
    )
    async def circle_list(self, interaction: discord.Interaction) -> None:
        async def work() -> list[Message]:
            views = await self.bot.services.groups.list_circles(actor_of(interaction))
            return [list_message(locale_of(interaction), "circle", views)]

        await guarded(interaction, work)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Groups(bot))
