"""The privacy repository on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import Outbox
from storage.repositories import outbox, privacy
from tests.storage.people import two_members


async def test_deleting_scheduled_messages_spares_other_people(engine: AsyncEngine) -> None:
    factory, now = session_factory(engine), FakeClock().now()
    cid, bob, ann = await two_members(factory)
    base = {"community_id": cid, "kind": "nudge", "template": "t", "buttons": [],
            "due_at": now, "attempts": 0}  # fmt: skip
    async with factory.begin() as s:
        await outbox.add_letters(s, rows=[
            {**base, "key": "to-bob", "target_kind": "member", "target": str(bob),
             "params": {}, "mentions": {}},
            {**base, "key": "names-bob", "target_kind": "channel", "target": "recognition",
             "params": {}, "mentions": {"member": "u-bob"}},
            {**base, "key": "to-ann", "target_kind": "member", "target": str(ann),
             "params": {}, "mentions": {}},
        ])  # fmt: skip
        assert len(await privacy.scheduled_rows(s, member_id=bob)) == 1
    async with factory.begin() as s:
        await privacy.delete_scheduled(s, member_id=bob, user_id="u-bob")
    async with factory() as s:
        keys = set((await s.execute(select(Outbox.key))).scalars())
        assert keys == {"to-ann"}
        referencing = await privacy.rows_referencing(s, member_id=bob)
        assert {t.name for t, _ in privacy.member_tables()} == set(referencing)
