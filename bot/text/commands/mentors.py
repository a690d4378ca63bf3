"""!mentor-signup, !mentor-status, !mentor-digest: being a mentor."""

from __future__ import annotations

from bot.core.errors import InvalidInput
from bot.core.i18n import t
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext
from bot.text.parser import Command


async def _signup(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, opts = ctx.locale(msg.actor), cmd.options
    skills = ctx.need(opts.get("skills"), "usage.signup")
    result = await ctx.services.mentors.signup(
        msg.actor,
        skills=skills,
        languages=opts.get("languages") or opts.get("langs"),
        timezone=opts.get("tz") or opts.get("timezone"),
        capacity=opts.get("capacity"),
    )
    return [Message(result.summary(loc, ctx.prefix))]


async def _status(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc = ctx.locale(msg.actor)
    status = ctx.need(cmd.word(0), "usage.status")
    result = await ctx.services.mentors.set_status(msg.actor, status, cmd.word(1))
    if result.status == "available":
        return [Message(t(loc, "status.available"))]
    if result.until:
        until = result.until.strftime("%Y-%m-%d %H:%M UTC")
        return [Message(t(loc, "status.paused_until", until=until))]
    return [Message(t(loc, "status.paused", prefix=ctx.prefix))]


async def _digest(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    choice = (cmd.word(0) or "").lower()
    if choice not in ("on", "off"):
        raise InvalidInput("usage.digest", prefix=ctx.prefix)
    await ctx.services.mentors.set_digest(msg.actor, choice == "on")
    return [Message(t(ctx.locale(msg.actor), f"digest.{choice}"))]


COMMANDS: dict[str, Handler] = {
    "mentor-signup": _signup,
    "mentor-status": _status,
    "mentor-digest": _digest,
}
