"""ActivityCounter: counts in memory, one upsert statement per flush, sums across flushes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.activity import ActivityCounter
from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import Activity, Community, Member
from tests.fakediscord.logcheck import ErrorLogCollector


class Statements:
    """SQL statements the engine sends (transaction control left out)."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.sql.append(statement)

    def take(self) -> list[str]:
        taken, self.sql = self.sql, []
        return taken


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[Statements]:
    spy = Statements()
    event.listen(engine.sync_engine, "before_cursor_execute", spy)
    yield spy
    event.remove(engine.sync_engine, "before_cursor_execute", spy)


async def members(engine: AsyncEngine, clock: FakeClock) -> dict[str, int]:
    """Community g1 on 'fake' with alice, bob and carol; another community with alice too."""
    async with session_factory(engine).begin() as s:
        g1 = Community(platform="fake", external_id="g1", created_at=clock.now())
        g2 = Community(platform="matrix", external_id="g1", created_at=clock.now())
        s.add_all([g1, g2])
        await s.flush()
        rows = {name: Member(community_id=g1.id, platform_user_id=name, joined_at=clock.now())
                for name in ("alice", "bob", "carol")}  # fmt: skip
        rows["matrix-alice"] = Member(community_id=g2.id, platform_user_id="alice")
        s.add_all(rows.values())
        await s.flush()
        return {name: m.id or 0 for name, m in rows.items()}


async def stored(engine: AsyncEngine) -> dict[tuple[int, str], int]:
    async with session_factory(engine)() as s:
        rows = (await s.execute(select(Activity))).scalars().all()
        return {(r.member_id, r.day.isoformat()): r.messages for r in rows}


async def test_one_statement_per_flush_and_sums_across_flushes(
    engine: AsyncEngine, clock: FakeClock, statements: Statements
) -> None:
    ids = await members(engine, clock)
    counter = ActivityCounter(session_factory(engine), clock, max_pending=10_000)
    day1 = clock.now().date().isoformat()
    for _ in range(250):
        counter.saw("fake", "g1", "alice")
    for _ in range(40):
        counter.saw("fake", "g1", "bob")
    counter.saw("fake", "g1", "ghost")  # unknown to the database: skipped
    counter.saw("matrix", "g1", "alice", count=3)  # same ids, other platform: its own member
    assert counter.pending == 4
    statements.take()
    assert await counter.flush() == 1
    (sql,) = statements.take()
    assert sql.lstrip().upper().startswith(("INSERT", "WITH")) and "ON CONFLICT" in sql.upper()
    assert counter.pending == 0
    assert await stored(engine) == {
        (ids["alice"], day1): 250, (ids["bob"], day1): 40, (ids["matrix-alice"], day1): 3
    }  # fmt: skip

    for _ in range(5):
        counter.saw("fake", "g1", "alice")
    clock.advance(timedelta(days=1))
    day2 = clock.now().date().isoformat()
    counter.saw("fake", "g1", "alice")
    counter.saw("fake", "g1", "carol", count=7)
    late = datetime(2026, 1, 5, 23, 30, tzinfo=timezone(timedelta(hours=-2)))  # 01:30 UTC, Jan 6
    counter.saw("fake", "g1", "bob", at=late)  # caught up after a restart: its own day
    statements.take()
    assert await counter.flush() == 1
    assert len(statements.take()) == 1
    assert await stored(engine) == {
        (ids["alice"], day1): 255, (ids["bob"], day1): 40, (ids["matrix-alice"], day1): 3,
        (ids["alice"], day2): 1, (ids["carol"], day2): 7, (ids["bob"], "2026-01-06"): 1,
    }  # fmt: skip
    statements.take()
    assert await counter.flush() == 0 and statements.take() == []


async def test_a_full_buffer_flushes_by_itself_and_stop_writes_the_rest(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    ids = await members(engine, clock)
    counter = ActivityCounter(session_factory(engine), clock, interval=3600, max_pending=2)
    counter.start()
    counter.saw("fake", "g1", "alice")
    counter.saw("fake", "g1", "bob")  # the second member-day fills the buffer
    for _ in range(100):
        await asyncio.sleep(0.01)
        if counter.statements:
            break
    assert counter.statements == 1 and counter.pending == 0
    counter.saw("fake", "g1", "carol", count=2)
    await counter.stop()
    day = clock.now().date().isoformat()
    assert await stored(engine) == {
        (ids["alice"], day): 1, (ids["bob"], day): 1, (ids["carol"], day): 2
    }  # fmt: skip


async def test_the_interval_flushes_in_the_background(
    sqlite_engine: AsyncEngine, clock: FakeClock
) -> None:
    await members(sqlite_engine, clock)
    counter = ActivityCounter(session_factory(sqlite_engine), clock, interval=0.05)
    counter.start()
    counter.saw("fake", "g1", "alice")
    for _ in range(100):
        await asyncio.sleep(0.01)
        if counter.statements:
            break
    await counter.stop()
    assert counter.statements == 1 and len(await stored(sqlite_engine)) == 1


class _Down:
    """A session factory whose database is unreachable."""

    def begin(self) -> Any:
        raise OSError("database down")


async def test_a_failed_flush_keeps_the_counts(
    sqlite_engine: AsyncEngine, clock: FakeClock, error_logs: ErrorLogCollector
) -> None:
    ids = await members(sqlite_engine, clock)
    counter = ActivityCounter(_Down(), clock)  # type: ignore[arg-type]
    counter.saw("fake", "g1", "alice", count=4)
    assert await counter.flush() == 0 and counter.pending == 1
    assert "kept for later" in error_logs.take()[0].getMessage()
    counter.saw("fake", "g1", "alice")
    counter.db = session_factory(sqlite_engine)
    assert await counter.flush() == 1
    assert await stored(sqlite_engine) == {(ids["alice"], clock.now().date().isoformat()): 5}
