"""The moderation repository on SQLite and PostgreSQL: the programme export."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import Feedback, Pair
from storage.repositories import members, moderation


async def test_export_rows_name_both_partners_and_average_the_ratings(engine: AsyncEngine) -> None:
    now = FakeClock().now()
    async with session_factory(engine).begin() as s:
        community = await members.ensure_community(
            s, platform="t", external_id="g", name="g", locale="en", now=now
        )
        cid = community.id or 0
        alice = await members.ensure_member(
            s, community_id=cid, user_id="a", display_name="Alice", now=now
        )
        bob = await members.ensure_member(
            s, community_id=cid, user_id="b", display_name="Bob", now=now
        )
        rated = Pair(community_id=cid, mentor_member_id=bob.id or 0, mentee_id=alice.id or 0,
                     started_at=now)  # fmt: skip
        unrated = Pair(community_id=cid, mentor_member_id=alice.id or 0, mentee_id=bob.id or 0,
                       kind="buddy", status="ended")  # fmt: skip
        s.add_all([rated, unrated])
        await s.flush()
        s.add_all([Feedback(pair_id=rated.id, member_id=alice.id or 0, rating=4),
                   Feedback(pair_id=rated.id, member_id=bob.id or 0, rating=5)])  # fmt: skip
    async with session_factory(engine)() as s:
        first, second = await moderation.export_rows(s, community_id=cid)
        assert await moderation.export_rows(s, community_id=cid + 1) == []
    assert (first.kind, first.mentee, first.mentor, first.status) == (
        "mentoring",
        "Alice",
        "Bob",
        "active",
    )
    assert first.started_at is not None and first.ended_at is None
    assert f"{first.average_rating:.2f}" == "4.50"
    assert (second.kind, second.mentee, second.mentor, second.status) == (
        "buddy",
        "Bob",
        "Alice",
        "ended",
    )
    assert second.average_rating is None
