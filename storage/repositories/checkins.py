"""Check-ins of pairs: which are due, who claims them, the newest one of a pair."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import CheckIn, Pair
from storage.repositories._sql import claim


@dataclass(frozen=True)
class Due:
    """An active pair whose next check-in time has come."""

    pair_id: int
    due_at: datetime


async def due_checkins(tx: AsyncSession, *, now: datetime, limit: int) -> list[Due]:
    """Active pairs whose check-in is due, the longest overdue first."""
    stmt = (
        select(col(Pair.id), col(Pair.next_checkin_at))
        .where(col(Pair.status) == "active", col(Pair.next_checkin_at) <= now)
        .order_by(col(Pair.next_checkin_at))
        .limit(limit)
    )
    return [Due(int(i), at) for i, at in (await tx.execute(stmt)).all()]


async def claim_checkin(
    tx: AsyncSession, *, pair_id: int, due_at: datetime, following: datetime
) -> bool:
    """Move a pair's next check-in from `due_at` to `following`; False if another got it."""
    stmt = (
        update(Pair)
        .where(col(Pair.id) == pair_id, col(Pair.next_checkin_at) == due_at)
        .values(next_checkin_at=following)
        .execution_options(synchronize_session=False)
    )
    return await claim(tx, stmt)


async def latest_checkins(tx: AsyncSession, *, pair_ids: Iterable[int]) -> dict[int, CheckIn]:
    """The newest check-in of each of these pairs that has one, by pair id."""
    ids = list(pair_ids)
    newest = (
        select(col(CheckIn.pair_id), func.max(CheckIn.seq).label("seq"))
        .where(col(CheckIn.pair_id).in_(ids))
        .group_by(col(CheckIn.pair_id))
        .subquery()
    )
    on = and_(col(CheckIn.pair_id) == newest.c.pair_id, col(CheckIn.seq) == newest.c.seq)
    stmt = select(CheckIn).join(newest, on)
    return {c.pair_id: c for c in (await tx.execute(stmt)).scalars()}


async def latest_checkin(tx: AsyncSession, *, pair_id: int) -> CheckIn | None:
    """A pair's newest check-in, if it had one."""
    stmt = (
        select(CheckIn)
        .where(col(CheckIn.pair_id) == pair_id)
        .order_by(col(CheckIn.seq).desc())
        .limit(1)
    )
    return (await tx.execute(stmt)).scalar_one_or_none()
