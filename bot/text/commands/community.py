"""!mentoring-setup: a community's settings, set from chat by moderators."""

from __future__ import annotations

from bot.core.errors import NotAllowed
from bot.core.i18n import t
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext
from bot.text.parser import Command


async def _setup(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc = ctx.locale(msg.actor), ctx.services.community
    moderator = await ctx.is_moderator(msg.actor)
    if not cmd.words and not cmd.options:
        if not moderator:
            raise NotAllowed("setup.not_allowed")
        current = await svc.settings(msg.actor)
        shown = ", ".join(f"{k}={v}" for k, v in sorted(current.items())) or "—"
        return [Message(t(loc, "setup.current", settings=shown, prefix=ctx.prefix))]
    pairs = list(cmd.options.items()) or [(cmd.words[0], " ".join(cmd.words[1:]))]
    for key, value in pairs:
        if not value:
            raise ctx.usage("usage.setup")
        await svc.configure(msg.actor, key, value, moderator=moderator)
    return [Message(t(loc, "setup.saved", keys=", ".join(k for k, _ in pairs)))]


COMMANDS: dict[str, Handler] = {"mentoring-setup": _setup}
