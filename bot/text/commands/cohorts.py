"""!cohort create|join|leave|feedback|list: learning together in a cohort."""

from __future__ import annotations

from bot.core.groups import joined_message, list_message
from bot.core.groups.cohorts import COHORT_JOIN
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.core.times import day_text
from bot.core.vocab import split_list
from bot.text.base import Handler, Incoming, TextContext, after, numeric, rest, who
from bot.text.parser import Command


async def _cohort(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, opts = ctx.locale(msg.actor), ctx.services.cohorts, cmd.options
    what = (cmd.word(0) or "list").lower()
    if what == "create":
        named = (opts.get("leaders") or opts.get("leader") or "").replace(" ", ",")
        view = await svc.create(
            msg.actor, opts.get("name") or after(cmd, 1),
            leaders=[(who(x), "") for x in split_list(named)],
            capacity=opts.get("capacity"), start=opts.get("start", ""), end=opts.get("end", ""),
            moderator=await ctx.is_moderator(msg.actor),
        )  # fmt: skip
        return [Message(t(loc, "cohort.created", name=user(view.name), id=view.id,
                          capacity=view.capacity, start=day_text(loc, view.starts_at, None),
                          end=day_text(loc, view.ends_at, None)))]  # fmt: skip
    if what in ("join", "leave"):
        key = after(cmd, 1)
        if not key:
            raise ctx.usage("usage.cohort")
        if what == "join":
            return [joined_message(loc, await svc.join(msg.actor, key))]
        view = await svc.leave(msg.actor, key)
        return [Message(t(loc, "cohort.left", name=user(view.name)))]
    if what == "feedback":
        name, rating = cmd.word(1), cmd.word(2) or ""
        if not name or numeric(rating, "rating") is None:
            raise ctx.usage("usage.cohort")
        await svc.feedback(msg.actor, name, int(rating), rest(cmd, 3))
        return [Message(t(loc, "cohort.feedback_thanks"))]
    if what != "list":
        raise ctx.usage("usage.cohort")
    views = await svc.list_cohorts(msg.actor)
    buttons = tuple(COHORT_JOIN.button(t(loc, "button.join_cohort_n", id=v.id), group=v.id)
                    for v in views if not v.joined)[:5]  # fmt: skip
    hint = [t(loc, "cohort.list_hint", prefix=ctx.prefix)] if views else []
    return [list_message(loc, "cohort", views, hint, buttons)]


COMMANDS: dict[str, Handler] = {"cohort": _cohort}
