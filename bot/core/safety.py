"""Safety inside a pair: acknowledging the guidelines and asking moderators for help."""

from __future__ import annotations

from bot.core.context import Actor, Context, check_length
from bot.core.errors import InvalidInput
from bot.core.i18n import t
from bot.core.pairs import PairService
from storage.models import Community, Pair

MAX_WORDS = 1000


class SafetyService:
    """Guidelines and private help requests."""

    def __init__(self, ctx: Context, pairs: PairService) -> None:
        self.ctx = ctx
        self.pairs = pairs

    async def acknowledge(self, actor: Actor, pair_id: int) -> bool:
        """Record that a partner read the guidelines; True when both have."""
        pair = await self.pairs.pair_for(actor, pair_id, None)
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            stored = await s.get(Pair, pair.id)
            assert stored is not None
            if member.id == stored.mentee_id:
                stored.mentee_ack_at = stored.mentee_ack_at or now
            else:
                stored.mentor_ack_at = stored.mentor_ack_at or now
            return bool(stored.mentee_ack_at and stored.mentor_ack_at)

    async def contact_moderators(
        self, actor: Actor, words: str, *, pair_id: int | None = None, space_ref: str | None = None
    ) -> None:
        """Alert the moderation channel: who, which pair (a link), and the reporter's words."""
        words = check_length(words, MAX_WORDS, "message")
        if not words:
            raise InvalidInput("safety.words_needed")
        pair = await self.pairs.pair_for(actor, pair_id, space_ref)
        async with self.ctx.db() as s:
            community = await s.get(Community, pair.community_id)
            assert community is not None
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        text = t(self.ctx.locale_of(None, community), "safety.alert",
                 name=platform.mention(actor.user_id), pair=pair.id,
                 space=platform.space_link(ref, pair.space_ref) if pair.space_ref else "—",
                 words=words)  # fmt: skip
        await self.ctx.announce(ref, "moderation", text, (actor.user_id,))
