"""Mentor profiles: signup, availability, the matching pre-filter and atomic capacity."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Member, MentorProfile, Pair
from storage.repositories._sql import claim, dialect

MIN_SKILLED = 10  # below this many skill matches, free mentors without them are considered too


@dataclass(frozen=True)
class Candidate:
    """A mentor that passed the hard constraints, with what scoring needs (plain values)."""

    mentor_id: int
    member_id: int
    user_id: str
    name: str
    skills: list[str]
    languages: list[str]
    timezone: str | None
    capacity: int
    active_mentees: int
    accepted: int
    declined: int
    timed_out: int
    recent_mentees: int = 0


async def get_profile(tx: AsyncSession, *, member_id: int) -> MentorProfile | None:
    """The mentor profile of a member, if any."""
    stmt = select(MentorProfile).where(col(MentorProfile.member_id) == member_id)
    return (await tx.execute(stmt)).scalar_one_or_none()


async def get_profile_by_id(tx: AsyncSession, *, mentor_id: int) -> MentorProfile | None:
    """A mentor profile by primary key."""
    return await tx.get(MentorProfile, mentor_id)


async def reload_profile(tx: AsyncSession, *, profile: MentorProfile) -> None:
    """Re-read a loaded profile after an UPDATE in SQL (e.g. a capacity claim) changed it."""
    await tx.refresh(profile)


def _contains(column: Any, item: str, db: str) -> ColumnElement[bool]:
    """Whether a JSON list column holds `item` (exact element; one scan, no join).

    A plain substring search for the JSON-encoded item: cheaper than LIKE, and exact because
    the quotes delimit the element.
    """
    find = func.strpos if db == "postgresql" else func.instr
    return find(cast(column, String), json.dumps(item)) > 0


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
    tx: AsyncSession,
    *,
    community_id: int,
    mentee_member_id: int,
    skills: Sequence[str],
    languages: Sequence[str],
    exclude_mentor_ids: Sequence[int],
    now: datetime,
    limit: int = 50,
) -> list[Candidate]:
    """Mentors meeting every hard constraint, skill matches first, least loaded next."""
    db = dialect(tx)
    base: list[ColumnElement[bool]] = [
        col(MentorProfile.community_id) == community_id,
        col(MentorProfile.member_id) != mentee_member_id,
        _available(now),
    ]
    if exclude_mentor_ids:
        base.append(col(MentorProfile.id).not_in(list(exclude_mentor_ids)))
    if languages:
        base.append(or_(*(_contains(MentorProfile.languages, lang, db) for lang in languages)))

    mp: Any = MentorProfile.__table__.c  # type: ignore[attr-defined]
    picked = (
        mp.id, mp.member_id, mp.skills, mp.languages, mp.timezone, mp.capacity,
        mp.active_mentees, mp.offers_accepted, mp.offers_declined, mp.offers_timed_out,
    )  # fmt: skip
    rows: dict[int, Any] = {}
    if skills:
        overlap = sum(
            (case((_contains(MentorProfile.skills, skill, db), 1), else_=0) for skill in skills),
            start=literal(0),
        )
        stmt = (
            select(*picked)
            .where(*base, overlap > 0)
            .order_by(overlap.desc(), mp.active_mentees, mp.id)
            .limit(limit)
        )
        rows = {row[0]: row for row in await tx.execute(stmt)}
    if len(rows) < MIN_SKILLED:
        # Few or no skill matches: widen to every free mentor, least loaded first.
        stmt = select(*picked).where(*base).order_by(mp.active_mentees, mp.id).limit(limit)
        if rows:
            stmt = stmt.where(mp.id.not_in(list(rows)))
        rows.update({row[0]: row for row in await tx.execute(stmt)})
    if not rows:
        return []
    # Names only for the few that made it: joining members before the LIMIT costs a lookup
    # per matching mentor.
    names = {
        member_id: (user_id, name)
        for member_id, user_id, name in await tx.execute(
            select(col(Member.id), col(Member.platform_user_id), col(Member.display_name)).where(
                col(Member.id).in_([row[1] for row in rows.values()])
            )
        )
    }
    recent = await recent_mentee_counts(tx, mentor_ids=list(rows), since=now - timedelta(days=90))
    return [
        Candidate(row[0], row[1], *names[row[1]], *row[2:], recent_mentees=recent.get(mid, 0))  # type: ignore[misc]
        for mid, row in rows.items()
    ]


async def recent_mentee_counts(
    tx: AsyncSession, *, mentor_ids: list[int], since: datetime
) -> dict[int, int]:
    """How many pairs each mentor started since `since`."""
    stmt = (
        select(col(Pair.mentor_id), func.count())
        .where(col(Pair.mentor_id).in_(mentor_ids), col(Pair.started_at) >= since)
        .group_by(col(Pair.mentor_id))
    )
    return {int(mid): int(n) for mid, n in (await tx.execute(stmt)).all() if mid is not None}


async def claim_capacity(tx: AsyncSession, *, mentor_id: int) -> bool:
    """Take one place atomically; False when the mentor is already full."""
    stmt = (
        update(MentorProfile)
        .where(
            col(MentorProfile.id) == mentor_id,
            col(MentorProfile.active_mentees) < col(MentorProfile.capacity),
        )
        .values(active_mentees=col(MentorProfile.active_mentees) + 1)
    )
    return await claim(tx, stmt)


async def release_capacity(tx: AsyncSession, *, mentor_id: int) -> None:
    """Give a place back when a pair ends."""
    stmt = (
        update(MentorProfile)
        .where(col(MentorProfile.id) == mentor_id, col(MentorProfile.active_mentees) > 0)
        .values(active_mentees=col(MentorProfile.active_mentees) - 1)
    )
    await tx.execute(stmt)
