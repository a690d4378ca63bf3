"""What a button or reaction does, declared once: id pattern, handler, slowness, command, emoji.

An action id is a colon-separated string such as ``offer:accept:42``; it is a public format
(Discord custom ids ``mb:<guild>:<action>`` of buttons already posted must keep working).
Every feature declares its actions next to its service as ``Action`` values, and
``bot.core.actions`` lists them all; front-ends never parse ids themselves.

Pattern placeholders: ``{name}`` a number, ``{name?}`` a number or nothing (the newest one),
``{name:a|b}`` one of the listed words.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.errors import NotFound
from bot.core.inputs import id_of
from bot.core.ports import Button, Message

if TYPE_CHECKING:
    from bot.core.context import Actor
    from bot.core.services import Services

ACCEPT, DECLINE = "✅", "❌"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(\?|:[a-z_|]+)?\}")


@dataclass(frozen=True)
class Args:
    """The values an action id carried, by placeholder name."""

    values: Mapping[str, str] = field(default_factory=dict)

    def number(self, name: str) -> int:
        """A required number; one no id can carry (out of range) makes the action unknown."""
        found = id_of(self.values.get(name, ""))
        if found is None:
            raise NotFound("error.unknown_action")
        return found

    def optional(self, name: str) -> int | None:
        """A number, or None when the id left it empty (out of range: the action is unknown)."""
        return self.number(name) if self.values.get(name, "") else None

    def word(self, name: str) -> str:
        """A word placeholder's value."""
        return self.values.get(name, "")


Handler = Callable[["Services", "Actor", Args, str], Awaitable[list[Message]]]


def _regex(pattern: str) -> re.Pattern[str]:
    parts, last = [], 0
    for found in _PLACEHOLDER.finditer(pattern):
        parts.append(re.escape(pattern[last : found.start()]))
        name, kind = found.group(1), found.group(2) or ""
        if kind == "?":
            parts.append(f"(?P<{name}>[0-9]{{0,18}})")
        elif kind.startswith(":"):
            words = "|".join(re.escape(w) for w in kind[1:].split("|"))
            parts.append(f"(?P<{name}>{words})")
        else:
            parts.append(f"(?P<{name}>[0-9]{{1,18}})")
        last = found.end()
    parts.append(re.escape(pattern[last:]))
    return re.compile("".join(parts))


@dataclass(frozen=True)
class Action:
    """One kind of button/reaction, the same on Discord, Matrix and the console."""

    pattern: str
    handler: Handler
    slow: bool = False  # Discord defers before running it (it may take more than 3 s)
    command: str | None = None  # the text command doing the same, e.g. "accept {offer}"
    emoji: str | None = None  # the reaction standing for it on Matrix (else a keycap)
    keycap: str | None = None  # a placeholder whose number picks the keycap (ratings)
    form: str | None = None  # Discord opens this form (modal) instead of running the handler

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _regex(self.pattern))

    def match(self, action_id: str) -> Args | None:
        """The values in `action_id` when it is one of these, else None."""
        found = self._regex.fullmatch(action_id)  # type: ignore[attr-defined]
        return Args(found.groupdict()) if found else None

    def id(self, **values: int | str | None) -> str:
        """The action id for these values."""
        text = {k: "" if v is None else str(v) for k, v in values.items()}
        out = _PLACEHOLDER.sub(lambda m: text[m.group(1)], self.pattern)
        if self.match(out) is None:
            raise ValueError(f"{values!r} do not fit the action {self.pattern!r}")
        return out

    def button(self, label: str, style: str = "secondary", **values: int | str | None) -> Button:
        """A button that runs this action."""
        return Button(label, self.id(**values), style)

    def command_for(self, args: Args, prefix: str) -> str | None:
        """The text command doing what the button does, when there is one."""
        if self.command is None:
            return None
        return prefix + _PLACEHOLDER.sub(lambda m: args.word(m.group(1)), self.command).strip()
