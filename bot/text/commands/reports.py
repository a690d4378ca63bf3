"""!mentoring-report: how mentoring is going, for moderators."""

from __future__ import annotations

from bot.core.ports import Message
from bot.core.reports import MAX_DAYS
from bot.reporting import report_messages
from bot.text.base import Handler, Incoming, TextContext, numeric
from bot.text.parser import Command


async def _report(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, word = ctx.locale(msg.actor), cmd.word(0)
    if word is not None and numeric(word, "days", 1, MAX_DAYS) is None:
        raise ctx.usage("usage.report")
    days = int(word) if word else 30
    moderator = await ctx.is_moderator(msg.actor)
    report = await ctx.services.reports.report(msg.actor, days, moderator=moderator)
    return await report_messages(report, loc)


COMMANDS: dict[str, Handler] = {"mentoring-report": _report}
