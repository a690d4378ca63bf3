"""The outbox repository on SQLite and PostgreSQL: insert once by key, claim without overlap."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import SessionFactory, session_factory
from storage.models import Outbox
from storage.repositories import members, outbox

LEASE = timedelta(minutes=2)


async def _community(factory: SessionFactory) -> int:
    async with factory.begin() as s:
        community = await members.ensure_community(
            s, platform="t", external_id="g", name="g", locale="en", now=FakeClock().now()
        )
        return community.id or 0


def _row(key: str, community_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "key": key, "community_id": community_id, "kind": "nudge", "target_kind": "channel",
        "target": "mentoring", "template": "t", "params": {}, "mentions": {}, "buttons": [],
        "due_at": FakeClock().now(), "attempts": 0, **extra,
    }  # fmt: skip


async def test_letters_are_inserted_once_per_key(engine: AsyncEngine) -> None:
    factory = session_factory(engine)
    cid = await _community(factory)
    async with factory.begin() as s:
        assert await outbox.add_letters(s, rows=[_row("a", cid), _row("b", cid)]) == 2
    async with factory.begin() as s:
        assert await outbox.add_letters(s, rows=[_row("a", cid), _row("c", cid)]) == 1
        assert await outbox.add_letters(s, rows=[]) == 0

    async def racing() -> int:
        async with factory.begin() as s:
            return await outbox.add_letters(s, rows=[_row("d", cid)])

    assert sum(await asyncio.gather(*(racing() for _ in range(6)))) == 1
    async with factory() as s:
        assert (await s.execute(select(func.count()).select_from(Outbox))).scalar_one() == 4


async def test_concurrent_claims_never_share_a_row_and_leases_expire(engine: AsyncEngine) -> None:
    factory, clock = session_factory(engine), FakeClock()
    cid = await _community(factory)
    async with factory.begin() as s:
        await outbox.add_letters(s, rows=[_row(f"k{i}", cid) for i in range(20)])

    async def claim(instance: str) -> list[int]:
        async with factory.begin() as s:
            return await outbox.claim_due(
                s, now=clock.now(), instance=instance, lease=LEASE, max_attempts=3, limit=7
            )

    batches = await asyncio.gather(*(claim(f"p{i}") for i in range(5)))
    taken = [i for batch in batches for i in batch]
    assert len(taken) == len(set(taken)) == 20
    assert await claim("late") == []  # every row is leased
    clock.advance(LEASE + timedelta(seconds=1))
    assert len(await claim("after")) == 7  # expired leases are taken again


async def test_only_the_holder_marks_a_row_sent(engine: AsyncEngine) -> None:
    factory, now = session_factory(engine), FakeClock().now()
    cid = await _community(factory)
    async with factory.begin() as s:
        await outbox.add_letters(s, rows=[_row("x", cid, target_kind="member", target="999")])
        (oid,) = await outbox.claim_due(
            s, now=now, instance="me", lease=LEASE, max_attempts=3, limit=10
        )
    async with factory.begin() as s:
        assert not await outbox.mark_sent(s, outbox_id=oid, instance="other", now=now)
        assert await outbox.mark_sent(s, outbox_id=oid, instance="me", now=now)
    async with factory() as s:
        found = await outbox.get_delivery(s, outbox_id=oid)
        assert found is not None and found.row.sent_at is not None
        assert found.community.id == cid and found.member is None  # member 999 is unknown
        assert await outbox.get_delivery(s, outbox_id=oid + 1) is None
    async with factory.begin() as s:  # sent rows are never claimed again
        assert await outbox.claim_due(
            s, now=now, instance="me", lease=LEASE, max_attempts=3, limit=10
        ) == []  # fmt: skip
