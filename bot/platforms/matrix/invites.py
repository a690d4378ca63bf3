"""Which rooms the bot joins: configured rooms, and direct rooms from community members."""

from __future__ import annotations

import logging
import time
from typing import Any

from nio import InviteMemberEvent

from bot.config import MatrixSection
from bot.platforms.matrix.client import MatrixClient
from bot.platforms.matrix.state import StateStore

log = logging.getLogger(__name__)

MEMBER_CACHE_SECONDS = 300.0
NON_MEMBER_CACHE_SECONDS = 10.0


def configured_rooms(settings: MatrixSection) -> dict[str, str]:
    """Every room the config names -> the community room it belongs to."""
    rooms: dict[str, str] = {}
    for community, cfg in settings.rooms.items():
        for room in (cfg.moderation_room, cfg.recognition_room, cfg.mentors_room):
            if room:
                rooms.setdefault(room, community)
    for community in settings.rooms:
        rooms[community] = community
    return rooms


class Membership:
    """Which configured community a user belongs to (asked from the homeserver, cached)."""

    def __init__(self, client: MatrixClient, settings: MatrixSection) -> None:
        self.client = client
        self.settings = settings
        self._cache: dict[str, tuple[float, str | None]] = {}

    async def community_of_user(self, user_id: str) -> str | None:
        """The first configured community room the user has joined, if any."""
        now = time.monotonic()
        hit = self._cache.get(user_id)
        if hit is not None:
            at, community = hit
            # Members are remembered for minutes, non-members only briefly (they may join).
            if now - at < (MEMBER_CACHE_SECONDS if community else NON_MEMBER_CACHE_SECONDS):
                return community
        found = None
        for community in self.settings.rooms:
            try:
                if await self.client.membership(community, user_id) == "join":
                    found = community
                    break
            except Exception:
                log.info("could not check %s's membership in %s", user_id, community)
        self._cache[user_id] = (now, found)
        return found

    def forget(self, user_id: str) -> None:
        self._cache.pop(user_id, None)


class InvitePolicy:
    """Accepts invites to configured rooms and members' DMs; rejects everything else."""

    def __init__(
        self,
        client: MatrixClient,
        settings: MatrixSection,
        state: StateStore,
        membership: Membership,
    ) -> None:
        self.client = client
        self.settings = settings
        self.state = state
        self.membership = membership
        self.rooms = configured_rooms(settings)

    async def handle(self, room_id: str, invite_state: list[Any]) -> bool:
        """Join or reject one invite; True when joined."""
        inviter, direct = self._read(invite_state)
        if room_id in self.rooms:
            joined = await self.client.join(room_id)
            log.info("joined configured room %s (invited by %s): %s", room_id, inviter, joined)
            return joined
        community = await self.membership.community_of_user(inviter) if direct and inviter else None
        if community is None:
            log.info("rejecting the invite to %s from %s (not a configured room, nor a direct "
                     "room from a community member)", room_id, inviter)  # fmt: skip
            await self.client.leave(room_id)
            return False
        if not await self.client.join(room_id):
            return False
        self.state.remember_dm(inviter or "", room_id, community)
        log.info("joined the direct room %s of %s", room_id, inviter)
        return True

    def _read(self, invite_state: list[Any]) -> tuple[str | None, bool]:
        """(inviter, is_direct) from the bot's own invite member event."""
        for event in invite_state:
            if isinstance(event, InviteMemberEvent) and event.state_key == self.client.user_id:
                return event.sender, bool((event.content or {}).get("is_direct"))
        return None, False
