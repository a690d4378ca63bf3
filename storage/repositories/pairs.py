"""Pairs, their goals and feedback."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Feedback, Pair


async def get_pair(session: AsyncSession, pair_id: int) -> Pair | None:
    """A pair by id."""
    return await session.get(Pair, pair_id)


async def active_pairs_of(session: AsyncSession, *, member_id: int) -> list[Pair]:
    """Active pairs a member is part of (as mentor or mentee)."""
    stmt = (
        select(Pair)
        .where(
            col(Pair.status) == "active",
            or_(col(Pair.mentee_id) == member_id, col(Pair.mentor_member_id) == member_id),
        )
        .order_by(col(Pair.id))
    )
    return list((await session.execute(stmt)).scalars())


async def pair_by_space(session: AsyncSession, *, community_id: int, space_ref: str) -> Pair | None:
    """The pair that owns a private space."""
    stmt = select(Pair).where(
        col(Pair.community_id) == community_id, col(Pair.space_ref) == space_ref
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def feedback_of(session: AsyncSession, *, pair_id: int, member_id: int) -> Feedback | None:
    """A partner's feedback on a pair, if given."""
    stmt = select(Feedback).where(
        col(Feedback.pair_id) == pair_id, col(Feedback.member_id) == member_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()
