"""Recognition that happens by itself: milestone badges (announced once) and a weekly digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.context import Context
from bot.core.outbox import Letter, enqueue
from storage.models import Badge, CheckIn, Community, Kudos, Member, MentorProfile, Pair
from storage.repositories import mentors as mentor_repo

BADGES = ("first_pair", "five_mentees", "ten_thanks", "one_year")


async def award_badges(ctx: Context, s: AsyncSession, member_id: int) -> list[str]:
    """Badges the member has earned and not yet got; each is queued for announcement once."""
    member = await s.get(Member, member_id)
    if member is None:
        return []
    profile = await mentor_repo.get_profile(s, member_id=member_id)
    now = ctx.clock.now()
    completed = (await s.execute(
        select(func.count()).select_from(Pair)
        .where(col(Pair.mentor_member_id) == member_id, col(Pair.status) == "completed")
    )).scalar_one()  # fmt: skip
    thanks = (await s.execute(
        select(func.count()).select_from(Kudos).where(col(Kudos.to_member_id) == member_id)
    )).scalar_one()  # fmt: skip
    created = profile.created_at if profile else None
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    earned = {
        "first_pair": completed >= 1,
        "five_mentees": bool(profile and profile.total_mentees >= 5),
        "ten_thanks": thanks >= 10,
        "one_year": bool(profile and created and created <= now - timedelta(days=365)),
    }
    have = set((await s.execute(
        select(col(Badge.badge)).where(col(Badge.member_id) == member_id))).scalars())  # fmt: skip
    new = [b for b in BADGES if earned[b] and b not in have]
    for badge in new:
        s.add(Badge(member_id=member_id, badge=badge, awarded_at=now, announced_at=now))
    await enqueue(s, [
        Letter(f"badge:{member_id}:{b}", member.community_id, "badge", "channel", "recognition",
               "badge.announce", {"badge_key": f"badge.{b}", "badge_id": b},
               {"member": member.platform_user_id})
        for b in new
    ], now)  # fmt: skip
    return new


async def anniversaries(ctx: Context, limit: int = 200) -> int:
    """Mentors who reached a year of mentoring and have no badge for it yet get one."""
    cutoff = ctx.clock.now() - timedelta(days=365)
    has_it = select(col(Badge.member_id)).where(
        col(Badge.member_id) == col(MentorProfile.member_id), col(Badge.badge) == "one_year"
    )
    async with ctx.db() as s:
        ids = list((await s.execute(
            select(col(MentorProfile.member_id))
            .where(col(MentorProfile.created_at) <= cutoff, col(MentorProfile.status) != "removed",
                   ~has_it.exists()).limit(limit)
        )).scalars())  # fmt: skip
    awarded = 0
    for member_id in ids:
        async with ctx.db.begin() as s:
            awarded += len(await award_badges(ctx, s, int(member_id)))
    return awarded


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week `now` is in."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


async def weekly_digests(ctx: Context) -> int:
    """Once per community per week: thank the mentors who were active last week."""
    now = ctx.clock.now()
    end = week_start(now)
    start = end - timedelta(days=7)
    week = start.strftime("%G-W%V")
    queued = 0
    async with ctx.db.begin() as s:
        for cid in [i for i in (await s.execute(select(col(Community.id)))).scalars() if i]:
            mentors = await _active_mentors(s, cid, start, end)
            if mentors:
                letter = Letter(f"digest:{cid}:{week}", cid, "digest", "channel", "recognition",
                                "digest.weekly", {"week": week}, {"mentors": mentors})  # fmt: skip
                queued += await enqueue(s, [letter], now)
    return queued


async def _active_mentors(s: AsyncSession, community_id: int, start: datetime, end: datetime
                          ) -> list[str]:  # fmt: skip
    """Mentors (not opted out) who started a pair, answered a check-in or were thanked."""
    started = select(col(Pair.mentor_member_id)).where(
        col(Pair.community_id) == community_id, col(Pair.started_at) >= start,
        col(Pair.started_at) < end)  # fmt: skip
    answered = select(col(CheckIn.answered_by)).where(
        col(CheckIn.answered_at) >= start, col(CheckIn.answered_at) < end
    )
    thanked = select(col(Kudos.to_member_id)).where(
        col(Kudos.community_id) == community_id, col(Kudos.created_at) >= start,
        col(Kudos.created_at) < end)  # fmt: skip
    stmt = (
        select(col(Member.platform_user_id))
        .join(MentorProfile, col(MentorProfile.member_id) == col(Member.id))
        .where(
            col(Member.community_id) == community_id,
            col(MentorProfile.digest_opt_out).is_(False),
            col(MentorProfile.status) != "removed",
            or_(col(Member.id).in_(started), col(Member.id).in_(answered),
                col(Member.id).in_(thanked)),
        )
        .order_by(col(Member.display_name))
        .limit(50)
    )  # fmt: skip
    return [str(u) for u in (await s.execute(stmt)).scalars()]
