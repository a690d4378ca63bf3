"""Every migration keeps the data it finds: a database is created at each revision of the
chain (SQLite and PostgreSQL), filled with rows valid at that revision, upgraded to head, and
then still holds every value and still works for the bot.

The rows come from the schema as it was at that revision (reflected), not from today's
models, so a new migration is covered without writing anything here: every table gets two
rows (the first with every optional column empty, the second with all of them set), foreign
keys point at the rows of the same number in the parent table, and columns with a meaning
(status, platform, time zone…) get values the bot understands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.clock import FakeClock
from storage.db import create_engine
from storage.migrate import head, revisions, upgrade
from tests.conftest import actor, make_services
from tests.fakes import FakePlatform

VERSION_TABLE = "alembic_version"
ROWS = 2
WHEN = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)  # microseconds must survive
Rows = dict[str, list[dict[str, Any]]]
Value = Callable[[int, Rows], Any]


def _const(value: Any) -> Value:
    return lambda i, rows: value


# Columns whose values mean something to the bot. Keyed "table.column" or "column".
MEANINGFUL: dict[str, Value] = {
    "platform": _const("fake"),
    "external_id": lambda i, rows: f"guild-{i + 1}",
    "platform_user_id": lambda i, rows: f"user{i + 1}",
    "display_name": lambda i, rows: f"Jürgen {i + 1} ✓",
    "locale": _const("en"),
    "timezone": _const("Europe/Berlin"),
    "languages": _const(["en", "de"]),
    "skills": _const(["python", "gärtnern"]),
    "interests": _const(["python"]),
    "offers": _const(["python"]),
    "seeks": _const(["german"]),
    "suggested_mentor_ids": _const([1, 2]),
    "communities.settings": _const(
        {"guidelines": "Sei freundlich ✓", "seed": {"n": [1, 2.5, None], "ü": '"✓"'}}
    ),
    "outbox.params": _const({"name": "Zoë", "when": "2026-03-01T09:30:00+00:00", "n": 0.1}),
    "outbox.mentions": _const({"name": ["user1"]}),
    "outbox.buttons": _const([["checkin.well", "checkin:well:1", "success"]]),
    "outbox.kind": _const("checkin"),
    "outbox.template": _const("checkin.prompt"),
    "outbox.target_kind": _const("member"),
    # A member's id, as the bot stores it for a direct message.
    "outbox.target": lambda i, rows: str(rows["members"][i]["id"]),
    "outbox.key": lambda i, rows: f"seed:{i + 1}",
    "mentor_profiles.status": _const("available"),
    "mentor_profiles.approved": _const(True),
    "mentor_profiles.capacity": _const(3),
    "mentor_profiles.active_mentees": _const(1),
    "mentor_requests.status": _const("open"),
    "mentor_requests.kind": _const("mentoring"),
    "request_offers.status": _const("pending"),
    "pairs.status": _const("active"),
    "pairs.kind": _const("mentoring"),
    "groups.status": _const("open"),
    "groups.kind": _const("circle"),
    "groups.local_time": _const("18:00"),
    "groups.weekday": _const(1),
    "group_members.role": _const("member"),
    "tandem_profiles.status": _const("seeking"),
    "tandem_intros.status": _const("proposed"),
    "checkins.answer": _const("well"),
    "feedback.rating": _const(4),
    "badges.badge": lambda i, rows: ("first_pair", "ten_thanks")[i % 2],
    "audit_log.action": _const("approve"),
    "kudos.counted": _const(True),
    "is_bot": _const(False),
    # The first member takes part: not gone, consent not withdrawn, mentor not paused.
    "left_at": lambda i, rows: None if i == 0 else WHEN,
    "consent_withdrawn_at": lambda i, rows: None if i == 0 else WHEN,
}

# Columns a later migration fills from older ones: (table, column) -> the value expected after
# the upgrade, from the row as it was seeded.
DERIVED: dict[tuple[str, str], Callable[[Mapping[str, Any]], Any]] = {
    ("outbox", "recipient_member_id"): lambda row: (
        int(row["target"]) if row["target_kind"] == "member" else None
    ),
}


def _plain(table: Table, column: Any, i: int) -> Any:
    """A value of the column's type; different per row."""
    kind = column.type
    if isinstance(kind, Boolean):
        return i % 2 == 1
    if isinstance(kind, Integer):
        return i + 1
    if isinstance(kind, (Float, Numeric)):
        return 1.5 + i
    if isinstance(kind, DateTime):
        return WHEN + i * timedelta(days=1, hours=1)
    if isinstance(kind, Date):
        return date(2026, 3, 1) + timedelta(days=i)
    if isinstance(kind, JSON):
        return ["seed", i, 1.5, "ä"]
    if isinstance(kind, (String, Text)):
        value = f"{column.name} {i + 1} ✓ä"
        return value[: kind.length] if getattr(kind, "length", None) else value
    raise AssertionError(f"no seed value for {table.name}.{column.name} ({kind!r}): add one")


