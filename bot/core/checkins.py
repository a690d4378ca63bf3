"""Answering a check-in; 'Could use help' alerts the moderators (a link, never messages)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from bot.core.context import Actor, Context
from bot.core.errors import InvalidInput
from bot.core.i18n import t
from bot.core.pairs import PairService
from storage.models import CheckIn, Community, Pair

ANSWERS = ("well", "help", "wrap_up")


class CheckInService:
    """Check-in answers of a pair."""

    def __init__(self, ctx: Context, pairs: PairService) -> None:
        self.ctx = ctx
        self.pairs = pairs

    async def answer(
        self,
        actor: Actor,
        answer: str,
        *,
        space_ref: str | None = None,
        pair_id: int | None = None,
    ) -> str:
        """Record the answer on the pair's newest check-in (or a new one); returns it."""
        if answer not in ANSWERS:
            raise InvalidInput("checkin.bad_answer", value=answer[:20])
        pair = await self.pairs.pair_for(actor, pair_id, space_ref)
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            stmt = (
                select(CheckIn)
                .where(col(CheckIn.pair_id) == pair.id)
                .order_by(col(CheckIn.seq).desc())
                .limit(1)
            )
            latest = (await s.execute(stmt)).scalar_one_or_none()
            if latest is None or latest.answer is not None:
                seq = (latest.seq + 1) if latest else 1
                latest = CheckIn(pair_id=pair.id or 0, seq=seq, due_at=now, sent_at=now)
                s.add(latest)
            latest.answer, latest.answered_by, latest.answered_at = answer, member.id, now
            stored = await s.get(Pair, pair.id)
            assert stored is not None
            stored.unanswered_checkins = 0
            community = await s.get(Community, pair.community_id)
            assert community is not None
        if answer == "help":
            ref = self.ctx.ref(community)
            platform = self.ctx.platform(ref.platform)
            space = platform.space_link(ref, pair.space_ref) if pair.space_ref else "—"
            text = t(self.ctx.locale_of(None, community), "checkin.help_alert",
                     name=platform.mention(actor.user_id), pair=pair.id, space=space)  # fmt: skip
            await self.ctx.announce(ref, "moderation", text)
        return answer
