"""The privacy repository on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import Outbox
from storage.repositories import members, outbox, privacy
from tests.storage.people import two_members


async def test_scheduled_messages_are_found_by_recipient_and_community(
    engine: AsyncEngine,
) -> None:
    """Only rows for Bob in this community go: not rows that merely name him, nor rows for the
    same user in another community."""
    factory, now = session_factory(engine), FakeClock().now()
    cid, bob, ann = await two_members(factory)
    async with factory.begin() as s:
        other = await members.ensure_community(
            s, platform="t", external_id="g2", name="g2", locale="en", now=now
        )
        bob_there = await members.ensure_member(
            s, community_id=other.id or 0, user_id="u-bob", display_name="Bob", now=now
        )

    def row(key: str, community: int, recipient: int | None, **extra: Any) -> dict[str, Any]:
        return {"key": key, "community_id": community, "recipient_member_id": recipient,
                "kind": "nudge", "target_kind": "channel", "target": "recognition",
                "template": "t", "params": {}, "mentions": {}, "buttons": [], "due_at": now,
                "attempts": 0, **extra}  # fmt: skip

    async with factory.begin() as s:
        await outbox.add_letters(s, rows=[
            row("to-bob", cid, bob, target_kind="member", target=str(bob)),
            row("badge-of-bob", cid, bob, kind="badge", mentions={"member": "u-bob"}),
            row("sent-to-bob", cid, bob, target_kind="member", target=str(bob), sent_at=now),
            row("to-ann-naming-bob", cid, ann, target_kind="member", target=str(ann),
                params={"note": "u-bob"}, mentions={"partner": "u-bob"}),
            row("digest-naming-bob", cid, None, mentions={"mentors": ["u-bob", "u-ann"]}),
            row("to-bob-elsewhere", other.id or 0, bob_there.id, target_kind="member",
                target=str(bob_there.id)),
        ])  # fmt: skip
    async with factory() as s:
        referencing = await privacy.rows_referencing(s, member_id=bob)
        assert {t.name for t, _ in privacy.member_tables()} == set(referencing)
        assert {r["key"] for r in referencing["outbox"]} == {
            "to-bob", "badge-of-bob", "sent-to-bob"}  # fmt: skip
    async with factory.begin() as s:
        assert await privacy.delete_scheduled(s, community_id=cid, member_id=bob) == 3
    async with factory() as s:
        keys = set((await s.execute(select(Outbox.key))).scalars())
    assert keys == {"to-ann-naming-bob", "digest-naming-bob", "to-bob-elsewhere"}


async def test_mentioned_members_present_ignores_other_communities_and_erased(
    engine: AsyncEngine,
) -> None:
    factory, now = session_factory(engine), FakeClock().now()
    cid, bob, _ = await two_members(factory)
    async with factory.begin() as s:
        other = await members.ensure_community(
            s, platform="t", external_id="g2", name="g2", locale="en", now=now
        )
        await members.ensure_member(
            s, community_id=other.id or 0, user_id="u-cat", display_name="Cat", now=now
        )
        found = await outbox.members_present(
            s, community_id=cid, user_ids={"u-bob", "u-ann", "u-cat", "u-nobody"}
        )
        assert found == {"u-bob", "u-ann"}
        gone = await members.get_member_by_id(s, member_id=bob)
        assert gone is not None
        gone.platform_user_id = "deleted:x"
        await s.flush()
        assert await outbox.members_present(s, community_id=cid, user_ids={"u-bob"}) == set()
        assert await outbox.members_present(s, community_id=cid, user_ids=set()) == set()
