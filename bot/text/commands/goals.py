"""!goals and !milestone: a pair's (or tandem's) goals and their milestones."""

from __future__ import annotations

from bot.core.goals import goal_line, tree_text
from bot.core.i18n import t
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext, after, numeric, rest
from bot.text.parser import Command


async def _goals(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, what = ctx.locale(msg.actor), ctx.services.goals, (cmd.word(0) or "list")
    room = msg.room
    if what == "add":
        await svc.add(msg.actor, rest(cmd, 1), space_ref=room)
        return [Message(t(loc, "goals.added"))]
    if what in ("done", "complete"):
        number = cmd.word(1) or ""
        if numeric(number, "goal_number") is None:
            raise ctx.usage("usage.goals")
        await svc.complete(msg.actor, int(number), space_ref=room)
        return [Message("✅")]
    if what != "list":
        raise ctx.usage("usage.goals")
    goals = await svc.list(msg.actor, space_ref=room)
    if not goals:
        return [Message(t(loc, "goals.list_empty"))]
    lines = [t(loc, "goals.list_title")]
    lines += [goal_line(i, g) for i, g in enumerate(goals, 1)]
    return [Message("\n".join(lines))]


async def _milestone(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, room = ctx.locale(msg.actor), ctx.services.goals, msg.room
    what = (cmd.word(0) or "list").lower()
    if what == "add":
        goal = cmd.word(1) or ""
        if numeric(goal, "goal_number") is None:
            raise ctx.usage("usage.milestone")
        number = await svc.add_milestone(msg.actor, int(goal), after(cmd, 2), space_ref=room)
        return [Message(t(loc, "milestone.added", number=number))]
    if what in ("done", "complete"):
        number = cmd.word(1) or ""
        await svc.complete_milestone(msg.actor, number, space_ref=room)
        return [Message("✅")]
    if what != "list":
        raise ctx.usage("usage.milestone")
    return [Message(tree_text(loc, await svc.tree(msg.actor, space_ref=room)))]


COMMANDS: dict[str, Handler] = {
    "goals": _goals,
    "milestone": _milestone,
    "milestones": _milestone,
}
