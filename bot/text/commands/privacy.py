"""!my-data export|delete|consent: a member's own data."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.ports import Attachment, Message
from bot.core.privacy import PRIVACY_DELETE
from bot.text.base import Handler, Incoming, TextContext
from bot.text.parser import Command


async def _my_data(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, what = ctx.locale(msg.actor), (cmd.word(0) or "").lower()
    if what == "export":
        data = await ctx.services.privacy.export(msg.actor)
        file = Attachment("my-data.json", data, "application/json")
        return [Message(t(loc, "privacy.exported"), files=(file,))]
    if what == "delete" and (cmd.word(1) or "").lower() == "confirm":
        return await ctx.run(msg.actor, PRIVACY_DELETE.id())
    if what == "consent" and (cmd.word(1) or "").lower() in ("on", "off"):
        given = (cmd.word(1) or "").lower() == "on"
        await ctx.services.privacy.set_consent(msg.actor, given)
        return [Message(t(loc, "privacy.consent_on" if given else "privacy.consent_off"))]
    if what == "delete":
        button = PRIVACY_DELETE.button(t(loc, "button.delete_data"), "danger")
        return [Message(t(loc, "privacy.confirm_delete", prefix=ctx.prefix), buttons=(button,))]
    raise ctx.usage("usage.my_data")


COMMANDS: dict[str, Handler] = {"my-data": _my_data}
