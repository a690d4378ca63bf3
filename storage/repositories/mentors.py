"""Mentor profiles: signup, availability, the matching pre-filter and atomic capacity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Member, MentorLanguage, MentorProfile, MentorSkill, Pair


@dataclass(frozen=True)
class Candidate:
    """A mentor that passed the hard constraints, with what scoring needs."""

    profile: MentorProfile
    member: Member
    recent_mentees: int = 0


async def get_profile(session: AsyncSession, *, member_id: int) -> MentorProfile | None:
    """The mentor profile of a member, if any."""
    stmt = select(MentorProfile).where(col(MentorProfile.member_id) == member_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_profile_by_id(session: AsyncSession, mentor_id: int) -> MentorProfile | None:
    """A mentor profile by primary key."""
    return await session.get(MentorProfile, mentor_id)


async def set_skills_and_languages(
    session: AsyncSession, profile: MentorProfile, skills: Sequence[str], languages: Sequence[str]
) -> None:
    """Replace the lookup rows used by the matching pre-filter."""
    assert profile.id is not None
    await session.execute(delete(MentorSkill).where(col(MentorSkill.mentor_id) == profile.id))
    await session.execute(delete(MentorLanguage).where(col(MentorLanguage.mentor_id) == profile.id))
    if skills:
        await session.execute(
            insert(MentorSkill),
            [
                {"mentor_id": profile.id, "skill": s, "community_id": profile.community_id}
                for s in dict.fromkeys(skills)
            ],
        )
    if languages:
        await session.execute(
            insert(MentorLanguage),
            [{"mentor_id": profile.id, "language": lang} for lang in dict.fromkeys(languages)],
        )


def _available(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(MentorProfile.approved).is_(True),
        col(MentorProfile.active_mentees) < col(MentorProfile.capacity),
        or_(
            col(MentorProfile.status) == "available",
            and_(
                col(MentorProfile.status) == "paused",
                col(MentorProfile.paused_until).is_not(None),
                col(MentorProfile.paused_until) <= now,
            ),
        ),
    )


async def candidates(
    session: AsyncSession,
    *,
    community_id: int,
    mentee_member_id: int,
    skills: Sequence[str],
    languages: Sequence[str],
    exclude_mentor_ids: Sequence[int],
    now: datetime,
    limit: int = 100,
) -> list[Candidate]:
    """Mentors meeting every hard constraint, skill matches first, least loaded next."""
    base: list[ColumnElement[bool]] = [
        col(MentorProfile.community_id) == community_id,
        col(MentorProfile.member_id) != mentee_member_id,
        _available(now),
    ]
    if exclude_mentor_ids:
        base.append(col(MentorProfile.id).not_in(list(exclude_mentor_ids)))
    if languages:
        speaks = select(col(MentorLanguage.mentor_id)).where(
            col(MentorLanguage.mentor_id) == col(MentorProfile.id),
            col(MentorLanguage.language).in_(list(languages)),
        )
        base.append(speaks.exists())

    found: dict[int, MentorProfile] = {}
    if skills:
        overlap = (
            select(col(MentorSkill.mentor_id), func.count().label("n"))
            .where(
                col(MentorSkill.community_id) == community_id,
                col(MentorSkill.skill).in_(list(skills)),
            )
            .group_by(col(MentorSkill.mentor_id))
            .subquery()
        )
        stmt = (
            select(MentorProfile)
            .join(overlap, overlap.c.mentor_id == col(MentorProfile.id))
            .where(*base)
            .order_by(overlap.c.n.desc(), col(MentorProfile.active_mentees), col(MentorProfile.id))
            .limit(limit)
        )
        for profile in (await session.execute(stmt)).scalars():
            assert profile.id is not None
            found[profile.id] = profile
    if len(found) < limit:
        stmt = (
            select(MentorProfile)
            .where(*base)
            .order_by(col(MentorProfile.active_mentees), col(MentorProfile.id))
            .limit(limit - len(found) if skills else limit)
        )
        if found:
            stmt = stmt.where(col(MentorProfile.id).not_in(list(found)))
        for profile in (await session.execute(stmt)).scalars():
            assert profile.id is not None
            found[profile.id] = profile
    if not found:
        return []
    members = {
        m.id: m
        for m in (
            await session.execute(
                select(Member).where(col(Member.id).in_([p.member_id for p in found.values()]))
            )
        ).scalars()
    }
    recent = await recent_mentee_counts(session, list(found), since=now - timedelta(days=90))
    return [
        Candidate(profile=p, member=members[p.member_id], recent_mentees=recent.get(pid, 0))
        for pid, p in found.items()
    ]


async def recent_mentee_counts(
    session: AsyncSession, mentor_ids: list[int], *, since: datetime
) -> dict[int, int]:
    """How many pairs each mentor started since `since`."""
    stmt = (
        select(col(Pair.mentor_id), func.count())
        .where(col(Pair.mentor_id).in_(mentor_ids), col(Pair.started_at) >= since)
        .group_by(col(Pair.mentor_id))
    )
    return {int(mid): int(n) for mid, n in (await session.execute(stmt)).all() if mid is not None}


async def claim_capacity(session: AsyncSession, mentor_id: int) -> bool:
    """Take one place atomically; False when the mentor is already full."""
    stmt = (
        update(MentorProfile)
        .where(
            col(MentorProfile.id) == mentor_id,
            col(MentorProfile.active_mentees) < col(MentorProfile.capacity),
        )
        .values(active_mentees=col(MentorProfile.active_mentees) + 1)
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0) == 1)


async def release_capacity(session: AsyncSession, mentor_id: int) -> None:
    """Give a place back when a pair ends."""
    stmt = (
        update(MentorProfile)
        .where(col(MentorProfile.id) == mentor_id, col(MentorProfile.active_mentees) > 0)
        .values(active_mentees=col(MentorProfile.active_mentees) - 1)
    )
    await session.execute(stmt)
