"""Looking communities up across platforms (single lookups live in members.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Community, Pair


async def community_ids(tx: AsyncSession) -> list[int]:
    """The ids of every community."""
    return [int(i) for i in (await tx.execute(select(col(Community.id)))).scalars() if i]


async def find_communities(
    tx: AsyncSession, *, external_id: str, platform: str | None = None
) -> list[Community]:
    """Communities with this platform id (on one platform, or on any)."""
    stmt = select(Community).where(col(Community.external_id) == external_id)
    if platform:
        stmt = stmt.where(col(Community.platform) == platform)
    return list((await tx.execute(stmt)).scalars())


async def all_communities(tx: AsyncSession) -> list[Community]:
    """Every community row."""
    return list((await tx.execute(select(Community))).scalars())


async def community_of_space(tx: AsyncSession, *, platform: str, space_ref: str) -> str | None:
    """The platform id of the community whose pair owns a private space."""
    stmt = (
        select(col(Community.external_id))
        .join(Pair, col(Pair.community_id) == col(Community.id))
        .where(col(Pair.space_ref) == space_ref, col(Community.platform) == platform)
        .limit(1)
    )
    found = (await tx.execute(stmt)).scalar_one_or_none()
    return str(found) if found else None
