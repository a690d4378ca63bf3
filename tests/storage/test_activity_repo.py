"""The activity repository on SQLite and PostgreSQL: one upsert per batch."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import Activity
from storage.repositories import activity
from tests.storage.people import two_members


async def test_activity_counts_add_up_and_skip_unknown_users(engine: AsyncEngine) -> None:
    factory = session_factory(engine)
    _, bob, _ = await two_members(factory)
    day = date(2026, 3, 2)
    counts = {("t", "g", "u-bob", day): 2, ("t", "g", "nobody", day): 5}
    for _ in range(2):
        async with factory.begin() as s:
            assert await activity.add_activity(s, counts=counts) == 1
    async with factory() as s:
        rows = (await s.execute(select(Activity.member_id, Activity.messages))).all()
        assert [tuple(r) for r in rows] == [(bob, 4)]
