"""!circle create|join|leave|list: open topic circles."""

from __future__ import annotations

from bot.core.groups import joined_message, list_message
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext, after
from bot.text.parser import Command


async def _circle(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, opts = ctx.locale(msg.actor), ctx.services.circles, cmd.options
    what = (cmd.word(0) or "list").lower()
    if what == "create":
        joined = await svc.create(msg.actor, opts.get("name") or after(cmd, 1),
                                  opts.get("topic", ""))  # fmt: skip
        return [Message(t(loc, "circle.created", name=user(joined.group.name), id=joined.group.id,
                          space=joined.space_link or "—"))]  # fmt: skip
    if what in ("join", "leave"):
        key = after(cmd, 1)
        if not key:
            raise ctx.usage("usage.circle")
        if what == "join":
            return [joined_message(loc, await svc.join(msg.actor, key))]
        view = await svc.leave(msg.actor, key)
        return [Message(t(loc, "circle.left", name=user(view.name)))]
    if what != "list":
        raise ctx.usage("usage.circle")
    views = await svc.list_open(msg.actor)
    hint = [t(loc, "circle.list_hint", prefix=ctx.prefix)] if views else []
    return [list_message(loc, "circle", views, hint)]


COMMANDS: dict[str, Handler] = {"circle": _circle}
