"""!profile: a member's interests, goals, languages, time zone, bio and language."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext
from bot.text.parser import Command


async def _profile(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    opts, loc = cmd.options, ctx.locale(msg.actor)
    if not opts:
        raise ctx.usage("usage.profile")
    member = await ctx.services.profiles.update_profile(
        msg.actor,
        timezone=opts.get("tz") or opts.get("timezone"),
        languages=opts.get("languages"),
        interests=opts.get("interests"),
        goals=opts.get("goals"),
        bio=opts.get("bio"),
        locale=opts.get("locale"),
    )
    return [Message(t(member.locale or loc, "profile.saved"))]


COMMANDS: dict[str, Handler] = {"profile": _profile}
