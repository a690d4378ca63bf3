"""Thanks, badges and the people a weekly digest names."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Badge, CheckIn, Kudos, Member, MentorProfile, Pair
from storage.repositories._sql import insert_ignore


async def thanks_received(tx: AsyncSession, *, member_id: int) -> int:
    """How many counted thank-yous a member has received (repeats in the cooldown are not)."""
    stmt = (
        select(func.count())
        .select_from(Kudos)
        .where(col(Kudos.to_member_id) == member_id, col(Kudos.counted).is_(True))
    )
    return int((await tx.execute(stmt)).scalar_one())


async def distinct_thankers(tx: AsyncSession, *, member_id: int) -> int:
    """How many different members have thanked this member (never themselves)."""
    stmt = select(func.count(func.distinct(col(Kudos.from_member_id)))).where(
        col(Kudos.to_member_id) == member_id, col(Kudos.from_member_id) != member_id
    )
    return int((await tx.execute(stmt)).scalar_one())


async def thanked_since(
    tx: AsyncSession, *, from_member_id: int, to_member_id: int, since: datetime
) -> bool:
    """Whether a counted thank-you from `from_member_id` to `to_member_id` is at or after
    `since` (the start of the cooldown)."""
    stmt = select(col(Kudos.id)).where(
        col(Kudos.from_member_id) == from_member_id,
        col(Kudos.to_member_id) == to_member_id,
        col(Kudos.counted).is_(True),
        col(Kudos.created_at) >= since,
    )
    return (await tx.execute(stmt.limit(1))).first() is not None


async def completed_pairs_as_mentor(tx: AsyncSession, *, member_id: int) -> int:
    """How many pairs the member mentored to completion."""
    stmt = (
        select(func.count())
        .select_from(Pair)
        .where(col(Pair.mentor_member_id) == member_id, col(Pair.status) == "completed")
    )
    return int((await tx.execute(stmt)).scalar_one())


async def badges_of(tx: AsyncSession, *, member_id: int) -> set[str]:
    """The badges a member already has."""
    stmt = select(col(Badge.badge)).where(col(Badge.member_id) == member_id)
    return set((await tx.execute(stmt)).scalars())


async def add_badge(tx: AsyncSession, *, member_id: int, badge: str, now: datetime) -> bool:
    """Award a badge once; False when the member already has it (even from a racing award)."""
    row = {"member_id": member_id, "badge": badge, "awarded_at": now, "announced_at": now}
    return await insert_ignore(tx, Badge, row, conflict=["member_id", "badge"]) == 1


async def mentors_without_anniversary(
    tx: AsyncSession, *, created_before: datetime, limit: int
) -> list[int]:
    """Member ids of mentors (not removed) older than `created_before` without `one_year`."""
    has_it = select(col(Badge.member_id)).where(
        col(Badge.member_id) == col(MentorProfile.member_id), col(Badge.badge) == "one_year"
    )
    stmt = (
        select(col(MentorProfile.member_id))
        .where(
            col(MentorProfile.created_at) <= created_before,
            col(MentorProfile.status) != "removed",
            ~has_it.exists(),
        )
        .limit(limit)
    )
    return [int(i) for i in (await tx.execute(stmt)).scalars()]


async def active_mentors(
    tx: AsyncSession, *, community_id: int, start: datetime, end: datetime, limit: int = 50
) -> list[str]:
    """User ids of mentors (not opted out) who paired, answered or were thanked in [start, end)."""
    started = select(col(Pair.mentor_member_id)).where(
        col(Pair.community_id) == community_id,
        col(Pair.started_at) >= start,
        col(Pair.started_at) < end,
    )
    answered = select(col(CheckIn.answered_by)).where(
        col(CheckIn.answered_at) >= start, col(CheckIn.answered_at) < end
    )
    thanked = select(col(Kudos.to_member_id)).where(
        col(Kudos.community_id) == community_id,
        col(Kudos.created_at) >= start,
        col(Kudos.created_at) < end,
    )
    stmt = (
        select(col(Member.platform_user_id))
        .join(MentorProfile, col(MentorProfile.member_id) == col(Member.id))
        .where(
            col(Member.community_id) == community_id,
            col(MentorProfile.digest_opt_out).is_(False),
            col(MentorProfile.status) != "removed",
            or_(
                col(Member.id).in_(started),
                col(Member.id).in_(answered),
                col(Member.id).in_(thanked),
            ),
        )
        .order_by(col(Member.display_name))
        .limit(limit)
    )
    return [str(u) for u in (await tx.execute(stmt)).scalars()]
