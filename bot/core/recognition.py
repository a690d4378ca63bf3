"""Recognition: public thanks, milestone badges (announced once), anniversaries, weekly digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.context import Actor, Context, check_length
from bot.core.errors import InvalidInput, NotFound
from bot.core.i18n import t, user
from bot.core.outbox import Letter, enqueue
from storage.db import Tx
from storage.models import Kudos
from storage.repositories import communities as community_repo
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo
from storage.repositories import recognition as repo

MAX_THANKS = 500
BADGES = ("first_pair", "five_mentees", "ten_thanks", "one_year")
# Badges from thanks count different thankers, so no one member can mint one for another.
THANKS_BADGES = {"ten_thanks": 10}
# A repeated thank-you from the same member to the same member within this time is posted
# but not counted.
THANKS_COOLDOWN = timedelta(hours=24)


@dataclass(frozen=True)
class Thanked:
    """A recorded thank-you."""

    to_name: str
    total_received: int  # thanks counted for the recipient (repeats in the cooldown are not)
    counted: bool = True


class RecognitionService:
    """Thanks between members, posted in the recognition channel."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def thank(self, actor: Actor, target_user_id: str, message: str = "") -> Thanked:
        """Record a thank-you and post it publicly."""
        message = check_length(message, MAX_THANKS, "message")
        async with self.ctx.db.begin() as tx:
            community, member = await self.ctx.resolve(tx, actor)
            assert community.id is not None
            target = await member_repo.find_member_by_name(
                tx, community_id=community.id, name=target_user_id
            )
            if target is None:
                raise NotFound("thanks.unknown_member", name=user(target_user_id[:64]))
            if target.id == member.id:
                raise InvalidInput("thanks.self")
            now = self.ctx.clock.now()
            counted = not await repo.thanked_since(
                tx, from_member_id=member.id or 0, to_member_id=target.id or 0,
                since=now - THANKS_COOLDOWN,
            )  # fmt: skip
            tx.add(Kudos(community_id=community.id, from_member_id=member.id or 0,
                         to_member_id=target.id or 0, message=message, counted=counted,
                         created_at=now))  # fmt: skip
            await tx.flush()
            total = await repo.thanks_received(tx, member_id=target.id or 0)
            await award_badges(self.ctx, tx, target.id or 0)
            ref = self.ctx.ref(community)
            locale = self.ctx.locale_of(None, community)
        platform = self.ctx.platform(ref.platform)
        key = "thanks.public_with_message" if message else "thanks.public"
        text = t(locale, key, sender=platform.mention(member.platform_user_id),
                 target=platform.mention(target.platform_user_id),
                 message=user(message))  # fmt: skip
        await self.ctx.announce(ref, "recognition", text,
                                (member.platform_user_id, target.platform_user_id))  # fmt: skip
        return Thanked(target.display_name, total, counted)


async def award_badges(ctx: Context, tx: Tx, member_id: int) -> list[str]:
    """Badges the member has earned and not yet got; each is queued for announcement once."""
    member = await member_repo.get_member_by_id(tx, member_id=member_id)
    if member is None:
        return []
    profile = await mentor_repo.get_profile(tx, member_id=member_id)
    now = ctx.clock.now()
    completed = await repo.completed_pairs_as_mentor(tx, member_id=member_id)
    thankers = await repo.distinct_thankers(tx, member_id=member_id)
    created = profile.created_at if profile else None
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    earned = {
        "first_pair": completed >= 1,
        "five_mentees": bool(profile and profile.total_mentees >= 5),
        **{badge: thankers >= needed for badge, needed in THANKS_BADGES.items()},
        "one_year": bool(profile and created and created <= now - timedelta(days=365)),
    }
    have = await repo.badges_of(tx, member_id=member_id)
    new = []
    for badge in BADGES:
        if (
            earned[badge]
            and badge not in have
            and await repo.add_badge(tx, member_id=member_id, badge=badge, now=now)
        ):
            new.append(badge)
    await enqueue(tx, [
        Letter(f"badge:{member_id}:{b}", member.community_id, "badge", "channel", "recognition",
               "badge.announce", {"badge_key": f"badge.{b}", "badge_id": b},
               {"member": member.platform_user_id}, recipient=member_id)
        for b in new
    ], now)  # fmt: skip
    return new


async def anniversaries(ctx: Context, limit: int = 200) -> int:
    """Mentors who reached a year of mentoring and have no badge for it yet get one."""
    cutoff = ctx.clock.now() - timedelta(days=365)
    async with ctx.db() as tx:
        ids = await repo.mentors_without_anniversary(tx, created_before=cutoff, limit=limit)
    awarded = 0
    for member_id in ids:
        async with ctx.db.begin() as tx:
            awarded += len(await award_badges(ctx, tx, member_id))
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
    async with ctx.db.begin() as tx:
        for cid in await community_repo.community_ids(tx):
            mentors = await repo.active_mentors(tx, community_id=cid, start=start, end=end)
            if mentors:
                letter = Letter(f"digest:{cid}:{week}", cid, "digest", "channel", "recognition",
                                "digest.weekly", {"week": week}, {"mentors": mentors})  # fmt: skip
                queued += await enqueue(tx, [letter], now)
    return queued
