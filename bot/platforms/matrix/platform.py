"""The core's port on Matrix: DMs, configured rooms, pair rooms, rendered messages and files."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from nio import RoomCreateResponse, RoomInviteError, RoomPreset, RoomVisibility

from bot.config import MatrixRoom, MatrixSection
from bot.core.i18n import t, unmark
from bot.core.ports import CommunityRef, Message, Sent
from bot.platforms.matrix.client import PAIR_POWER_LEVELS, MatrixClient
from bot.platforms.matrix.render import (
    ACTIONS_KEY,
    AUDIENCE_KEY,
    file_content,
    render,
)
from bot.platforms.matrix.state import StateStore

log = logging.getLogger(__name__)

MAX_NAME_LOOKUPS = 25
KNOWN_ACTIONS = 2000

LocaleOf = Callable[[str], Awaitable[str]]


async def _default_locale(_community: str) -> str:
    return "en"


class MatrixPlatform:
    """Implements bot.core.ports.Platform for Matrix."""

    name = "matrix"

    def __init__(
        self,
        client: MatrixClient,
        settings: MatrixSection,
        state: StateStore,
        *,
        locale_of: LocaleOf = _default_locale,
        locale: str = "en",
    ) -> None:
        self.client = client
        self.settings = settings
        self.state = state
        self.locale_of = locale_of
        self.locale = locale
        self.prefix = settings.command_prefix
        # event id -> (actions, audience) of messages with choices this process sent
        self.actions: OrderedDict[str, tuple[dict[str, str], list[str]]] = OrderedDict()
        self._dm_ok: set[str] = set()
        self._dm_locks: dict[str, asyncio.Lock] = {}
        self._warned_moderation: set[str] = set()

    @property
    def encrypt(self) -> bool:
        """Rooms the bot opens are encrypted when configured and this process can encrypt."""
        return self.settings.encrypt_rooms and self.client.e2e

    def space_link(self, community: CommunityRef, space_ref: str) -> str:
        """A link moderators can open: the pair room on matrix.to."""
        return f"https://matrix.to/#/{space_ref}"

    def mention(self, user_id: str) -> str:
        """The user id itself: rendered as a pill, and kept in `body`."""
        return user_id

    def command_hint(self, name: str) -> str:
        """The text command with this room's prefix."""
        return f"{self.settings.command_prefix}{name}"

    async def channel_link(self, community: CommunityRef, channel: str) -> str | None:
        """Matrix names no extra rooms in greetings."""
        return None

    # ----- the port -------------------------------------------------------------------------
    async def send_to_member(
        self, community: CommunityRef, user_id: str, message: Message, *, key: str | None = None
    ) -> Sent:
        """Into the member's direct room with the bot; the mentors room if that fails."""
        try:
            room_id = await self.dm_room(user_id, community.external_id)
            event_id = await self.send(room_id, message, community.external_id,
                                       audience=[user_id], key=key)  # fmt: skip
            return Sent(event_id, "member", {"room_id": room_id})
        except Exception:
            log.warning("could not message %s directly; using the mentors room", user_id,
                        exc_info=True)  # fmt: skip
        note = Message(
            f"{user_id}: {message.text}",
            buttons=message.buttons,
            mentions=(user_id, *message.mentions),
            files=message.files,
        )
        mentors = self.channel_room(community.external_id, "mentors")
        if mentors is None:
            return Sent(None, "none")
        event_id = await self.send(mentors, note, community.external_id, audience=[user_id],
                                   key=f"{key}:fallback" if key else None)  # fmt: skip
        return Sent(event_id, "channel", {"room_id": mentors})

    async def send_to_channel(
        self, community: CommunityRef, channel: str, message: Message, *, key: str | None = None
    ) -> Sent:
        """welcome/mentors/recognition fall back to the community room; moderation never does."""
        room_id = self.channel_room(community.external_id, channel)
        if room_id is None:
            return Sent(None, "none")
        event_id = await self.send(room_id, message, community.external_id, key=key)
        return Sent(event_id, "channel", {"room_id": room_id})

    async def open_space(
        self, community: CommunityRef, name: str, user_ids: list[str], *, public: bool = False
    ) -> str:
        """An invite-only room with these members invited; `public`: anyone may join it."""
        name = unmark(name)
        if public:
            # Open to join (not listed in the server's directory), never encrypted.
            resp = await self.client.nio.room_create(
                visibility=RoomVisibility.private, name=name, preset=RoomPreset.public_chat,
                invite=list(user_ids), power_level_override=PAIR_POWER_LEVELS,
            )  # fmt: skip
            if not isinstance(resp, RoomCreateResponse):
                raise RuntimeError(f"could not create a room: {resp}")
            room_id = str(resp.room_id)
        else:
            room_id = await self.client.create_room(
                name=name, invite=list(user_ids), direct=False, encrypt=self.encrypt
            )
        self.state.remember_pair_room(room_id, community.external_id)
        return room_id

    async def add_to_space(
        self, community: CommunityRef, space_ref: str, user_ids: list[str]
    ) -> None:
        """Invite members to an existing room."""
        for user_id in user_ids:
            resp = await self.client.nio.room_invite(space_ref, user_id)
            if isinstance(resp, RoomInviteError):
                raise RuntimeError(f"could not invite {user_id} to {space_ref}: {resp}")

    async def post_in_space(
        self, community: CommunityRef, space_ref: str, message: Message, *, key: str | None = None
    ) -> Sent:
        event_id = await self.send(space_ref, message, community.external_id, key=key)
        return Sent(event_id, "channel", {"room_id": space_ref})

    # ----- rooms ----------------------------------------------------------------------------
    def room_config(self, community: str) -> MatrixRoom:
        return self.settings.rooms.get(community) or MatrixRoom()

    def channel_room(self, community: str, channel: str) -> str | None:
        """The room behind a core channel name, or None when it must not be posted."""
        cfg = self.room_config(community)
        if channel == "moderation":
            if not cfg.moderation_room and community not in self._warned_moderation:
                self._warned_moderation.add(community)
                log.warning("no moderation_room is configured for %s; moderator notes are "
                            "dropped (set matrix.rooms.\"%s\".moderation_room)", community,
                            community)  # fmt: skip
            return cfg.moderation_room or None
        if channel == "mentors":
            return cfg.mentors_room or community
        if channel == "recognition":
            return cfg.recognition_room or community
        if channel == "welcome":
            return community
        return None  # help: named in the greeting, never posted to

    async def dm_room(self, user_id: str, community: str | None) -> str:
        """The member's direct room with the bot: remembered, checked, or created."""
        lock = self._dm_locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            room_id = self.state.data.dm_rooms.get(user_id)
            if (
                room_id
                and room_id not in self._dm_ok
                and not await self._dm_usable(room_id, user_id)
            ):
                self.state.forget_dm(room_id)
                room_id = None
            if room_id is None:
                room_id = await self.client.create_room(
                    name=None, invite=[user_id], direct=True, encrypt=self.encrypt
                )
                self.state.remember_dm(user_id, room_id, community)
            elif community and room_id not in self.state.data.room_community:
                self.state.remember_dm(user_id, room_id, community)
            self._dm_ok.add(room_id)
            return room_id

    async def _dm_usable(self, room_id: str, user_id: str) -> bool:
        try:
            mine = await self.client.membership(room_id, self.client.user_id)
            theirs = await self.client.membership(room_id, user_id)
        except Exception:
            return False
        return mine == "join" and theirs in ("join", "invite")

    def forget_dm(self, room_id: str) -> None:
        """The member left their direct room: the next DM opens a new one."""
        self._dm_ok.discard(room_id)
        self.state.forget_dm(room_id)

    # ----- sending --------------------------------------------------------------------------
    async def send(
        self,
        room_id: str,
        message: Message,
        community: str | None = None,
        *,
        audience: Iterable[str] = (),
        notify: Iterable[str] = (),
        reply_to: str | None = None,
        thread: str | None = None,
        key: str | None = None,
    ) -> str:
        """Render and send a message (+ its choices as reactions, + its files).

        `key` (idempotency) becomes the transaction id: the homeserver shows a retried
        send once. Reactions and files derive their own ids from it.
        """
        locale = await self.locale_of(community) if community else self.locale
        names = await self._names([*message.mentions, *notify], room_id)
        content = render(message, locale=locale, prefix=self.prefix, names=names,
                         notify=notify, exclude=self.client.user_id, audience=audience,
                         reply_to=reply_to, thread=thread)  # fmt: skip
        event_id = await self.client.send(room_id, content, tx_id=key)
        if ACTIONS_KEY in content:
            self._remember(event_id, content)
            for emoji in content[ACTIONS_KEY]:
                try:
                    tx = f"{key}:react:{emoji}" if key else None
                    await self.client.react(room_id, event_id, emoji, tx_id=tx)
                except Exception:
                    log.info("could not add the %s reaction in %s", emoji, room_id)
        for index, file in enumerate(message.files):
            try:
                up = await self.client.upload(file.data, file.mime, file.filename, room_id)
                await self.client.send(
                    room_id,
                    file_content(file.filename, file.mime, len(file.data), up["url"], up["keys"]),
                    tx_id=f"{key}:file:{index}" if key else None,
                )
            except Exception:
                log.exception("could not send the file %s", file.filename)
                failed = Message(t(locale, "matrix.file_failed", filename=file.filename))
                await self.client.send(room_id, render(failed, locale=locale, prefix=self.prefix))
        return event_id

    def _remember(self, event_id: str, content: dict[str, Any]) -> None:
        self.actions[event_id] = (dict(content[ACTIONS_KEY]), list(content[AUDIENCE_KEY]))
        while len(self.actions) > KNOWN_ACTIONS:
            self.actions.popitem(last=False)

    async def _names(self, user_ids: Iterable[str], room_id: str) -> dict[str, str]:
        """Display names for the pills of the users a message mentions."""
        ids = list(dict.fromkeys(user_ids))
        names = {}
        for user_id in ids[:MAX_NAME_LOOKUPS]:
            names[user_id] = await self.client.display_name(user_id, room_id)
        return names
