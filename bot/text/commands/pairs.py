"""!end, !extend, !feedback: a mentoring pair's own commands."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.pairs import PAIR_EXTEND
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext, numeric, rest
from bot.text.parser import Command


async def _end(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    word = cmd.word(0)
    pair_id = numeric(word, "pair")
    pair = await ctx.services.pairs.pair_for(msg.actor, pair_id, msg.room)
    view = await ctx.services.pairs.end(msg.actor, pair.id or 0)
    return [Message(t(ctx.locale(msg.actor), "pair.end_reply", id=view.id, prefix=ctx.prefix))]


async def _extend(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    word = cmd.word(0)
    if word is not None and numeric(word, "pair") is None:
        raise ctx.usage("usage.extend")
    pair = await ctx.services.pairs.pair_for(msg.actor, int(word) if word else None, msg.room)
    return await ctx.run(msg.actor, PAIR_EXTEND.id(pair=pair.id))


async def _feedback(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    words = cmd.words
    if len(words) < 2 or numeric(words[0], "pair") is None or numeric(words[1], "rating") is None:
        raise ctx.usage("usage.feedback")
    await ctx.services.pairs.feedback(msg.actor, int(words[0]), int(words[1]), rest(cmd, 2))
    return [Message(t(ctx.locale(msg.actor), "pair.feedback_thanks"))]


COMMANDS: dict[str, Handler] = {"end": _end, "extend": _extend, "feedback": _feedback}
