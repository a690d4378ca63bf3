"""Per-community settings set from chat (channels, roles, programme overrides)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from bot.core.context import Actor, Context, check_length
from bot.core.durations import format_duration, parse_duration
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.i18n import user
from bot.core.inputs import is_digits, is_snowflake
from bot.core.ports import CommunityRef
from bot.core.settings import Programme
from storage.repositories import communities as community_repo
from storage.repositories import members as member_repo

CHANNEL_KEYS = (
    "welcome_channel", "mentoring_channel", "mentors_channel", "moderation_channel",
    "recognition_channel", "help_channel",
)  # fmt: skip
ROLE_KEYS = ("moderator_roles", "mentor_role")
PROGRAMME_KEYS = tuple(f.name for f in fields(Programme))
LOCALE_KEY = "locale"
GUIDELINES_KEY = "guidelines"
SETUP_KEYS = (*CHANNEL_KEYS, *ROLE_KEYS, *PROGRAMME_KEYS, LOCALE_KEY, GUIDELINES_KEY)
_LIMITS = {"max_offer_attempts": (1, 20), "default_capacity": (1, 10), "auto_pause_after": (1, 100)}


def _programme_value(key: str, raw: str) -> Any:
    current = getattr(Programme(), key)
    if isinstance(current, bool):
        if raw.lower() not in ("true", "false", "yes", "no", "on", "off"):
            raise InvalidInput("setup.bad_bool", key=key, value=user(raw[:40]))
        return raw.lower() in ("true", "yes", "on")
    if isinstance(current, int):
        low, high = _LIMITS[key]
        if not is_digits(raw) or not low <= int(raw) <= high:
            raise InvalidInput("setup.bad_number", key=key, value=user(raw[:40]), low=low,
                               high=high)  # fmt: skip
        return int(raw)
    try:
        return format_duration(parse_duration(raw))
    except ValueError:
        raise InvalidInput("setup.bad_duration", key=key, value=user(raw[:40])) from None


class CommunityService:
    """Moderator-only settings of one community."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def settings(self, actor: Actor) -> dict[str, Any]:
        """The community's stored overrides."""
        async with self.ctx.db.begin() as s:
            community, _ = await self.ctx.resolve(s, actor)
            return dict(community.settings or {})

    async def stored(self, community_id: int) -> dict[str, Any]:
        """Stored overrides by community id (front-ends merge them over the file's values)."""
        async with self.ctx.db() as s:
            community = await member_repo.get_community_by_id(s, community_id=community_id)
            return dict(community.settings or {}) if community else {}

    async def stored_for(self, platform: str, external_id: str) -> dict[str, Any]:
        """Stored overrides by platform id; empty for a community never seen."""
        async with self.ctx.db() as s:
            community = await member_repo.get_community(
                s, platform=platform, external_id=external_id
            )
            return dict(community.settings or {}) if community else {}

    async def ref_for(self, platform: str, external_id: str) -> CommunityRef | None:
        """The port reference of a known community."""
        async with self.ctx.db() as s:
            community = await member_repo.get_community(
                s, platform=platform, external_id=external_id
            )
            return self.ctx.ref(community) if community else None

    async def locale_for(self, ref: CommunityRef) -> str:
        """The community's language."""
        async with self.ctx.db() as s:
            community = await member_repo.get_community_by_id(s, community_id=ref.id)
            return self.ctx.locale_of(None, community)

    async def ids(self) -> list[int]:
        """The ids of every community."""
        async with self.ctx.db() as s:
            return await community_repo.community_ids(s)

    async def programmes(self) -> list[Programme]:
        """The file's programme and every community's overrides."""
        async with self.ctx.db() as s:
            stored = await community_repo.all_communities(s)
        return [self.ctx.programme, *(self.ctx.programme_for(c) for c in stored)]

    async def of_space(self, platform: str, space_ref: str) -> str | None:
        """The platform id of the community whose pair owns a private space, if any."""
        async with self.ctx.db() as s:
            return await community_repo.community_of_space(
                s, platform=platform, space_ref=space_ref
            )

    async def configure(
        self, actor: Actor, key: str, value: str | int | list[int], *, moderator: bool
    ) -> dict[str, Any]:
        """Validate and store one setting; returns all stored settings."""
        if not moderator:
            raise NotAllowed("setup.not_allowed")
        key = key.strip().lower().replace("-", "_")
        if key not in SETUP_KEYS:
            raise InvalidInput("setup.unknown_key", key=user(key[:40]), keys=", ".join(SETUP_KEYS))
        stored: Any
        if key in PROGRAMME_KEYS:
            stored = _programme_value(key, str(value).strip())
        elif key == GUIDELINES_KEY:
            stored = check_length(str(value), 1500, "guidelines")
        elif key == LOCALE_KEY:
            if str(value) not in ("en", "de"):
                raise InvalidInput("error.locale", value=user(str(value)[:10]))
            stored = str(value)
        elif key == "moderator_roles":
            items = value if isinstance(value, list) else str(value).replace(",", " ").split()
            if not all(is_snowflake(str(v)) for v in items):
                raise InvalidInput("setup.bad_id", key=key, value=user(str(value)[:40]))
            stored = [int(v) for v in items]
        else:
            stored = value if isinstance(value, str) else int(value)  # type: ignore[arg-type]
        async with self.ctx.db.begin() as s:
            community, _ = await self.ctx.resolve(s, actor)
            merged = dict(community.settings or {})
            merged[key] = stored
            if key == LOCALE_KEY:
                community.locale = str(stored)
            community.settings = merged
            return merged
