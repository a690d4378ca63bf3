"""Routes a line to its text command and a button/reaction to its action, behind one error guard."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable

from bot.core.context import Actor
from bot.core.errors import DomainError
from bot.core.i18n import t
from bot.core.ports import Message
from bot.text.base import Incoming, TextContext
from bot.text.commands import COMMANDS
from bot.text.parser import parse

__all__ = ["Incoming", "TextRouter"]

log = logging.getLogger(__name__)


class TextRouter(TextContext):
    """One router per front-end (Matrix, console)."""

    async def handle(self, incoming: Incoming) -> list[Message]:
        """Replies to a line; lines that are not commands get none."""
        cmd = parse(incoming.text.strip(), self.prefix)
        if cmd is None:
            return []
        handler = COMMANDS.get(cmd.name)
        if handler is None:
            loc = self.locale(incoming.actor)
            return [Message(t(loc, "text.unknown_command", name=cmd.name[:32], prefix=self.prefix))]
        return await self._guard(incoming.actor, handler(self, incoming, cmd))

    async def press(self, actor: Actor, action: str, room: str | None = None) -> list[Message]:
        """A button press or reaction, e.g. 'offer:accept:42' or 'pair:rate:7:5'."""
        return await self._guard(actor, self.run(actor, action))

    async def _guard(self, actor: Actor, work: Awaitable[list[Message]]) -> list[Message]:
        loc = self.locale(actor)
        try:
            return await work
        except DomainError as err:
            return [Message(t(loc, err.key, **err.params))]
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("command failed (error id %s)", error_id)
            return [Message(t(loc, "error.unexpected", error_id=error_id))]
