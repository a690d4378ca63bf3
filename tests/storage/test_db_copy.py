"""`mentorbot db copy`: a community's SQLite database moves into an empty PostgreSQL one.

The source is filled the way the bot fills it (the report community plus a second community
run through the core services: signups, requests, pairs, check-ins, goals and milestones,
thanks and badges, cohorts, circles, office hours, a tandem, moderation, activity, the
outbox), then copied and compared table by table, row by row, every column.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Integer, MetaData, func, select, text
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.core.clock import FakeClock
from bot.core.ports import CommunityRef
from bot.scheduler import Sweeper
from storage.copy import CopyError, copy_database
from storage.db import create_engine, session_factory
from storage.migrate import revisions, upgrade
from storage.models import Activity, Community, Member, Outbox
from tests.conftest import actor, make_services
from tests.fakes import FakePlatform
from tests.pgdb import admin_url, fresh_database
from tests.reports.seed import seed as seed_report_community
from tests.storage.test_migrations import table_rows

START = datetime(2026, 3, 2, 8, 15, 30, 654321, tzinfo=UTC)  # microseconds must survive
GUILD = "guild-2"
SECRET = "s3cret-Pw"  # the server trusts local logins, so any password gets in
NESTED = {"guidelines": "Sei freundlich — be kind ✓", "seed": {"n": [1, 2.5, 0.1, None, True],
          "quote \"x\"": "line\nbreak", "emoji": "🎉", "big": 2**53 + 1}}  # fmt: skip


@dataclass
class SpacePlatform(FakePlatform):
    """The fake platform plus adding people to a space (circles and cohorts need it)."""

    async def add_to_space(self, community: CommunityRef, space_ref: str,
                           user_ids: list[str]) -> None:  # fmt: skip
        self.spaces[space_ref][1].extend(user_ids)


async def seed_through_services(engine) -> None:
    """What a few weeks of a community leave behind."""
    await seed_report_community(engine)
    clock = FakeClock(START)
    s = make_services(engine, clock, SpacePlatform())

    def a(name: str):
        return actor(name, GUILD)

    await s.community.configure(a("mod"), "guidelines", "Be kind ✓", moderator=True)
    await s.mentors.signup(a("bob"), skills="python, rust", languages="en,de",
                           timezone="Europe/Berlin")  # fmt: skip
    await s.requests.request_mentor(a("alice"), "python packaging", "Ich möchte lernen")
    await s.requests.ask(a("alice"), 1)
    await s.requests.accept(a("bob"))
    await s.goals.add(a("alice"), "Publish a package")
    await s.goals.add_milestone(a("alice"), 1, "Write the pyproject")
    await s.goals.complete_milestone(a("bob"), "1.1")
    await s.recognition.thank(a("alice"), "bob", "Danke! 🎉")
    await s.moderation.approve(a("mod"), "bob", moderator=True)
    cohort = await s.cohorts.create(a("mod"), "Spring", capacity=5, start="1d", end="2w",
                                    moderator=True)  # fmt: skip
    await s.cohorts.join(a("carol"), cohort.id)
    await s.circles.create(a("dave"), "Pythonistas", "python, packaging")
    await s.circles.join(a("erin"), "pythonistas")
    session = await s.office_hours.schedule(a("bob"), weekday="tue", at="18:00",
                                            timezone="Europe/Berlin", topic="Python Q&A")  # fmt: skip
    await s.office_hours.rsvp(a("carol"), session.id)
    await s.tandem.register(a("erin"), "python", "german")
    await s.tandem.register(a("frank"), "german", "python")
    await s.tandem.confirm(a("erin"))
    await s.tandem.confirm(a("frank"))
    s.activity.saw("fake", GUILD, "alice", 3, at=clock.now())
    await s.activity.flush()
    clock.advance(timedelta(days=7, microseconds=1))
    await Sweeper(s).sweep()  # check-ins, badges and reminders into the outbox, then sent
    async with session_factory(engine).begin() as tx:
        community = (await tx.execute(select(Community).where(
            Community.external_id == GUILD))).scalar_one()  # fmt: skip
        community.settings = {**community.settings, **NESTED}
        # A message still waiting, with a nested payload.
        tx.add(Outbox(key="waiting:1", community_id=community.id, kind="digest",
                      target_kind="channel", target="mentors", template="digest.weekly",
                      params={"names": ["Zoë", "Jürgen"], "share": 0.3333333333333333},
                      mentions={}, buttons=[], due_at=START + timedelta(days=30)))  # fmt: skip


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded SQLite file for the module (copies only read it)."""
    path = tmp_path_factory.mktemp("copy") / "seeded.db"

    async def build() -> None:
        engine = create_engine(f"sqlite:///{path}")
        try:
            await upgrade(engine)
            await seed_through_services(engine)
        finally:
            await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture
