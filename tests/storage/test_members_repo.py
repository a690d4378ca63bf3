"""The members repository on SQLite and PostgreSQL: creating a member is insert-or-ignore."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import Member
from storage.repositories import members


async def test_concurrent_first_contacts_make_one_member(engine: AsyncEngine) -> None:
    factory, now = session_factory(engine), FakeClock().now()
    async with factory.begin() as s:
        community = await members.ensure_community(
            s, platform="t", external_id="g", name="g", locale="en", now=now
        )
        community_id = community.id or 0

    async def first_contact(name: str) -> int:
        async with factory.begin() as s:
            member = await members.ensure_member(
                s, community_id=community_id, user_id="u1", display_name=name, now=now
            )
            return member.id or 0

    ids = await asyncio.gather(*(first_contact(f"Bob {i}") for i in range(8)))
    assert len(set(ids)) == 1
    async with factory() as s:
        count = (await s.execute(select(func.count()).select_from(Member))).scalar_one()
        assert count == 1
        found = await members.get_member_by_id(s, member_id=ids[0])
        assert found is not None and found.platform_user_id == "u1"
        again = await members.get_community_by_id(s, community_id=community_id)
        assert again is not None and again.external_id == "g"
