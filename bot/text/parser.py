"""The text-command grammar shared by Matrix and the console: `!name args key=value`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.inputs import clean

MAX_LINE = 6000
_NAME = re.compile(r"^([a-z][a-z0-9-]{0,31})(?:\s+|$)(.*)$", re.DOTALL | re.IGNORECASE)
_KV = re.compile(r'(?:^|\s)([a-z][a-z_-]{0,31})=("(?:[^"]*)"|\'(?:[^\']*)\'|\S*)', re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    """A parsed command: its name, the raw argument text, positional words and key=values."""

    name: str
    text: str = ""
    words: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)

    def word(self, index: int) -> str | None:
        """The positional word at `index`, if present."""
        return self.words[index] if index < len(self.words) else None


def parse(line: str, prefix: str = "!") -> Command | None:
    """A Command if `line` starts with the prefix and a valid name, else None.

    The line is cleaned first (`bot.core.inputs.clean`): NUL, control characters, unpaired
    surrogates and user-text marks never reach a handler; newlines stay.
    """
    if not prefix or not line.startswith(prefix):
        return None
    body = clean(line[len(prefix) :][:MAX_LINE])
    match = _NAME.match(body)
    if not match:
        return None
    name, rest = match.group(1).lower(), match.group(2).strip()
    options: dict[str, str] = {}
    for key, value in _KV.findall(rest):
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        options[key.lower().replace("-", "_")] = value
    positional = _KV.sub(" ", rest).split()
    return Command(name=name, text=rest, words=positional, options=options)
