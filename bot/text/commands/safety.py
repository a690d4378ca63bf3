"""!help-mod: telling the moderators, in the member's own words."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext, numeric, rest
from bot.text.parser import Command


async def _help_mod(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    words = cmd.text
    first = cmd.word(0)
    pair_id = numeric(first, "pair") if msg.room is None else None
    if pair_id is not None:
        words = rest(cmd, 1)
    await ctx.services.safety.contact_moderators(
        msg.actor, words, pair_id=pair_id, space_ref=msg.room if pair_id is None else None
    )
    return [Message(t(ctx.locale(msg.actor), "safety.sent"))]


COMMANDS: dict[str, Handler] = {"help-mod": _help_mod}
