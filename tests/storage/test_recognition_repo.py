"""The recognition repository on SQLite and PostgreSQL: a badge is awarded once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import Badge, Kudos, MentorProfile
from storage.repositories import members, recognition
from tests.storage.people import two_members


async def test_a_badge_is_awarded_once_even_when_awards_race(engine: AsyncEngine) -> None:
    factory, now = session_factory(engine), FakeClock().now()
    _, bob, _ = await two_members(factory)

    async def award() -> bool:
        async with factory.begin() as s:
            return await recognition.add_badge(s, member_id=bob, badge="ten_thanks", now=now)

    assert sum(await asyncio.gather(*(award() for _ in range(6)))) == 1
    async with factory() as s:
        assert await recognition.badges_of(s, member_id=bob) == {"ten_thanks"}
        assert (await s.execute(select(func.count()).select_from(Badge))).scalar_one() == 1


async def test_thanks_anniversaries_and_active_mentors(engine: AsyncEngine) -> None:
    factory, now = session_factory(engine), FakeClock().now()
    cid, bob, ann = await two_members(factory)
    async with factory.begin() as s:
        s.add(MentorProfile(community_id=cid, member_id=bob, created_at=now - timedelta(days=400)))
        s.add(Kudos(community_id=cid, from_member_id=ann, to_member_id=bob, created_at=now))
    async with factory.begin() as s:
        assert await recognition.thanks_received(s, member_id=bob) == 1
        assert await recognition.completed_pairs_as_mentor(s, member_id=bob) == 0
        due = now - timedelta(days=365)
        assert await recognition.mentors_without_anniversary(s, created_before=due, limit=9) == [
            bob
        ]
        await recognition.add_badge(s, member_id=bob, badge="one_year", now=now)
        assert await recognition.mentors_without_anniversary(s, created_before=due, limit=9) == []
        week = (now - timedelta(days=1), now + timedelta(days=1))
        assert await recognition.active_mentors(
            s, community_id=cid, start=week[0], end=week[1]
        ) == ["u-bob"]  # fmt: skip


async def test_thankers_are_counted_once_and_repeats_in_the_cooldown_not_at_all(
    engine: AsyncEngine,
) -> None:
    factory, now = session_factory(engine), FakeClock().now()
    cid, bob, ann = await two_members(factory)
    async with factory.begin() as s:
        cat = await members.ensure_member(
            s, community_id=cid, user_id="u-cat", display_name="Cat", now=now
        )
        for hours, counted in ((0, True), (1, False), (2, False)):
            s.add(Kudos(community_id=cid, from_member_id=ann, to_member_id=bob,
                        counted=counted, created_at=now + timedelta(hours=hours)))  # fmt: skip
        s.add(Kudos(community_id=cid, from_member_id=cat.id or 0, to_member_id=bob,
                    created_at=now))  # fmt: skip
        s.add(Kudos(community_id=cid, from_member_id=bob, to_member_id=ann, created_at=now))
    async with factory() as s:
        assert await recognition.distinct_thankers(s, member_id=bob) == 2
        assert await recognition.thanks_received(s, member_id=bob) == 2  # the repeats don't count
        assert await recognition.distinct_thankers(s, member_id=ann) == 1
        since = now + timedelta(minutes=30)  # only uncounted repeats after this
        assert not await recognition.thanked_since(s, from_member_id=ann, to_member_id=bob,
                                                   since=since)  # fmt: skip
        assert await recognition.thanked_since(s, from_member_id=ann, to_member_id=bob,
                                               since=now - timedelta(hours=1))  # fmt: skip
        assert not await recognition.thanked_since(s, from_member_id=bob, to_member_id=cat.id or 0,
                                                   since=now - timedelta(hours=1))  # fmt: skip
