"""/mentoring-report: how mentoring is going, as an embed with a chart, text and a CSV."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.i18n import t
from bot.core.ports import Message
from bot.core.reports import MAX_DAYS, Report
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls
from bot.reporting.messages import attachments
from bot.reporting.tables import period

Days = app_commands.Range[int, 1, MAX_DAYS]

EMBED_FIGURES = (
    "newcomers", "asked_share", "matched_share", "accept_median_hours", "accept_p90_hours",
    "waiting", "active_pairs", "completed_pairs", "ended_pairs", "stale_pairs",
    "checkin_response_rate", "feedback_average", "retention_7d_mentored",
    "retention_7d_not_mentored", "retention_30d_mentored", "retention_30d_not_mentored",
    "mentor_load", "overloaded_mentors", "idle_mentors", "concentration",
    "mentees_became_mentors", "thanks",
)  # fmt: skip


def report_embed(report: Report, loc: str, chart: str | None) -> discord.Embed:
    """The key figures as inline fields, with the chart (if drawn) as the embed image."""
    embed = discord.Embed(title=report.title(loc), description=period(report, loc), colour=0x2A9D8F)
    figures = {f.key: f for f in report.figures()}
    for key in EMBED_FIGURES:
        figure = figures[key]
        embed.add_field(name=figure.label(loc)[:256], value=figure.text(loc)[:1024])
    if chart:
        embed.set_image(url=f"attachment://{chart}")
    embed.set_footer(text=t(loc, "report.embed_footer" if chart else "report.chart_missing"))
    return embed


def details(report: Report, loc: str, limit: int = 2000) -> str:
    """Title and every figure as 'label: value' lines, cut at a line to fit one message."""
    text = ""
    for line in [report.title(loc), *report.lines(loc)]:
        if len(text) + len(line) + 1 > limit:
            break
        text = f"{text}\n{line}" if text else line
    return text


class Reports(commands.Cog):
    """The programme report (moderators, checked here, not only by Discord)."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=ls("mentoring-report", "cmd.mentoring-report.name"),
        description=ls("How mentoring is going (moderators)", "cmd.mentoring-report.description"),
    )
    @app_commands.describe(
        days=ls("Days to cover (default 30)", "opt.days"),
        public=ls("Post it for everyone in this channel", "opt.public"),
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def report(self, interaction: discord.Interaction, days: Days = 30,
                     public: bool = False) -> None:  # fmt: skip
        moderator = await self.bot.is_moderator(interaction)

        async def work() -> list[Message]:
            # Original response: embed with the key figures and the chart; follow-up: every
            # figure as text plus the CSV. Refusals never get here (NotAllowed is raised first).
            loc = locale_of(interaction)
            report = await self.bot.services.reports.report(
                actor_of(interaction), days, moderator=moderator
            )
            png, csv_file = await attachments(report, loc)  # png is None without matplotlib
            charts = [discord.File(io.BytesIO(png.data), filename=png.filename)] if png else []
            await interaction.edit_original_response(
                embed=report_embed(report, loc, png.filename if png else None), attachments=charts
            )
            return [Message(details(report, loc), files=(csv_file,))]

        await guarded(interaction, work, ephemeral=not (public and moderator), defer=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Reports(bot))
