"""Goals and milestones of a pair or tandem: add, list, complete (celebrated in the pair space).

Milestones are goals with a parent; completed milestones count towards recognition badges.
"""

from __future__ import annotations

from bot.core.context import Actor, Context, check_length
from bot.core.errors import Conflict, InvalidInput, NotFound
from bot.core.i18n import t, user
from bot.core.inputs import is_digits
from bot.core.outbox import Letter, enqueue
from bot.core.pairs import PairService
from bot.core.ports import Message
from storage.db import Tx
from storage.models import Goal
from storage.repositories import goals as goal_repo
from storage.repositories import members as member_repo

MAX_GOALS = 25
MAX_MILESTONES = 10
MILESTONE_BADGES = (("first_milestone", 1), ("ten_milestones", 10))
Tree = list[tuple[Goal, list[Goal]]]


class GoalService:
    """Goals belong to a pair; either partner may manage them."""

    def __init__(self, ctx: Context, pairs: PairService) -> None:
        self.ctx = ctx
        self.pairs = pairs

    async def _goals(self, pair_id: int, parent: int | None = None) -> list[Goal]:
        """Top-level goals of a pair, or the milestones under goal `parent`."""
        async with self.ctx.db() as tx:
            return await goal_repo.goals_of(tx, pair_id=pair_id, parent_id=parent)

    async def add(self, actor: Actor, title: str, *, space_ref: str | None = None) -> list[Goal]:
        """Add a goal to the actor's pair; returns all goals."""
        title = check_length(title, 200, "goal")
        if not title:
            raise InvalidInput("goals.empty")
        pair = await self.pairs.pair_for(actor, None, space_ref)
        if len(await self._goals(pair.id or 0)) >= MAX_GOALS:
            raise Conflict("goals.too_many", limit=MAX_GOALS)
        async with self.ctx.db.begin() as tx:
            _, member = await self.ctx.resolve(tx, actor)
            tx.add(Goal(pair_id=pair.id, title=title, created_by=member.id,
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
        async with self.ctx.db.begin() as tx:
            goal = await goal_repo.get_goal(tx, goal_id=goals[number - 1].id or 0)
            assert goal is not None
            if goal.done:
                raise Conflict("goals.already_done", title=user(goal.title))
            goal.done, goal.completed_at = True, self.ctx.clock.now()
            community = await member_repo.get_community_by_id(tx, community_id=pair.community_id)
            assert community is not None
        if pair.space_ref:
            text = t(self.ctx.locale_of(None, community), "goals.celebrate",
                     title=user(goal.title), name=user(actor.name))  # fmt: skip
            ref = self.ctx.ref(community)
            await self.ctx.platform(ref.platform).post_in_space(ref, pair.space_ref, Message(text))
        return goal

    # ----- milestones --------------------------------------------------------------------
    async def tree(self, actor: Actor, *, space_ref: str | None = None) -> Tree:
        """The pair's goals, each with its milestones."""
        pair = await self.pairs.pair_for(actor, None, space_ref)
        goals = await self._goals(pair.id or 0)
        return [(g, await self._goals(pair.id or 0, g.id)) for g in goals]

    async def _goal(self, pair_id: int, number: int) -> Goal:
        goals = await self._goals(pair_id)
        if not 1 <= number <= len(goals):
            raise NotFound("goals.bad_number", count=len(goals))
        return goals[number - 1]

    async def add_milestone(self, actor: Actor, goal_number: int, title: str, *,
                            space_ref: str | None = None) -> str:  # fmt: skip
        """Add a milestone under goal `goal_number`; returns its number ('2.1')."""
        title = check_length(title, 200, "milestone")
        if not title:
            raise InvalidInput("milestone.empty")
        pair = await self.pairs.pair_for(actor, None, space_ref)
        goal = await self._goal(pair.id or 0, goal_number)
        existing = await self._goals(pair.id or 0, goal.id)
        if len(existing) >= MAX_MILESTONES:
            raise Conflict("milestone.too_many", limit=MAX_MILESTONES)
        async with self.ctx.db.begin() as tx:
            _, member = await self.ctx.resolve(tx, actor)
            tx.add(Goal(pair_id=pair.id, parent_id=goal.id, title=title, created_by=member.id,
                       created_at=self.ctx.clock.now()))  # fmt: skip
        return f"{goal_number}.{len(existing) + 1}"

    async def complete_milestone(self, actor: Actor, number: str, *,
                                 space_ref: str | None = None) -> Goal:  # fmt: skip
        """Mark milestone 'G.M' done; celebrated in the pair space, counted for badges."""
        goal_no, _, step = number.strip().partition(".")
        if not is_digits(goal_no) or not is_digits(step):
            raise InvalidInput("milestone.bad_number", value=user(number[:10]))
        pair = await self.pairs.pair_for(actor, None, space_ref)
        goal = await self._goal(pair.id or 0, int(goal_no))
        steps = await self._goals(pair.id or 0, goal.id)
        if not 1 <= int(step) <= len(steps):
            raise NotFound("milestone.bad_step", count=len(steps), goal=goal_no)
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as tx:
            milestone = await goal_repo.get_goal(tx, goal_id=steps[int(step) - 1].id or 0)
            assert milestone is not None
            if milestone.done:
                raise Conflict("goals.already_done", title=user(milestone.title))
            milestone.done, milestone.completed_at = True, now
            community = await member_repo.get_community_by_id(tx, community_id=pair.community_id)
            assert community is not None
            await tx.flush()
            for member_id in (pair.mentee_id, pair.mentor_member_id):
                await milestone_badges(self.ctx, tx, member_id)
        if pair.space_ref:
            text = t(self.ctx.locale_of(None, community), "milestone.celebrate",
                     name=user(actor.name), title=user(milestone.title),
                     goal=user(goal.title))  # fmt: skip
            ref = self.ctx.ref(community)
            await self.ctx.platform(ref.platform).post_in_space(ref, pair.space_ref, Message(text))
        return milestone


async def milestone_badges(ctx: Context, tx: Tx, member_id: int) -> list[str]:
    """Milestone badges earned and not yet held; each is announced once."""
    member = await member_repo.get_member_by_id(tx, member_id=member_id)
    if member is None:
        return []
    reached = await goal_repo.milestones_reached(tx, member_id=member_id)
    now = ctx.clock.now()
    new: list[str] = []
    for badge, needed in MILESTONE_BADGES:
        if reached >= needed and await goal_repo.grant_badge(
            tx, member_id=member_id, badge=badge, now=now
        ):
            new.append(badge)
    await enqueue(tx, [
        Letter(f"badge:{member_id}:{b}", member.community_id, "badge", "channel", "recognition",
               "milestone.badge", {"badge_key": f"badge.{b}", "badge_id": b, "count": reached},
               {"member": member.platform_user_id}, recipient=member_id)
        for b in new
    ], now)  # fmt: skip
    return new


def goal_line(number: int, goal: Goal) -> str:
    """'2. ✅ <title>' (the title marked as member text)."""
    return f"{number}. {'✅' if goal.done else '⬜'} {user(goal.title)}"


def tree_text(locale: str, tree: Tree) -> str:
    """Goals with their numbered milestones ('2.1 ✅ …'), or the 'no goals yet' note."""
    if not tree:
        return t(locale, "goals.list_empty")
    lines = [t(locale, "goals.list_title")]
    for i, (goal, steps) in enumerate(tree, 1):
        lines.append(goal_line(i, goal))
        for j, step in enumerate(steps, 1):
            lines.append(f"    {i}.{j} {'✅' if step.done else '⬜'} {user(step.title)}")
    return "\n".join(lines)
