"""Plain data records for the fake Discord server's state.

Everything here is a dataclass that tests may read (and, carefully, mutate).
Payload rendering lives in :mod:`tests.fakediscord.state`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# channel types
TEXT = 0
DM = 1
VOICE = 2
CATEGORY = 4
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)

# message flags
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# gateway intents
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# permissions
ADMINISTRATOR = 1 << 3
MENTION_EVERYONE = 1 << 17
MANAGE_THREADS = 1 << 34
ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    (1 << 6)  # add reactions
    | (1 << 10)  # view channel
    | (1 << 11)  # send messages
    | (1 << 14)  # embed links
    | (1 << 15)  # attach files
    | (1 << 16)  # read message history
    | (1 << 20)  # connect
    | (1 << 21)  # speak
    | (1 << 26)  # change nickname
    | (1 << 31)  # use application commands
    | (1 << 35)  # create public threads
    | (1 << 36)  # create private threads
    | (1 << 38)  # send messages in threads
)


def iso(ts: dt.datetime | None = None) -> str:
    """ISO-8601 timestamp the way Discord sends it."""
    return (ts or dt.datetime.now(dt.UTC)).isoformat()


class Snowflakes:
    """Monotonic, time-based snowflake ids (so ``id >> 22`` is a real timestamp)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        if candidate <= self._last:
            candidate = self._last + 1
        self._last = candidate
        return candidate


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dm_closed: bool = False
    avatar: str | None = None
    discriminator: str = "0"

    @property
    def display_name(self) -> str:
        return self.global_name or self.username


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False


@dataclass
class Member:
    guild_id: int
    user: User
    nick: str | None = None
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso)
    flags: int = 0

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def display_name(self) -> str:
        return self.nick or self.user.display_name


@dataclass
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    last_message_id: int | None = None
    # DM channels
    recipient_ids: list[int] = field(default_factory=list)
    # threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: str = field(default_factory=iso)
    create_timestamp: str = field(default_factory=iso)
    thread_members: dict[int, str] = field(default_factory=dict)  # user id -> join timestamp
    message_count: int = 0
    total_message_sent: int = 0
    deleted: bool = False

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso)


@dataclass
class Attachment:
    id: int
    filename: str
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Message:
    id: int
    channel_id: int
    author_id: int
    content: str = ""
    guild_id: int | None = None
    type: int = 0
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    tts: bool = False
    pinned: bool = False
    timestamp: str = field(default_factory=iso)
    edited_timestamp: str | None = None
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    message_reference: dict[str, Any] | None = None
    nonce: str | int | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None  # set for interaction responses / followups
    reactions: dict[str, set[int]] = field(default_factory=dict)
    deleted: bool = False
    edits: int = 0
    # Who the message notified, as Discord decides it from the content and the request's
    # `allowed_mentions` (None: not given, so Discord parses every mention in the content).
    allowed_mentions: dict[str, Any] | None = None
    pinged: list[int] = field(default_factory=list)  # user ids
    pinged_roles: list[int] = field(default_factory=list)
    pinged_everyone: bool = False  # @everyone / @here
    added_to_thread: list[int] = field(default_factory=list)  # pulled into a private thread
    mentions_applied: bool = False  # its mentions have had their effect on the thread
    extra: dict[str, Any] = field(default_factory=dict)  # merged into the payload

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        """Depth-first search of the message components for ``custom_id``."""
        return find_component(self.components, custom_id)

    def custom_ids(self) -> list[str]:
        out: list[str] = []
        for comp in walk_components(self.components):
            if comp.get("custom_id"):
                out.append(comp["custom_id"])
        return out


def walk_components(components: list[dict[str, Any]]):
    """Yield every component (rows, sections, containers, labels, leaves)."""
    for comp in components or []:
        yield comp
        yield from walk_components(comp.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                yield from walk_components([comp[key]])


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    for comp in walk_components(components):
        if comp.get("custom_id") == custom_id:
            return comp
    return None


@dataclass
class RequestRecord:
    """One REST request as seen by the server (for stats and assertions)."""

    at: float  # time.monotonic()
    method: str
    path: str
    route: str | None  # template without the /api/v10 prefix, e.g. /channels/{channel_id}/messages
    bucket: str | None
    status: int = 0
    rate_limited: bool = False
    global_limit: bool = False


@dataclass
class CommandRecord:
    """A registered application command (the JSON discord.py sent, plus ids)."""

    data: dict[str, Any]
    guild_id: int | None

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def name(self) -> str:
        return self.data["name"]
