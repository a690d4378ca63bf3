"""The recognition repository on SQLite and PostgreSQL: a badge is awarded once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import Badge, Kudos, MentorProfile
from storage.repositories import recognition
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