def source(seeded_file: Path, tmp_path: Path) -> str:
    """The seeded database as this test's own file."""
    path = tmp_path / "mentorbot.db"
    shutil.copyfile(seeded_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
async def target() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database."""
    async with fresh_database(admin_url(), prefix="mentorbot_copy") as url:
        yield url


@pytest.fixture
def not_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine whose local time is not UTC (the copy must not shift any timestamp)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def rows_of(url: str) -> dict[str, list[dict]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await table_rows(conn)
    finally:
        await engine.dispose()


async def cli(*argv: str) -> int:
    """`mentorbot …` as an operator runs it (its own event loop)."""
    return await asyncio.to_thread(main, list(argv))


async def test_the_command_copies_every_row_exactly_and_new_ids_follow_the_copied_ones(
    source: str, target: str, not_utc: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await rows_of(source)
    empty = sorted(name for name, rows in before.items() if not rows)
    assert empty == [], f"the seed leaves tables empty, so their copy is not tested: {empty}"
    assert any(goal["parent_id"] for goal in before["goals"])  # a milestone: a row pointing
    # into its own table, filled in after the table is copied
    with_password = make_url(target).set(password=SECRET).render_as_string(hide_password=False)
    # An operator may have run `mentorbot db upgrade` on the new database first: still empty.
    engine = create_engine(with_password)
    await upgrade(engine)
    await engine.dispose()

    assert await cli("db", "copy", "--from", source, "--to", with_password) == 0
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert out.startswith(f"copied {sum(map(len, before.values()))} rows in {len(before)} tables")
    assert "postgres:***@" in out and f"(revision {revisions()[-1]})" in out
    for name, rows in before.items():  # progress: one line per table (stderr is not a terminal)
        assert f"{name} " in err and f"{len(rows):>9,}/{len(rows):,} rows" in err
    assert err.count("\n") == len(before)

    after = await rows_of(target)
    assert sorted(after) == sorted(before)
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after the copy"

    # The bot goes on from there: a newcomer gets the next member id, and every id sequence
    # continues right after the largest copied id.
    engine = create_engine(target)
    try:
        services = make_services(engine, FakeClock(START + timedelta(days=8)), SpacePlatform())
        newcomer = await services.profiles.member(actor("newcomer", GUILD))
        assert newcomer.id == max(m["id"] for m in before["members"]) + 1
        asked = await services.requests.request_mentor(actor("newcomer", GUILD), "python")
        assert [s.user_id for s in asked.suggestions] == ["bob"]
        async with engine.connect() as conn:
            metadata = MetaData()
            await conn.run_sync(metadata.reflect)
            serial = [t for t in metadata.sorted_tables if len(t.primary_key.columns) == 1
                      and isinstance(next(iter(t.primary_key.columns)).type, Integer)]  # fmt: skip
            assert f"and {len(serial)} id sequences verified" in out and len(serial) >= 15
            for table in serial:
                (column,) = table.primary_key.columns
                largest = (await conn.execute(select(func.max(column)))).scalar()
                following = (await conn.execute(text(
                    f"SELECT nextval(pg_get_serial_sequence('{table.name}', '{column.name}'))"
                ))).scalar()  # fmt: skip
                assert following == largest + 1, table.name
    finally:
        await engine.dispose()


async def test_a_busy_source_is_copied_as_it_was_at_one_moment(source: str, target: str) -> None:
    """The bot keeps writing while the copy runs. Each write adds a member and their activity
    and counts itself in the community's settings; those tables are copied at different
    times, so only a copy of one moment agrees on the count."""
    writer = create_engine(source)
    factory = session_factory(writer)
    writes = 0
    stop, started = asyncio.Event(), asyncio.Event()
    async with factory.begin() as tx:
        busy = Community(platform="fake", external_id="busy", name="busy",
                         settings={"writes": 0}, created_at=START)  # fmt: skip
        tx.add(busy)
    community_id = busy.id

    async def keep_writing() -> None:
        nonlocal writes
        while not stop.is_set():
            n = writes + 1
            async with factory.begin() as tx:
                member = Member(community_id=community_id, platform_user_id=f"w{n}",
                                display_name=f"w{n}", joined_at=START)  # fmt: skip
                tx.add(member)
                await tx.flush()
                tx.add(Activity(member_id=member.id, community_id=community_id,
                                day=START.date(), messages=n))  # fmt: skip
                community = await tx.get(Community, community_id)
                community.settings = {"writes": n}
            writes = n
            if n == 3:
                started.set()
            await asyncio.sleep(0.005)

    task = asyncio.create_task(keep_writing())
    try:
        await asyncio.wait_for(started.wait(), 10)
        seen: list[tuple[str, int, int, int]] = []
        await copy_database(source, target, batch_size=10,
                            progress=lambda *p: seen.append((*p, writes)))  # fmt: skip
    finally:
        stop.set()
        await task
        await writer.dispose()
    during = [w for *_, w in seen]
    assert during[-1] > during[0], "the writer did not write while the copy ran"
    # In batches: the members table's progress goes 0, 10, 20, … up to its size.
    (size,) = {total for name, _, total, _ in seen if name == "members"}
    assert [done for name, done, _, _ in seen if name == "members"] == [
        *range(0, size, 10), size]  # fmt: skip

    engine = create_engine(target)
    try:
        async with engine.connect() as conn:
            settings = (await conn.execute(
                select(Community.settings).where(Community.id == community_id))).scalar_one()  # fmt: skip
            members = (await conn.execute(select(func.count()).select_from(Member).where(
                Member.community_id == community_id))).scalar()  # fmt: skip
            activity = (await conn.execute(select(func.count()).select_from(Activity).where(
                Activity.community_id == community_id))).scalar()  # fmt: skip
    finally:
        await engine.dispose()
    copied = settings["writes"]
    assert 3 <= copied <= during[0] < writes
    assert members == activity == copied


@pytest.mark.parametrize("filled", ["rows", "other tables"])
async def test_a_target_that_is_not_empty_is_refused_and_left_untouched(
    source: str, target: str, filled: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(target)
    try:
        async with engine.begin() as conn:
            if filled == "rows":  # as a bot already running on it leaves it (schema trimmed)
                await conn.execute(text("CREATE TABLE alembic_version (version_num text)"))
                await conn.execute(text("CREATE TABLE communities (id serial PRIMARY KEY, "
                                        "platform text, external_id text, name text)"))  # fmt: skip
                await conn.execute(
                    text(f"INSERT INTO alembic_version VALUES ('{revisions()[-1]}')")
                )
                await conn.execute(text("INSERT INTO communities (platform, external_id, name) "
                                        "VALUES ('discord', '123', 'live')"))  # fmt: skip
            else:
                await conn.execute(text("CREATE TABLE notes (id serial PRIMARY KEY, body text)"))
        async with engine.connect() as conn:
            before = await table_rows(conn)
    finally:
        await engine.dispose()
    with_password = make_url(target).set(password=SECRET).render_as_string(hide_password=False)

    assert await cli("db", "copy", "--from", source, "--to", with_password) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and SECRET not in err
    assert err.startswith("mentorbot: the target database is not empty")
    assert ("communities: 1 row)" if filled == "rows" else "tables notes") in err
    assert await rows_of(target) == before


async def test_a_copy_that_fails_half_way_leaves_nothing_behind(source: str, target: str) -> None:
    # SQLite does not enforce lengths; PostgreSQL does. Tables before `pairs` are copied,
    # then `pairs` fails.
    engine = create_engine(source)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE pairs SET status = :s WHERE id = 3"), {"s": "x" * 40})
    await engine.dispose()

    seen: list[str] = []
    with pytest.raises(CopyError, match=r"^copying table pairs failed: .*too long") as err:
        await copy_database(source, target, progress=lambda name, *_: seen.append(name))
    assert "members" in seen and seen[-1] == "pairs"
    assert err.value.code == 1
    assert await rows_of(target) == {}  # not even the schema


async def test_a_source_that_is_missing_or_not_at_the_latest_revision_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "target.db"
    missing = tmp_path / "missing.db"
    assert await cli("db", "copy", "--from", f"sqlite:///{missing}", "--to",
                     f"sqlite:///{into}") == 2  # fmt: skip
    assert (
        capsys.readouterr().err == f"mentorbot: the source database file {missing} does not exist\n"
    )
    assert not missing.exists()

    older = revisions()[-2]
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    await upgrade(engine, older)
    await engine.dispose()
    assert await cli("db", "copy", "--from", f"sqlite:///{tmp_path / 'old.db'}", "--to",
                     f"sqlite:///{into}") == 2  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"at revision {older}" in err
    assert "run `mentorbot db upgrade` on it first" in err

    assert await cli("db", "copy", "--from", f"sqlite:///{tmp_path / 'old.db'}") == 2
    assert "db copy needs --to URL" in capsys.readouterr().err
    assert not into.exists()


async def test_a_target_that_cannot_be_reached_is_one_line_with_exit_code_3(
    source: str, capsys: pytest.CaptureFixture[str]
) -> None:
    nobody_listens = f"postgresql://postgres:{SECRET}@127.0.0.1:1/mentorbot"
    assert await cli("db", "copy", "--from", source, "--to", nobody_listens) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and SECRET not in err
    assert err.startswith("mentorbot: cannot connect to the target database: ")
    # A server that has no such database: a setting to fix, exit code 2.
    missing = make_url(admin_url()).set(database="mentorbot_no_such_db", password=SECRET)
    argv = ["--to", missing.render_as_string(hide_password=False)]
    assert await cli("db", "copy", "--from", source, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("mentorbot: the target database does not exist: create it first")
    assert SECRET not in err
