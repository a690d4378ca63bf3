"""!mod approve|remove|end|reassign|requests|export: moderator tools."""

from __future__ import annotations

from bot.core.errors import NotAllowed
from bot.core.i18n import t, user
from bot.core.ports import Attachment, Message
from bot.text.base import Handler, Incoming, TextContext, numeric, who
from bot.text.parser import Command


async def _mod(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, words = ctx.locale(msg.actor), ctx.services.moderation, cmd.words
    moderator = await ctx.is_moderator(msg.actor)
    what = words[0].lower() if words else ""
    target = (words[1] if len(words) > 1 else "").lstrip("@") if what != "reassign" else ""
    if what == "approve" and target:
        name = await svc.approve(msg.actor, who(words[1]), moderator=moderator)
        return [Message(t(loc, "mod.approved", name=user(name)))]
    if what == "remove" and target:
        name = await svc.remove(msg.actor, who(words[1]), moderator=moderator)
        return [Message(t(loc, "mod.removed", name=user(name)))]
    if what == "end" and len(words) > 1 and numeric(words[1], "pair") is not None:
        await svc.end_pair(msg.actor, int(words[1]), moderator=moderator)
        return [Message(t(loc, "mod.ended", id=words[1]))]
    if what == "reassign" and len(words) > 2 and numeric(words[1], "pair") is not None:
        new = await svc.reassign(msg.actor, int(words[1]), who(words[2]), moderator=moderator)
        return [Message(t(loc, "mod.reassigned", id=words[1], new=new))]
    if what == "requests":
        waiting = await svc.open_requests(msg.actor, moderator=moderator)
        lines = [t(loc, "mod.requests_title", count=len(waiting))]
        lines += [t(loc, "mod.request_line", id=r.id, mentee=user(r.mentee),
                    topic=user(r.topic) if r.topic else "—", status=r.status)
                  for r in waiting]  # fmt: skip
        return [Message("\n".join(lines))]
    if what == "export":
        data = await svc.export_csv(msg.actor, moderator=moderator)
        file = Attachment("programme.csv", data, "text/csv")
        return [Message(t(loc, "mod.exported"), files=(file,))]
    if not moderator:
        raise NotAllowed("mod.not_allowed")
    raise ctx.usage("usage.mod")


COMMANDS: dict[str, Handler] = {"mod": _mod}
