"""The port between core and chat platforms: what core may ask a platform to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Button:
    """A choice attached to a message; `action` is a stable id like 'offer:accept:42'."""

    label: str
    action: str
    style: str = "secondary"  # primary | secondary | success | danger


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (an export, a chart, a CSV)."""

    filename: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    """Localized text plus optional buttons, files and the user ids it mentions."""

    text: str
    buttons: tuple[Button, ...] = ()
    mentions: tuple[str, ...] = ()
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class CommunityRef:
    """Which community on which platform a call concerns."""

    id: int
    platform: str
    external_id: str


@dataclass
class Sent:
    """Where a message ended up; `ref` lets a platform find it again."""

    ref: str | None
    delivered_to: str = "member"  # member | channel | none
    extra: dict[str, str] = field(default_factory=dict)


class Platform(Protocol):
    """What a front-end does for core. Every call is async and may be slow.

    `key`, when given, is an idempotency key: sending twice with the same key must show the
    message once (Discord: message nonce; Matrix: transaction id).
    """

    name: str

    def mention(self, user_id: str) -> str:
        """How to write a notifying mention of this user in message text."""

    def space_link(self, community: CommunityRef, space_ref: str) -> str:
        """How to point moderators at a private space (a link, never its messages)."""

    def command_hint(self, name: str) -> str:
        """How members write a command here ('/mentor' on Discord, '!mentor' in text)."""

    async def channel_link(self, community: CommunityRef, channel: str) -> str | None:
        """How to point members at a configured channel; None where there is none."""

    async def send_to_member(
        self, community: CommunityRef, user_id: str, message: Message, *, key: str | None = None
    ) -> Sent:
        """Send privately (DM); fall back to the mentors channel if the DM is closed."""

    async def send_to_channel(
        self, community: CommunityRef, channel: str, message: Message, *, key: str | None = None
    ) -> Sent:
        """Post to a configured channel: welcome, mentors, moderation, recognition, help."""

    async def open_space(
        self, community: CommunityRef, name: str, user_ids: list[str], *, public: bool = False
    ) -> str:
        """Open a private space (thread/room) with these members; return its reference.

        `public`: an open space any community member may find and join (topic circles).
        """

    async def add_to_space(
        self, community: CommunityRef, space_ref: str, user_ids: list[str]
    ) -> None:
        """Add members to a space opened earlier (a group's late joiners)."""

    async def post_in_space(
        self, community: CommunityRef, space_ref: str, message: Message, *, key: str | None = None
    ) -> Sent:
        """Post in a private space opened earlier."""
