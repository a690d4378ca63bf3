"""Pairs, their partners and feedback."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Feedback, Member, Pair
from storage.repositories._sql import claim


async def get_pair(tx: AsyncSession, *, pair_id: int) -> Pair | None:
    """A pair by id."""
    return await tx.get(Pair, pair_id)


async def pairs_by_id(tx: AsyncSession, *, pair_ids: Iterable[int]) -> dict[int, Pair]:
    """The pairs with these ids, by id (unknown ids are left out)."""
    stmt = select(Pair).where(col(Pair.id).in_(list(pair_ids)))
    return {p.id or 0: p for p in (await tx.execute(stmt)).scalars()}


async def partners_of(tx: AsyncSession, *, pairs: Iterable[Pair]) -> dict[int, Member]:
    """The mentee and mentor members of these pairs, by member id."""
    ids = {m for p in pairs for m in (p.mentee_id, p.mentor_member_id)}
    stmt = select(Member).where(col(Member.id).in_(ids))
    return {m.id or 0: m for m in (await tx.execute(stmt)).scalars()}


async def active_pairs_of(tx: AsyncSession, *, member_id: int) -> list[Pair]:
    """Active pairs a member is part of (as mentor or mentee)."""
    stmt = (
        select(Pair)
        .where(
            col(Pair.status) == "active",
            or_(col(Pair.mentee_id) == member_id, col(Pair.mentor_member_id) == member_id),
        )
        .order_by(col(Pair.id))
    )
    return list((await tx.execute(stmt)).scalars())


async def pair_by_space(tx: AsyncSession, *, community_id: int, space_ref: str) -> Pair | None:
    """The pair that owns a private space."""
    stmt = select(Pair).where(
        col(Pair.community_id) == community_id, col(Pair.space_ref) == space_ref
    )
    return (await tx.execute(stmt)).scalar_one_or_none()


async def due_to_end(tx: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Ids of active pairs whose programme has ended."""
    stmt = (
        select(col(Pair.id))
        .where(col(Pair.status) == "active", col(Pair.ends_at) <= now)
        .limit(limit)
    )
    return [int(i) for i in (await tx.execute(stmt)).scalars() if i is not None]


async def claim_completion(tx: AsyncSession, *, pair_id: int, now: datetime) -> bool:
    """Mark an active pair completed and wrapped up; False if it was not active any more."""
    stmt = (
        update(Pair)
        .where(col(Pair.id) == pair_id, col(Pair.status) == "active")
        .values(status="completed", ended_at=now, wrapped_up_at=now)
    )
    return await claim(tx, stmt)


async def feedback_of(tx: AsyncSession, *, pair_id: int, member_id: int) -> Feedback | None:
    """A partner's feedback on a pair, if given."""
    stmt = select(Feedback).where(
        col(Feedback.pair_id) == pair_id, col(Feedback.member_id) == member_id
    )
    return (await tx.execute(stmt)).scalar_one_or_none()
