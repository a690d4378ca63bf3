"""!tandem: mutual mentoring (register, status, confirm or decline an introduction)."""

from __future__ import annotations

from bot.core.ports import Message
from bot.core.tandem import answer_message, tandem_message
from bot.text.base import Handler, Incoming, TextContext, numeric
from bot.text.parser import Command


async def _tandem(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, opts = ctx.locale(msg.actor), ctx.services.tandem, cmd.options
    what = (cmd.word(0) or "").lower()
    if what in ("confirm", "decline"):
        word = (cmd.word(1) or "").lstrip("#")
        if word and numeric(word, "introduction") is None:
            raise ctx.usage("tandem.usage")
        intro = int(word) if word else None
        answer = await (svc.confirm if what == "confirm" else svc.decline)(msg.actor, intro)
        return [answer_message(loc, answer)]
    offers = opts.get("offer") or opts.get("offers")
    seeks = opts.get("seek") or opts.get("seeks")
    if offers is None and seeks is None and not what:
        return [tandem_message(loc, await svc.status(msg.actor), ctx.prefix)]
    if not offers or not seeks:
        raise ctx.usage("tandem.usage")
    return [tandem_message(loc, await svc.register(msg.actor, offers, seeks), ctx.prefix)]


COMMANDS: dict[str, Handler] = {"tandem": _tandem}
