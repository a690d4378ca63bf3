"""Communities and members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Community, Kudos, Member
from storage.repositories._sql import insert_ignore


async def get_community(tx: AsyncSession, *, platform: str, external_id: str) -> Community | None:
    """The community for a platform id, if known."""
    stmt = select(Community).where(
        col(Community.platform) == platform, col(Community.external_id) == external_id
    )
    return (await tx.execute(stmt)).scalar_one_or_none()


async def get_community_by_id(tx: AsyncSession, *, community_id: int) -> Community | None:
    """A community by primary key."""
    return await tx.get(Community, community_id)


async def ensure_community(
    tx: AsyncSession, *, platform: str, external_id: str, name: str, locale: str, now: datetime
) -> Community:
    """Fetch or create a community (safe against a concurrent create)."""
    found = await get_community(tx, platform=platform, external_id=external_id)
    if found:
        return found
    community = Community(
        platform=platform, external_id=external_id, name=name, locale=locale, created_at=now
    )
    try:
        async with tx.begin_nested():
            tx.add(community)
    except IntegrityError:
        found = await get_community(tx, platform=platform, external_id=external_id)
        assert found is not None
        return found
    return community


async def get_member(tx: AsyncSession, *, community_id: int, user_id: str) -> Member | None:
    """A member by platform user id."""
    stmt = select(Member).where(
        col(Member.community_id) == community_id, col(Member.platform_user_id) == user_id
    )
    return (await tx.execute(stmt)).scalar_one_or_none()


async def get_member_by_id(tx: AsyncSession, *, member_id: int) -> Member | None:
    """A member by primary key."""
    return await tx.get(Member, member_id)


async def ensure_member(
    tx: AsyncSession,
    *,
    community_id: int,
    user_id: str,
    display_name: str,
    now: datetime,
    **fields: Any,
) -> Member:
    """Fetch or create a member; keeps the display name current."""
    member = await get_member(tx, community_id=community_id, user_id=user_id)
    if member is None:
        # One INSERT that a concurrent creator cannot make fail (no SAVEPOINT round trips).
        new = Member(
            community_id=community_id, platform_user_id=user_id,
            display_name=display_name, joined_at=now, **fields,
        )  # fmt: skip
        row = new.model_dump(exclude={"id"})
        await insert_ignore(tx, Member, row, conflict=["community_id", "platform_user_id"])
        member = await get_member(tx, community_id=community_id, user_id=user_id)
        assert member is not None
    elif display_name and member.display_name != display_name:
        member.display_name = display_name
    return member


async def find_member_by_name(tx: AsyncSession, *, community_id: int, name: str) -> Member | None:
    """A member by user id or case-insensitive display name."""
    found = await get_member(tx, community_id=community_id, user_id=name)
    if found:
        return found
    stmt = (
        select(Member)
        .where(
            col(Member.community_id) == community_id,
            func.lower(col(Member.display_name)) == name.lower(),
        )
        .limit(1)
    )
    return (await tx.execute(stmt)).scalar_one_or_none()


async def kudos_received(tx: AsyncSession, *, member_id: int) -> int:
    """How many thank-yous a member has received."""
    stmt = select(func.count()).select_from(Kudos).where(col(Kudos.to_member_id) == member_id)
    return int((await tx.execute(stmt)).scalar_one())
