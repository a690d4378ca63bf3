"""A fake platform at the core's port: records everything, can refuse DMs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.core.i18n import unmark
from bot.core.ports import CommunityRef, Message, Sent


@dataclass
class Delivery:
    """One thing the core asked the platform to show."""

    kind: str  # dm | channel | space
    target: str
    message: Message


@dataclass
class FakePlatform:
    """In-memory platform; `closed_dms` users get their DMs in the mentors channel."""

    name: str = "fake"
    deliveries: list[Delivery] = field(default_factory=list)
    spaces: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # names as shown
    space_names: dict[str, str] = field(default_factory=dict)  # as asked (member text marked)
    closed_dms: set[str] = field(default_factory=set)
    fail_spaces: bool = False
    keys: set[str] = field(default_factory=set)
    duplicates: int = 0

    def _seen(self, key: str | None) -> bool:
        """Idempotency like a real platform: a repeated key shows nothing new."""
        if key is None:
            return False
        if key in self.keys:
            self.duplicates += 1
            return True
        self.keys.add(key)
        return False

    def space_link(self, community: CommunityRef, space_ref: str) -> str:
        return f"<{space_ref}>"

    def mention(self, user_id: str) -> str:
        return f"<@{user_id}>"

    def command_hint(self, name: str) -> str:
        return f"/{name}"

    async def channel_link(self, community: CommunityRef, channel: str) -> str | None:
        return None

    async def send_to_member(
        self, community: CommunityRef, user_id: str, message: Message, *, key: str | None = None
    ) -> Sent:
        if self._seen(key):
            return Sent(key)
        if user_id in self.closed_dms:
            self.deliveries.append(Delivery("channel", "mentors", message))
            return Sent(f"c{len(self.deliveries)}", "channel")
        self.deliveries.append(Delivery("dm", user_id, message))
        return Sent(f"d{len(self.deliveries)}")

    async def send_to_channel(
        self, community: CommunityRef, channel: str, message: Message, *, key: str | None = None
    ) -> Sent:
        if self._seen(key):
            return Sent(key, "channel")
        self.deliveries.append(Delivery("channel", channel, message))
        return Sent(f"c{len(self.deliveries)}", "channel")

    async def open_space(
        self, community: CommunityRef, name: str, user_ids: list[str], *, public: bool = False
    ) -> str:
        if self.fail_spaces:
            raise RuntimeError("platform down")
        ref = f"space{len(self.spaces) + 1}"
        self.spaces[ref] = (unmark(name), list(user_ids))
        self.space_names[ref] = name
        return ref

    async def add_to_space(
        self, community: CommunityRef, space_ref: str, user_ids: list[str]
    ) -> None:
        members = self.spaces[space_ref][1]
        members.extend(u for u in user_ids if u not in members)

    async def post_in_space(
        self, community: CommunityRef, space_ref: str, message: Message, *, key: str | None = None
    ) -> Sent:
        if self._seen(key):
            return Sent(key)
        self.deliveries.append(Delivery("space", space_ref, message))
        return Sent(f"s{len(self.deliveries)}")

    def to(self, kind: str, target: str) -> list[Message]:
        """Messages delivered to one DM, channel or space, as a member reads them: without the
        marks around member text (like the console). `deliveries` keeps them as sent."""
        return [shown(d.message) for d in self.deliveries if d.kind == kind and d.target == target]

    def actions(self, kind: str, target: str) -> list[str]:
        """Button actions of messages delivered to a target, newest last."""
        return [b.action for m in self.to(kind, target) for b in m.buttons]


def shown(message: Message) -> Message:
    """A message as a plain-text platform shows it: member-text marks dropped."""
    buttons = tuple(replace(b, label=unmark(b.label)) for b in message.buttons)
    return replace(message, text=unmark(message.text), buttons=buttons)
