"""The console community: a Platform that prints, and remembers buttons by number."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.i18n import unmark
from bot.core.ports import Button, CommunityRef, Message, Sent

CHANNELS = ("welcome", "mentors", "moderation", "recognition", "help")


@dataclass
class Space:
    """A private space in the console."""

    name: str
    members: list[str]
    public: bool = False


@dataclass
class ConsolePlatform:
    """Everything goes to `write`; buttons are numbered per member."""

    write: Callable[[str], None] = print
    name: str = "console"
    spaces: dict[str, Space] = field(default_factory=dict)
    buttons: dict[str, tuple[Button, ...]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        # Everything printed drops the marks around member text (replies printed by the
        # runner included): the console shows text exactly as typed.
        printer = self.write
        self.write = lambda text: printer(unmark(text))

    def space_link(self, community: CommunityRef, space_ref: str) -> str:
        space = self.spaces.get(space_ref)
        return f'"{space.name}"' if space else space_ref

    def mention(self, user_id: str) -> str:
        return f"@{user_id}"

    def command_hint(self, name: str) -> str:
        return f"!{name}"

    async def channel_link(self, community: CommunityRef, channel: str) -> str | None:
        return None

    def _show(self, where: str, message: Message, audience: list[str]) -> str:
        ref = f"m{next(self._ids)}"
        text = unmark(message.text)
        lines = [f"[{where}] {line}" for line in text.splitlines() or [""]]
        if message.buttons:
            choices = "  ".join(
                f"[{i}] {unmark(b.label)}" for i, b in enumerate(message.buttons, 1)
            )
            lines.append(f"[{where}] {choices}")
            for user in audience:
                self.buttons[user] = message.buttons
        for line in lines:
            self.log.append((where, line))
            self.write(line)
        return ref

    async def send_to_member(
        self, community: CommunityRef, user_id: str, message: Message, *, key: str | None = None
    ) -> Sent:
        return Sent(self._show(f"DM to {user_id}", message, [user_id]))

    async def send_to_channel(
        self, community: CommunityRef, channel: str, message: Message, *, key: str | None = None
    ) -> Sent:
        return Sent(self._show(f"#{channel}", message, list(message.mentions)), "channel")

    async def open_space(
        self, community: CommunityRef, name: str, user_ids: list[str], *, public: bool = False
    ) -> str:
        ref = f"space-{len(self.spaces) + 1}"
        name = unmark(name)
        self.spaces[ref] = Space(name, list(user_ids), public)
        kind = "open space" if public else "space"
        line = f'[{kind}] "{name}" opened for {", ".join(user_ids)}'
        self.log.append(("space", line))
        self.write(line)
        return ref

    async def add_to_space(
        self, community: CommunityRef, space_ref: str, user_ids: list[str]
    ) -> None:
        space = self.spaces[space_ref]
        space.members.extend(u for u in user_ids if u not in space.members)

    async def post_in_space(
        self, community: CommunityRef, space_ref: str, message: Message, *, key: str | None = None
    ) -> Sent:
        space = self.spaces[space_ref]
        return Sent(self._show(space.name, message, space.members))

    def button(self, user_id: str, number: int) -> Button | None:
        """The member's numbered choice on the newest message with buttons they can see."""
        choices = self.buttons.get(user_id, ())
        return choices[number - 1] if 1 <= number <= len(choices) else None