def _value(table: Table, column: Any, i: int, rows: Rows) -> Any:
    for key in (f"{table.name}.{column.name}", column.name):
        if key in MEANINGFUL:
            return MEANINGFUL[key](i, rows)
    for fk in column.foreign_keys:
        parent = fk.column.table.name
        if parent == table.name:  # a row of the same table (a milestone's goal)
            return rows[parent][i - 1][fk.column.name] if i and column.nullable else None
        if i == 0 and column.nullable:
            return None
        return rows[parent][i][fk.column.name]
    if i == 0 and column.nullable:
        return None
    return _plain(table, column, i)


async def _tables(conn: AsyncConnection) -> list[Table]:
    def reflect(sync: Any) -> list[Table]:
        metadata = MetaData()
        metadata.reflect(sync)
        return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]

    return await conn.run_sync(reflect)


def _normal(value: Any) -> Any:
    """SQLite gives back stored UTC timestamps without their zone."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


async def seed_as_of_now(engine: AsyncEngine) -> Rows:
    """Two rows in every table of the schema the database has now; returns them as stored."""
    rows: Rows = {}
    async with engine.begin() as conn:
        for table in await _tables(conn):
            rows[table.name] = []
            for i in range(ROWS):
                values = {
                    c.name: _value(table, c, i, rows)
                    for c in table.columns
                    if not _serial(table, c)
                }
                stored = await conn.execute(table.insert().values(values).returning(*table.c))
                rows[table.name].append({k: _normal(v) for k, v in stored.one()._mapping.items()})
    return rows


def _serial(table: Table, column: Any) -> bool:
    """The id the database hands out (a single integer primary key)."""
    pk = list(table.primary_key.columns)
    return len(pk) == 1 and pk[0] is column and isinstance(column.type, Integer)


async def table_rows(conn: AsyncConnection) -> Rows:
    """Every row of every table (but Alembic's), in primary-key order, timestamps in UTC."""
    found: Rows = {}
    for table in await _tables(conn):
        order = list(table.primary_key.columns) or list(table.columns)
        result = await conn.execute(select(table).order_by(*order))
        found[table.name] = [{k: _normal(v) for k, v in r._mapping.items()} for r in result]
    return found


REVISIONS = revisions()


def test_the_chain_runs_from_the_first_revision_to_head() -> None:
    assert REVISIONS[0] == "0001" and REVISIONS[-1] == head()
    assert len(set(REVISIONS)) == len(REVISIONS)


@pytest.mark.parametrize("revision", REVISIONS)
async def test_data_seeded_at_a_revision_survives_the_upgrade_and_the_bot_uses_it(
    database_url: str, revision: str
) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine, revision)
        seeded = await seed_as_of_now(engine)
        await upgrade(engine)
        async with engine.connect() as conn:
            after = await table_rows(conn)
        for name, rows in seeded.items():
            assert name in after, f"table {name} seeded at {revision} is gone"
            assert len(after[name]) == len(rows), name
            for before, now in zip(rows, after[name], strict=True):
                kept = {k: now[k] for k in before if k in now}
                assert kept == before, f"{name} changed by the upgrade from {revision}"
                for (table, column), derive in DERIVED.items():
                    if table == name and column in now and column not in before:
                        assert now[column] == derive(before), f"{name}.{column} from {revision}"
        await _the_bot_works_on_it(engine, seeded)
    finally:
        await engine.dispose()


async def _the_bot_works_on_it(engine: AsyncEngine, seeded: Rows) -> None:
    services = make_services(engine, FakeClock(WHEN + timedelta(days=10)), FakePlatform())
    first = seeded["members"][0]
    member = await services.profiles.member(actor("user1", "guild-1"))
    assert member.id == first["id"] and member.languages == ["en", "de"]
    profile = await services.mentors.profile(actor("user1", "guild-1"))
    assert profile is not None and profile.skills == ["python", "gärtnern"]
    # A newcomer asks: a new member and request get the next ids, and the seeded mentor fits.
    suggested = await services.requests.request_mentor(actor("newcomer", "guild-1"), "python")
    assert [s.user_id for s in suggested.suggestions] == ["user1"]
    newcomer = await services.profiles.member(actor("newcomer", "guild-1"))
    assert newcomer.id is not None and newcomer.id > max(m["id"] for m in seeded["members"])
    await services.recognition.thank(actor("newcomer", "guild-1"), "user1", "Danke!")
