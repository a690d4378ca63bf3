"""Group repository on SQLite and PostgreSQL: places, sweeps and RSVPs are won once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock, as_utc
from storage.db import Tx, session_factory
from storage.models import Group, GroupMember
from storage.repositories import groups, members

NOW = FakeClock().now()
ACTIVE = ("open", "running")


async def _group(engine: AsyncEngine, people: int = 1, **fields: object) -> tuple[int, list[int]]:
    """A community with `people` members and one group; (group id, member ids)."""
    async with session_factory(engine).begin() as tx:
        community = await members.ensure_community(
            tx, platform="t", external_id="g", name="g", locale="en", now=NOW
        )
        assert community.id is not None
        ids = []
        for n in range(people):
            member = await members.ensure_member(
                tx, community_id=community.id, user_id=f"u{n}", display_name=f"U{n}", now=NOW
            )
            ids.append(member.id or 0)
        values = {"kind": "cohort", "name": "Py", **fields}
        group = Group(community_id=community.id, **values)  # type: ignore[arg-type]
        tx.add(group)
        await tx.flush()
        return group.id or 0, ids


async def test_the_last_places_go_to_exactly_as_many_as_fit(engine: AsyncEngine) -> None:
    group_id, _ = await _group(engine, capacity=3)
    factory = session_factory(engine)

    async def take() -> bool:
        async with factory.begin() as tx:
            return await groups.claim_place(tx, group_id=group_id, statuses=ACTIVE)

    assert sum(await asyncio.gather(*(take() for _ in range(8)))) == 3
    async with factory() as tx:
        group = await groups.get_group(tx, group_id=group_id)
        assert group is not None and group.member_count == 3


async def test_no_place_in_a_closed_group(engine: AsyncEngine) -> None:
    group_id, _ = await _group(engine, capacity=3, status="closed")
    async with session_factory(engine).begin() as tx:
        assert not await groups.claim_place(tx, group_id=group_id, statuses=ACTIVE)


async def test_start_next_and_close_are_each_won_once(engine: AsyncEngine) -> None:
    group_id, _ = await _group(engine, capacity=3, starts_at=NOW, ends_at=NOW + timedelta(days=9))
    factory = session_factory(engine)
    later = NOW + timedelta(days=7)
    async with factory() as tx:
        assert await groups.cohorts_to_start(tx, now=NOW) == [group_id]

    async def race(claim: Callable[[Tx], Awaitable[bool]]) -> int:
        async def one() -> bool:
            async with factory.begin() as tx:
                return await claim(tx)

        return sum(await asyncio.gather(*(one() for _ in range(5))))

    assert await race(lambda tx: groups.claim_start(tx, group_id=group_id, next_at=NOW)) == 1
    async with factory() as tx:
        assert await groups.cohorts_to_start(tx, now=NOW) == []
        ((gid, old),) = await groups.cohorts_to_check_in(tx, now=NOW)
        assert gid == group_id and as_utc(old) == NOW
    # The sweep hands back the value it read (naive on SQLite) as the claim's condition.
    claimed = await race(
        lambda tx: groups.claim_next(tx, group_id=group_id, old=old, following=later)
    )
    assert claimed == 1
    async with factory() as tx:
        assert await groups.cohorts_to_check_in(tx, now=NOW) == []
        assert await groups.cohorts_to_close(tx, now=later, statuses=ACTIVE) == []
        end = NOW + timedelta(days=9)
        assert await groups.cohorts_to_close(tx, now=end, statuses=ACTIVE) == [group_id]
    assert await race(lambda tx: groups.claim_close(tx, group_id=group_id, statuses=ACTIVE)) == 1
    async with factory() as tx:
        group = await groups.get_group(tx, group_id=group_id)
        assert group is not None and group.status == "closed" and group.next_at is None


async def test_an_rsvp_is_recorded_once(engine: AsyncEngine) -> None:
    group_id, (ann, bob) = await _group(engine, people=2, kind="office_hours")
    factory = session_factory(engine)
    day = NOW.date()

    async def rsvp(member_id: int) -> bool:
        async with factory.begin() as tx:
            return await groups.add_rsvp(
                tx, group_id=group_id, member_id=member_id, day=day, now=NOW
            )

    assert sum(await asyncio.gather(*(rsvp(ann) for _ in range(4)))) == 1
    assert await rsvp(bob)
    async with factory.begin() as tx:  # another day is another session
        assert await groups.add_rsvp(
            tx, group_id=group_id, member_id=ann, day=day + timedelta(days=7), now=NOW
        )
    async with factory() as tx:
        assert await groups.rsvp_ids(tx, group_id=group_id, day=day) == {ann, bob}
        going = await groups.rsvped(tx, group_id=group_id, day=day)
        assert {m.id for m in going} == {ann, bob}


async def test_lookups_members_and_counts(engine: AsyncEngine) -> None:
    group_id, (ann, bob) = await _group(engine, people=2, kind="circle", name="Rustaceans")
    factory = session_factory(engine)
    async with factory.begin() as tx:
        tx.add(GroupMember(group_id=group_id, member_id=bob, role="member", joined_at=NOW))
        tx.add(GroupMember(group_id=group_id, member_id=ann, role="leader", joined_at=NOW))
        await groups.add_to_count(tx, group_id=group_id, by=2)
    async with factory.begin() as tx:
        found = await groups.find_group(tx, community_id=1, kind="circle", text="rustaceans")
        assert found is not None and found.id == group_id
        by_id = await groups.find_group(tx, community_id=1, kind="circle", text=str(group_id))
        assert by_id is found
        assert await groups.find_group(tx, community_id=1, kind="cohort", text="rustaceans") is None
        assert await groups.name_taken(
            tx, community_id=1, kind="circle", name="RUSTACEANS", statuses=("open",)
        )
        assert [m.id for m in await groups.members_of(tx, group_id=group_id)] == [ann, bob]
        assert await groups.group_ids_of(tx, member_id=bob) == {group_id}
        assert [g.id for g in await groups.open_circles(tx, community_id=1)] == [group_id]
        assert await groups.remove_member(tx, group_id=group_id, member_id=bob)
        assert not await groups.remove_member(tx, group_id=group_id, member_id=bob)
        await groups.add_to_count(tx, group_id=group_id, by=-1)
        await groups.reload_group(tx, group=found)
        assert found.member_count == 1
