"""Tandem repository on SQLite and PostgreSQL: introductions and their answers are won once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import TandemIntro, TandemProfile
from storage.repositories import members, tandem

NOW = FakeClock().now()


async def _people(engine: AsyncEngine, *statuses: str) -> list[int]:
    """A community with one tandem profile per status; the member ids."""
    async with session_factory(engine).begin() as tx:
        community = await members.ensure_community(
            tx, platform="t", external_id="g", name="g", locale="en", now=NOW
        )
        assert community.id is not None
        ids = []
        for n, status in enumerate(statuses):
            member = await members.ensure_member(
                tx, community_id=community.id, user_id=f"u{n}", display_name=f"U{n}", now=NOW
            )
            tx.add(TandemProfile(community_id=community.id, member_id=member.id or 0,
                                 offers=["go"], seeks=["rust"], status=status,
                                 updated_at=NOW + timedelta(minutes=n)))  # fmt: skip
            ids.append(member.id or 0)
        return ids


async def _intro(engine: AsyncEngine, first: int, second: int) -> int:
    async with session_factory(engine).begin() as tx:
        intro = TandemIntro(community_id=1, first_id=first, second_id=second, created_at=NOW,
                            expires_at=NOW + timedelta(hours=1))  # fmt: skip
        tx.add(intro)
        await tx.flush()
        return intro.id or 0


async def _statuses(engine: AsyncEngine, ids: list[int]) -> list[str]:
    async with session_factory(engine)() as tx:
        return [(await tandem.profile_of(tx, member_id=i)).status for i in ids]  # type: ignore[union-attr]


async def test_two_are_introduced_both_or_neither(engine: AsyncEngine) -> None:
    ann, bob, cid = await _people(engine, "seeking", "introduced", "seeking")
    async with session_factory(engine).begin() as tx:
        assert not await tandem.claim_both(tx, member_ids=(ann, bob))
        assert await tandem.claim_both(tx, member_ids=(ann, cid))
    assert await _statuses(engine, [ann, bob, cid]) == ["introduced", "introduced", "introduced"]


async def test_of_two_racing_for_one_partner_one_wins(engine: AsyncEngine) -> None:
    ann, bob, cid = await _people(engine, "seeking", "seeking", "seeking")
    factory = session_factory(engine)

    async def claim(me: int) -> bool:
        async with factory.begin() as tx:
            return await tandem.claim_both(tx, member_ids=(me, cid))

    assert sorted(await asyncio.gather(claim(ann), claim(bob))) == [False, True]
    assert sorted(await _statuses(engine, [ann, bob])) == ["introduced", "seeking"]


async def test_the_pool_leaves_out_oneself_and_the_busy(engine: AsyncEngine) -> None:
    ann, _, cid, dan = await _people(engine, "seeking", "introduced", "seeking", "seeking")
    await _intro(engine, ann, dan)
    async with session_factory(engine)() as tx:
        pool = await tandem.seeking_partners(tx, community_id=1, member_id=ann, limit=10)
        assert [m.id for _, m in pool] == [cid, dan]  # longest waiting first
        assert await tandem.met_before(tx, member_id=ann) == {dan}
        assert await tandem.met_before(tx, member_id=dan) == {ann}


async def test_simultaneous_confirmations_start_the_tandem_once(engine: AsyncEngine) -> None:
    ann, bob = await _people(engine, "introduced", "introduced")
    intro_id = await _intro(engine, ann, bob)
    factory = session_factory(engine)

    async def confirm(first: bool) -> bool:
        async with factory.begin() as tx:
            return await tandem.confirm_intro(tx, intro_id=intro_id, first=first, now=NOW)

    assert sorted(await asyncio.gather(confirm(True), confirm(False))) == [False, True]
    async with factory() as tx:
        intro = await tandem.get_intro(tx, intro_id=intro_id)
        assert intro is not None and intro.status == "started"
        assert await tandem.newest_proposed(tx, member_id=ann) is None


async def test_an_introduction_is_closed_once_and_frees_both(engine: AsyncEngine) -> None:
    ann, bob = await _people(engine, "introduced", "introduced")
    intro_id = await _intro(engine, ann, bob)
    factory = session_factory(engine)
    async with factory() as tx:
        assert await tandem.due_intros(tx, now=NOW, limit=10) == []
        assert await tandem.due_intros(tx, now=NOW + timedelta(hours=1), limit=10) == [intro_id]
        proposed = await tandem.newest_proposed(tx, member_id=bob)
        assert proposed is not None and proposed.id == intro_id

    async def close(status: str) -> bool:
        async with factory.begin() as tx:
            intro = await tandem.get_intro(tx, intro_id=intro_id)
            assert intro is not None
            return await tandem.close_intro(tx, intro=intro, status=status, now=NOW)

    assert sorted(await asyncio.gather(close("declined"), close("expired"))) == [False, True]
    assert await _statuses(engine, [ann, bob]) == ["seeking", "seeking"]
