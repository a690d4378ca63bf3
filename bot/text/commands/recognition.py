"""!thanks: public recognition."""

from __future__ import annotations

from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext, rest, who
from bot.text.parser import Command


async def _thanks(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc = ctx.locale(msg.actor)
    target = who(ctx.need(cmd.word(0), "usage.thanks"))
    done = await ctx.services.recognition.thank(msg.actor, target, rest(cmd, 1))
    return [Message(t(loc, "thanks.reply", name=user(done.to_name)))]


COMMANDS: dict[str, Handler] = {"thanks": _thanks}
