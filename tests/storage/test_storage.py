"""Storage on SQLite and PostgreSQL: migrations, constraints, atomic capacity."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.migrate import upgrade
from storage.models import Member, MentorProfile, MentorRequest
from storage.repositories import members, mentors


async def _mentor(engine: AsyncEngine, capacity: int = 1) -> tuple[int, int, int]:
    now = FakeClock().now()
    async with session_factory(engine).begin() as s:
        community = await members.ensure_community(
            s, platform="t", external_id="g", name="g", locale="en", now=now
        )
        m = await members.ensure_member(
            s, community_id=community.id, user_id="u1", display_name="Bob", now=now
        )
        p = MentorProfile(community_id=community.id, member_id=m.id, capacity=capacity,
                          skills=["python"], languages=["en"])  # fmt: skip
        s.add(p)
        await s.flush()
        return community.id, m.id, p.id


async def test_migrations_create_every_table_and_are_idempotent(engine: AsyncEngine) -> None:
    await upgrade(engine)  # second run is a no-op
    async with engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert {
        "communities", "members", "mentor_profiles",
        "mentor_requests", "request_offers", "pairs", "checkins", "feedback", "kudos",
        "badges", "goals", "groups", "group_members", "activity", "audit_log", "alembic_version",
    } <= tables  # fmt: skip


async def test_sqlite_runs_in_wal_mode(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"


async def test_only_one_open_request_per_member(engine: AsyncEngine) -> None:
    community_id, member_id, _ = await _mentor(engine)
    factory = session_factory(engine)
    async with factory.begin() as s:
        s.add(MentorRequest(community_id=community_id, mentee_id=member_id, status="open"))
    with pytest.raises(IntegrityError):
        async with factory.begin() as s:
            s.add(MentorRequest(community_id=community_id, mentee_id=member_id, status="offered"))
    async with factory.begin() as s:  # closed ones do not count
        s.add(MentorRequest(community_id=community_id, mentee_id=member_id, status="accepted"))


async def test_claim_capacity_is_atomic_under_concurrency(engine: AsyncEngine) -> None:
    _, _, mentor_id = await _mentor(engine, capacity=2)
    factory = session_factory(engine)

    async def claim() -> bool:
        async with factory.begin() as s:
            return await mentors.claim_capacity(s, mentor_id=mentor_id)

    results = await asyncio.gather(*(claim() for _ in range(8)))
    assert sum(results) == 2
    async with factory() as s:
        profile = await mentors.get_profile_by_id(s, mentor_id=mentor_id)
        assert profile is not None and profile.active_mentees == 2


async def test_candidates_filter_in_sql(engine: AsyncEngine) -> None:
    community_id, member_id, mentor_id = await _mentor(engine)
    now = FakeClock().now()
    async with session_factory(engine)() as s:
        found = await mentors.candidates(s, community_id=community_id, mentee_member_id=0,
                                         skills=["python"], languages=["de"],
                                         exclude_mentor_ids=[], now=now)  # fmt: skip
        assert found == []
        found = await mentors.candidates(s, community_id=community_id, mentee_member_id=0,
                                         skills=["python"], languages=["en"],
                                         exclude_mentor_ids=[], now=now)  # fmt: skip
        assert [c.mentor_id for c in found] == [mentor_id]
        found = await mentors.candidates(s, community_id=community_id, mentee_member_id=member_id,
                                         skills=["python"], languages=[],
                                         exclude_mentor_ids=[], now=now)  # fmt: skip
        assert found == []  # never one's own mentor


async def test_member_upsert_keeps_one_row(engine: AsyncEngine) -> None:
    community_id, _, _ = await _mentor(engine)
    now = FakeClock().now()
    async with session_factory(engine).begin() as s:
        m = await members.ensure_member(s, community_id=community_id, user_id="u1",
                                        display_name="Bobby", now=now)  # fmt: skip
        assert m.display_name == "Bobby"
    async with session_factory(engine)() as s:
        assert len((await s.execute(text("SELECT id FROM members"))).all()) == 1
    assert Member.__tablename__ == "members"


async def test_database_errors_do_not_quote_member_text(tmp_path) -> None:
    """A failing statement's parameters (member text) never reach an error message or log."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from storage.db import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL)"))
            await conn.execute(text("INSERT INTO t VALUES (1, :n)"), {"n": "first secret note"})
        with pytest.raises(IntegrityError) as caught:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (1, :n)"), {"n": "second secret note"})
        assert "UNIQUE constraint failed" in str(caught.value)
        assert "secret note" not in str(caught.value)
    finally:
        await engine.dispose()
