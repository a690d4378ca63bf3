"""A community with two members (Bob and Ann), for repository tests."""

from __future__ import annotations

from bot.core.clock import FakeClock
from storage.db import SessionFactory
from storage.repositories import members


async def two_members(factory: SessionFactory) -> tuple[int, int, int]:
    """Community id, Bob's and Ann's member ids (user ids u-bob, u-ann)."""
    now = FakeClock().now()
    async with factory.begin() as s:
        community = await members.ensure_community(
            s, platform="t", external_id="g", name="g", locale="en", now=now
        )
        cid = community.id or 0
        bob = await members.ensure_member(
            s, community_id=cid, user_id="u-bob", display_name="Bob", now=now
        )
        ann = await members.ensure_member(
            s, community_id=cid, user_id="u-ann", display_name="Ann", now=now
        )
        return cid, bob.id or 0, ann.id or 0
