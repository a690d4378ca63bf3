"""Goals and milestones of a pair: add, list, complete (celebrated in the pair space)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from bot.core.context import Actor, Context, check_length
from bot.core.errors import Conflict, InvalidInput, NotFound
from bot.core.i18n import t
from bot.core.pairs import PairService
from bot.core.ports import Message
from storage.models import Community, Goal

MAX_GOALS = 25


class GoalService:
    """Goals belong to a pair; either partner may manage them."""

    def __init__(self, ctx: Context, pairs: PairService) -> None:
        self.ctx = ctx
        self.pairs = pairs

    async def _goals(self, pair_id: int) -> list[Goal]:
        async with self.ctx.db() as s:
            stmt = select(Goal).where(col(Goal.pair_id) == pair_id).order_by(col(Goal.id))
            return list((await s.execute(stmt)).scalars())

    async def add(self, actor: Actor, title: str, *, space_ref: str | None = None) -> list[Goal]:
        """Add a goal to the actor's pair; returns all goals."""
        title = check_length(title, 200, "goal")
        if not title:
            raise InvalidInput("goals.empty")
        pair = await self.pairs.pair_for(actor, None, space_ref)
        if len(await self._goals(pair.id or 0)) >= MAX_GOALS:
            raise Conflict("goals.too_many", limit=MAX_GOALS)
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            s.add(Goal(pair_id=pair.id, title=title, created_by=member.id,
                       created_at=self.ctx.clock.now()))  # fmt: skip
        return await self._goals(pair.id or 0)

    async def list(self, actor: Actor, *, space_ref: str | None = None) -> list[Goal]:
        """The pair's goals, oldest first."""
        pair = await self.pairs.pair_for(actor, None, space_ref)
        return await self._goals(pair.id or 0)

    async def complete(self, actor: Actor, number: int, *, space_ref: str | None = None) -> Goal:
        """Mark goal `number` (1-based, as listed) done and celebrate it in the pair space."""
        pair = await self.pairs.pair_for(actor, None, space_ref)
        goals = await self._goals(pair.id or 0)
        if not 1 <= number <= len(goals):
            raise NotFound("goals.bad_number", count=len(goals))
        async with self.ctx.db.begin() as s:
            goal = await s.get(Goal, goals[number - 1].id)
            assert goal is not None
            if goal.done:
                raise Conflict("goals.already_done", title=goal.title)
            goal.done, goal.completed_at = True, self.ctx.clock.now()
            community = await s.get(Community, pair.community_id)
            assert community is not None
        if pair.space_ref:
            text = t(self.ctx.locale_of(None, community), "goals.celebrate", title=goal.title,
                     name=actor.name)  # fmt: skip
            ref = self.ctx.ref(community)
            await self.ctx.platform(ref.platform).post_in_space(ref, pair.space_ref, Message(text))
        return goal
