"""Community look-ups across platforms on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import Pair
from storage.repositories import communities
from tests.storage.people import two_members


async def test_communities_by_id_platform_id_and_pair_space(engine: AsyncEngine) -> None:
    factory = session_factory(engine)
    cid, bob, ann = await two_members(factory)
    async with factory.begin() as s:
        s.add(Pair(community_id=cid, mentor_member_id=bob, mentee_id=ann, space_ref="room-1"))
    async with factory() as s:
        assert await communities.community_ids(s) == [cid]
        assert [c.id for c in await communities.all_communities(s)] == [cid]
        assert [c.id for c in await communities.find_communities(s, external_id="g")] == [cid]
        assert await communities.find_communities(s, external_id="g", platform="other") == []
        assert await communities.community_of_space(s, platform="t", space_ref="room-1") == "g"
        assert await communities.community_of_space(s, platform="t", space_ref="room-2") is None
        assert await communities.community_of_space(s, platform="x", space_ref="room-1") is None
