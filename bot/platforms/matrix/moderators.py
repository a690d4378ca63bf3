"""Who moderates a Matrix community: power level, or room creator from room version 12 on."""

from __future__ import annotations

import logging
from typing import Any

from bot.core.context import Actor
from bot.platforms.matrix.client import MatrixClient

log = logging.getLogger(__name__)


def creators_are_privileged(room_version: str) -> bool:
    """Room versions 12+ ("hydra") give creators unlimited power outside the power levels."""
    version = room_version.strip().lower()
    if version.isdigit():
        return int(version) >= 12
    return "hydra" in version


def level_of(power_levels: dict[str, Any], user_id: str) -> int:
    """A user's power level per m.room.power_levels (users_default when not listed)."""
    users = power_levels.get("users")
    default = power_levels.get("users_default", 0)
    raw = users.get(user_id, default) if isinstance(users, dict) else default
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


class Moderators:
    """The `is_moderator` callback of the text router."""

    def __init__(self, client: MatrixClient, threshold: int) -> None:
        self.client = client
        self.threshold = threshold

    async def __call__(self, actor: Actor) -> bool:
        room = actor.community
        try:
            version, creators = await self.client.creators(room)
            if creators_are_privileged(version) and actor.user_id in creators:
                return True
            return level_of(await self.client.power_levels(room), actor.user_id) >= self.threshold
        except Exception:
            log.warning("could not read the power levels of %s; treating %s as no moderator",
                        room, actor.user_id, exc_info=True)  # fmt: skip
            return False
