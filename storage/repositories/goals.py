"""Goals of pairs and their milestones (goals with a parent), and milestone badges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Badge, Goal, Pair
from storage.repositories._sql import insert_ignore


async def goals_of(tx: AsyncSession, *, pair_id: int, parent_id: int | None = None) -> list[Goal]:
    """Top-level goals of a pair (or the milestones under goal `parent_id`), oldest first."""
    under = col(Goal.parent_id).is_(None) if parent_id is None else col(Goal.parent_id) == parent_id
    stmt = select(Goal).where(col(Goal.pair_id) == pair_id, under).order_by(col(Goal.id))
    return list((await tx.execute(stmt)).scalars())


async def get_goal(tx: AsyncSession, *, goal_id: int) -> Goal | None:
    """A goal or milestone by id."""
    return await tx.get(Goal, goal_id)


async def milestones_reached(tx: AsyncSession, *, member_id: int) -> int:
    """Completed milestones in every pair or tandem the member is part of."""
    mine = select(col(Pair.id)).where(
        or_(col(Pair.mentee_id) == member_id, col(Pair.mentor_member_id) == member_id)
    )
    stmt = (
        select(func.count())
        .select_from(Goal)
        .where(
            col(Goal.pair_id).in_(mine), col(Goal.parent_id).is_not(None), col(Goal.done).is_(True)
        )
    )
    return int((await tx.execute(stmt)).scalar_one())


async def grant_badge(tx: AsyncSession, *, member_id: int, badge: str, now: datetime) -> bool:
    """Give a member a badge; False when they already hold it (a concurrent grant included)."""
    row = {"member_id": member_id, "badge": badge, "awarded_at": now, "announced_at": now}
    return await insert_ignore(tx, Badge, row, conflict=["member_id", "badge"]) == 1
