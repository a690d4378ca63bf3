"""Public thanks (kudos)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.badges import award_badges
from bot.core.context import Actor, Context, check_length
from bot.core.errors import InvalidInput, NotFound
from bot.core.i18n import t
from storage.models import Kudos
from storage.repositories import members as member_repo

MAX_THANKS = 500


@dataclass(frozen=True)
class Thanked:
    """A recorded thank-you."""

    to_name: str
    total_received: int


class RecognitionService:
    """Thanks between members, posted in the recognition channel."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def thank(self, actor: Actor, target_user_id: str, message: str = "") -> Thanked:
        """Record a thank-you and post it publicly."""
        message = check_length(message, MAX_THANKS, "message")
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            assert community.id is not None
            target = await member_repo.find_member_by_name(
                s, community_id=community.id, name=target_user_id
            )
            if target is None:
                raise NotFound("thanks.unknown_member", name=target_user_id[:64])
            if target.id == member.id:
                raise InvalidInput("thanks.self")
            s.add(Kudos(community_id=community.id, from_member_id=member.id or 0,
                        to_member_id=target.id or 0, message=message,
                        created_at=self.ctx.clock.now()))  # fmt: skip
            await s.flush()
            total = await member_repo.kudos_received(s, member_id=target.id or 0)
            await award_badges(self.ctx, s, target.id or 0)
            ref = self.ctx.ref(community)
            locale = self.ctx.locale_of(None, community)
        platform = self.ctx.platform(ref.platform)
        key = "thanks.public_with_message" if message else "thanks.public"
        text = t(locale, key, sender=platform.mention(member.platform_user_id),
                 target=platform.mention(target.platform_user_id), message=message)  # fmt: skip
        await self.ctx.announce(ref, "recognition", text,
                                (member.platform_user_id, target.platform_user_id))  # fmt: skip
        return Thanked(target.display_name, total)
