"""What text command handlers (Matrix, console) work with: the line, the context, small helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core import inputs
from bot.core.actions import run_action
from bot.core.context import Actor
from bot.core.errors import InvalidInput
from bot.core.inputs import id_of, is_digits
from bot.core.ports import Message
from bot.core.services import Services
from bot.text.parser import Command


@dataclass(frozen=True)
class Incoming:
    """A line someone wrote, and where (a pair space reference, if it was one)."""

    actor: Actor
    text: str
    room: str | None = None


class TextContext:
    """Services and the front-end's conventions, as a command handler sees them."""

    def __init__(
        self,
        services: Services,
        *,
        prefix: str = "!",
        is_moderator: Callable[[Actor], Awaitable[bool]] | None = None,
    ) -> None:
        self.services = services
        self.prefix = prefix
        self._is_moderator = is_moderator

    def locale(self, actor: Actor) -> str:
        """The language of replies to this actor."""
        return actor.locale or self.services.ctx.locale

    async def is_moderator(self, actor: Actor) -> bool:
        """Whether the actor may use moderator commands."""
        return bool(self._is_moderator and await self._is_moderator(actor))

    async def run(self, actor: Actor, action: str) -> list[Message]:
        """An action without the error guard (callers inside handlers)."""
        return await run_action(self.services, actor, action, self.locale(actor))

    def usage(self, key: str, **params: object) -> InvalidInput:
        """The error naming how a command is used (raise it)."""
        return InvalidInput(key, prefix=self.prefix, **params)

    def need(self, value: str | None, usage_key: str) -> str:
        """`value`, or the usage error when it is missing."""
        if not value:
            raise self.usage(usage_key)
        return value


# A text command: the context, the line and its parsed form in; replies out.
Handler = Callable[[TextContext, Incoming, Command], Awaitable[list[Message]]]


def rest(cmd: Command, words: int) -> str:
    """The raw argument text after the first `words` words ('' when there is none)."""
    parts = cmd.text.split(None, words)
    return parts[words] if len(parts) > words else ""


def after(cmd: Command, words: int) -> str:
    """The positional words after the first `words`, without key=value options."""
    return " ".join(cmd.words[words:]).strip()


def is_id(text: str) -> bool:
    """Whether `text` is an id (ASCII digits, 1 to 2147483647): what an action id can carry."""
    return is_digits(text) and id_of(text) is not None


def numeric(
    text: str | None, what: str, low: int | None = None, high: int | None = None
) -> int | None:
    """A number argument: None when `text` is a word (the handler explains the usage), the
    number when it is ASCII digits in range (`low`..`high`, else the field's own: an id 1 to
    2147483647); any other number (``²``, ``①``, too big) is refused with a message naming
    the field `what` and what is allowed."""
    return inputs.number(text, what, low, high)


def who(token: str) -> str:
    """A member named in a command: Matrix ids keep their '@' (@user:server), names lose it."""
    token = token.strip()
    return token if ":" in token else token.lstrip("@")
