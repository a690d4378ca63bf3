"""!help: every command in one reply, in a fixed order."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.ports import Message
from bot.text.base import Handler, Incoming, TextContext
from bot.text.parser import Command

# The order of `!help` (each name has a `help.<name>` line in the catalogue).
HELP_ORDER = (
    "mentor", "ask", "accept", "decline", "mentor-signup", "mentor-status", "mentor-digest",
    "profile", "checkin", "goals", "end", "feedback", "extend", "thanks", "my-data",
    "cohort", "office-hours", "circle", "tandem", "milestone",
    "help-mod", "mod", "mentoring-setup", "mentoring-report", "help",
)  # fmt: skip


async def _help(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc = ctx.locale(msg.actor)
    lines = [t(loc, "help.intro")]
    lines += [t(loc, f"help.{name}", prefix=ctx.prefix) for name in HELP_ORDER]
    return [Message("\n".join(lines))]


COMMANDS: dict[str, Handler] = {"help": _help}
