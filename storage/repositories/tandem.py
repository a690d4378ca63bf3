"""Tandem profiles and introductions (the tandem pairs themselves live in `pairs`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Member, Pair, TandemIntro, TandemProfile
from storage.repositories._sql import claim


class _Taken(Exception):
    """Someone else introduced one of the two meanwhile."""


# ----- profiles ----------------------------------------------------------------------------
async def profile_of(tx: AsyncSession, *, member_id: int) -> TandemProfile | None:
    """A member's tandem profile, if registered."""
    stmt = select(TandemProfile).where(col(TandemProfile.member_id) == member_id)
    return (await tx.execute(stmt)).scalar_one_or_none()


async def active_tandem(tx: AsyncSession, *, member_id: int) -> Pair | None:
    """An active tandem the member is part of."""
    stmt = select(Pair).where(
        col(Pair.kind) == "tandem", col(Pair.status) == "active",
        or_(col(Pair.mentee_id) == member_id, col(Pair.mentor_member_id) == member_id),
    ).limit(1)  # fmt: skip
    return (await tx.execute(stmt)).scalar_one_or_none()


async def seeking_partners(tx: AsyncSession, *, community_id: int, member_id: int, limit: int
                           ) -> list[tuple[TandemProfile, Member]]:  # fmt: skip
    """Other seeking profiles of present members who consent, longest waiting first."""
    rows = (await tx.execute(
        select(TandemProfile, Member)
        .join(Member, col(Member.id) == col(TandemProfile.member_id))
        .where(col(TandemProfile.community_id) == community_id,
               col(TandemProfile.status) == "seeking",
               col(TandemProfile.member_id) != member_id,
               col(Member.left_at).is_(None), col(Member.consent_withdrawn_at).is_(None),
               ~col(Member.platform_user_id).startswith("deleted:"))
        .order_by(col(TandemProfile.updated_at), col(TandemProfile.id)).limit(limit)
    )).all()  # fmt: skip
    return [(profile, member) for profile, member in rows]


async def met_before(tx: AsyncSession, *, member_id: int) -> set[int]:
    """Member ids anyone ever introduced to this member."""
    rows = (await tx.execute(
        select(col(TandemIntro.first_id), col(TandemIntro.second_id)).where(or_(
            col(TandemIntro.first_id) == member_id, col(TandemIntro.second_id) == member_id))
    )).all()  # fmt: skip
    return {a if b == member_id else b for a, b in rows}


async def claim_both(tx: AsyncSession, *, member_ids: tuple[int, int]) -> bool:
    """Mark two seeking profiles introduced, both or neither (a SAVEPOINT undoes half a claim)."""
    try:
        async with tx.begin_nested():
            stmt = (
                update(TandemProfile)
                .where(
                    col(TandemProfile.member_id).in_(list(member_ids)),
                    col(TandemProfile.status) == "seeking",
                )
                .values(status="introduced")
            )
            if not await claim(tx, stmt, rows=2):
                raise _Taken
    except _Taken:
        return False
    return True


# ----- introductions -----------------------------------------------------------------------
async def get_intro(tx: AsyncSession, *, intro_id: int) -> TandemIntro | None:
    """An introduction by id."""
    return await tx.get(TandemIntro, intro_id)


async def newest_proposed(tx: AsyncSession, *, member_id: int) -> TandemIntro | None:
    """The member's newest introduction still waiting for answers."""
    return (await tx.execute(
        select(TandemIntro).where(
            col(TandemIntro.status) == "proposed",
            or_(col(TandemIntro.first_id) == member_id, col(TandemIntro.second_id) == member_id))
        .order_by(col(TandemIntro.id).desc()).limit(1)
    )).scalar_one_or_none()  # fmt: skip


async def confirm_intro(tx: AsyncSession, *, intro_id: int, first: bool, now: datetime) -> bool:
    """Record one partner's confirmation; True when this one started it (both have confirmed)."""
    column = "first_confirmed_at" if first else "second_confirmed_at"
    # Row-locking UPDATEs: of two simultaneous confirmations the later sees the earlier.
    await tx.execute(update(TandemIntro).where(
        col(TandemIntro.id) == intro_id, col(TandemIntro.status) == "proposed"
    ).values({column: now}))  # fmt: skip
    return await claim(tx, update(TandemIntro).where(
        col(TandemIntro.id) == intro_id, col(TandemIntro.status) == "proposed",
        col(TandemIntro.first_confirmed_at).is_not(None),
        col(TandemIntro.second_confirmed_at).is_not(None),
    ).values(status="started", answered_at=now))  # fmt: skip


async def record_start(tx: AsyncSession, *, intro: TandemIntro, pair_id: int) -> None:
    """Link a started introduction to its pair and mark both profiles paired."""
    await tx.execute(update(TandemIntro).where(col(TandemIntro.id) == intro.id)
                     .values(pair_id=pair_id))  # fmt: skip
    await tx.execute(update(TandemProfile).where(
        col(TandemProfile.member_id).in_([intro.first_id, intro.second_id])
    ).values(status="paired"))  # fmt: skip


async def close_intro(tx: AsyncSession, *, intro: TandemIntro, status: str, now: datetime
                      ) -> bool:  # fmt: skip
    """Mark an open introduction declined/expired and free both partners; False if answered."""
    won = await claim(tx, update(TandemIntro).where(
        col(TandemIntro.id) == intro.id, col(TandemIntro.status) == "proposed"
    ).values(status=status, answered_at=now))  # fmt: skip
    if not won:
        return False
    await tx.execute(update(TandemProfile).where(
        col(TandemProfile.member_id).in_([intro.first_id, intro.second_id]),
        col(TandemProfile.status) == "introduced").values(status="seeking"))  # fmt: skip
    return True


async def due_intros(tx: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Ids of introductions past their expiry that nobody finished answering."""
    stmt = (
        select(col(TandemIntro.id))
        .where(col(TandemIntro.status) == "proposed", col(TandemIntro.expires_at) <= now)
        .limit(limit)
    )
    return [int(i) for i in (await tx.execute(stmt)).scalars() if i is not None]
