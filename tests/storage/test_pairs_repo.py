"""Pair, check-in and goal repositories on SQLite and PostgreSQL: their claims are won once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import CheckIn, Goal, Pair
from storage.repositories import checkins, goals, members, pairs

NOW = FakeClock().now()


async def _pair(engine: AsyncEngine, **fields: object) -> tuple[int, int, int]:
    """A community with two members and one active pair; (pair id, mentee id, mentor id)."""
    async with session_factory(engine).begin() as tx:
        community = await members.ensure_community(
            tx, platform="t", external_id="g", name="g", locale="en", now=NOW
        )
        assert community.id is not None
        mentee, mentor = [
            await members.ensure_member(
                tx, community_id=community.id, user_id=name, display_name=name, now=NOW
            )
            for name in ("ann", "bob")
        ]
        pair = Pair(community_id=community.id, mentee_id=mentee.id or 0,
                    mentor_member_id=mentor.id or 0, **fields)  # type: ignore[arg-type]  # fmt: skip
        tx.add(pair)
        await tx.flush()
        return pair.id or 0, mentee.id or 0, mentor.id or 0


async def test_a_due_check_in_is_claimed_by_one_of_many(engine: AsyncEngine) -> None:
    pair_id, _, _ = await _pair(engine, next_checkin_at=NOW)
    factory = session_factory(engine)
    async with factory() as tx:
        (due,) = await checkins.due_checkins(tx, now=NOW, limit=10)
        assert due.pair_id == pair_id
        assert await checkins.due_checkins(tx, now=NOW - timedelta(seconds=1), limit=10) == []

    async def claim() -> bool:
        async with factory.begin() as tx:
            return await checkins.claim_checkin(
                tx, pair_id=pair_id, due_at=due.due_at, following=NOW + timedelta(days=7)
            )

    assert sum(await asyncio.gather(*(claim() for _ in range(6)))) == 1
    async with factory() as tx:
        assert await checkins.due_checkins(tx, now=NOW, limit=10) == []


async def test_latest_check_ins_are_the_newest_of_each_pair(engine: AsyncEngine) -> None:
    first, _, _ = await _pair(engine)
    async with session_factory(engine).begin() as tx:
        second = Pair(community_id=1, mentee_id=1, mentor_member_id=2)
        tx.add(second)
        await tx.flush()
        for seq in (1, 2, 3):
            tx.add(CheckIn(pair_id=first, seq=seq))
        tx.add(CheckIn(pair_id=second.id or 0, seq=1, answer="well"))
        await tx.flush()
        latest = await checkins.latest_checkins(tx, pair_ids=[first, second.id or 0, 999])
        assert {k: c.seq for k, c in latest.items()} == {first: 3, second.id: 1}
        newest = await checkins.latest_checkin(tx, pair_id=first)
        assert newest is not None and newest.seq == 3
        assert await checkins.latest_checkin(tx, pair_id=999) is None


async def test_a_programme_end_is_claimed_once(engine: AsyncEngine) -> None:
    pair_id, mentee, mentor = await _pair(engine, ends_at=NOW)
    factory = session_factory(engine)
    async with factory() as tx:
        assert await pairs.due_to_end(tx, now=NOW, limit=10) == [pair_id]

    async def claim() -> bool:
        async with factory.begin() as tx:
            return await pairs.claim_completion(tx, pair_id=pair_id, now=NOW)

    assert sum(await asyncio.gather(*(claim() for _ in range(6)))) == 1
    async with factory() as tx:
        assert await pairs.due_to_end(tx, now=NOW, limit=10) == []
        pair = await pairs.get_pair(tx, pair_id=pair_id)
        assert pair is not None and pair.status == "completed"
        assert set(await pairs.partners_of(tx, pairs=[pair])) == {mentee, mentor}


async def test_a_badge_is_granted_once(engine: AsyncEngine) -> None:
    _, mentee, _ = await _pair(engine)
    factory = session_factory(engine)

    async def grant() -> bool:
        async with factory.begin() as tx:
            return await goals.grant_badge(tx, member_id=mentee, badge="first_milestone", now=NOW)

    assert sum(await asyncio.gather(*(grant() for _ in range(6)))) == 1
    async with factory.begin() as tx:
        assert await goals.grant_badge(tx, member_id=mentee, badge="ten_milestones", now=NOW)


async def test_milestones_reached_count_done_milestones_only(engine: AsyncEngine) -> None:
    pair_id, mentee, mentor = await _pair(engine)
    async with session_factory(engine).begin() as tx:
        goal = Goal(pair_id=pair_id, title="ship")
        tx.add(goal)
        await tx.flush()
        tx.add(Goal(pair_id=pair_id, title="done goal", done=True))
        tx.add(Goal(pair_id=pair_id, parent_id=goal.id, title="a", done=True))
        tx.add(Goal(pair_id=pair_id, parent_id=goal.id, title="b"))
        await tx.flush()
        assert [g.title for g in await goals.goals_of(tx, pair_id=pair_id)] == ["ship", "done goal"]
        steps = await goals.goals_of(tx, pair_id=pair_id, parent_id=goal.id)
        assert [g.title for g in steps] == ["a", "b"]
        assert await goals.milestones_reached(tx, member_id=mentee) == 1
        assert await goals.milestones_reached(tx, member_id=mentor) == 1
