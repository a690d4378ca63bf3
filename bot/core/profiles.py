"""Member profiles: joins and leaves, time zone, languages, interests, goals, bio, locale."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import as_utc
from bot.core.context import Actor, Context, check_length
from bot.core.errors import InvalidInput
from bot.core.i18n import user
from bot.core.vocab import normalize_languages, normalize_skills, normalize_timezone
from storage.models import Member
from storage.repositories import members as member_repo

REJOIN_QUIET = timedelta(days=1)  # a quicker rejoin is not welcomed again


def parse_timezone(value: str) -> str:
    """A valid IANA time zone or a clear error."""
    tz = normalize_timezone(value)
    if tz is None:
        raise InvalidInput("error.timezone", value=user(value[:64]))
    return tz


def parse_languages(value: str | list[str]) -> list[str]:
    """Language codes or a clear error naming the ones not understood."""
    codes, bad = normalize_languages(value)
    if bad:
        raise InvalidInput("error.language", value=user(", ".join(b[:20] for b in bad[:3])))
    return codes


class ProfileService:
    """Profiles and mentor signup."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def member_joined(self, actor: Actor, *, is_bot: bool = False) -> bool:
        """Record a join (or rejoin); True when it deserves a welcome.

        A welcome is due for someone the bot has not met, or who comes back after more than
        REJOIN_QUIET away; not for a quick leave-and-rejoin or someone who talked to the bot
        before joining.
        """
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community = await member_repo.get_community(
                s, platform=actor.platform, external_id=actor.community
            )
            known = None
            if community is not None and community.id is not None:
                known = await member_repo.get_member(
                    s, community_id=community.id, user_id=actor.user_id
                )
            left = as_utc(known.left_at) if known is not None else None
            _, member = await self.ctx.resolve(s, actor, is_bot=is_bot)
            if member.left_at is not None:
                member.left_at = None
        return known is None or (left is not None and now - left > REJOIN_QUIET)

    async def member(self, actor: Actor) -> Member:
        """The actor's member row (created on first contact)."""
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            return member

    async def member_left(self, actor: Actor) -> None:
        """Remember when a member left (retention counts from here)."""
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            member.left_at = self.ctx.clock.now()

    async def update_profile(
        self,
        actor: Actor,
        *,
        timezone: str | None = None,
        languages: str | None = None,
        interests: str | None = None,
        goals: str | None = None,
        bio: str | None = None,
        locale: str | None = None,
    ) -> Member:
        """Validate everything first, then change the profile in one go."""
        changes: dict[str, object] = {}
        if timezone:
            changes["timezone"] = parse_timezone(timezone)
        if languages:
            changes["languages"] = parse_languages(languages)
        if interests is not None:
            changes["interests"] = normalize_skills(check_length(interests, 500, "interests"))
        if goals is not None:
            changes["goals"] = check_length(goals, 1000, "goals")
        if bio is not None:
            changes["bio"] = check_length(bio, 1000, "bio")
        if locale:
            if locale not in ("en", "de"):
                raise InvalidInput("error.locale", value=user(locale[:10]))
            changes["locale"] = locale
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            for key, value in changes.items():
                setattr(member, key, value)
            return member
