"""!checkin: how a pair's mentoring is going."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext, numeric
from bot.text.parser import Command

ANSWERS = {"well": "well", "help": "help", "wrap-up": "wrap_up", "wrap_up": "wrap_up"}


async def _checkin(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    answer = ANSWERS.get((cmd.word(0) or "").lower())
    pair = cmd.word(1)
    if answer is None or (pair is not None and numeric(pair, "pair") is None):
        raise ctx.usage("usage.checkin")
    done = await ctx.services.checkins.answer(
        msg.actor, answer, space_ref=msg.room if pair is None else None,
        pair_id=int(pair) if pair else None,
    )  # fmt: skip
    return [Message(t(ctx.locale(msg.actor), f"checkin.thanks_{done}"))]


COMMANDS: dict[str, Handler] = {"checkin": _checkin}
