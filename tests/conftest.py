"""Shared fixtures: a migrated database (SQLite, and PostgreSQL when configured) and core."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import logs
from bot.core.clock import FakeClock
from bot.core.context import Actor, Context
from bot.core.services import Services
from bot.core.settings import Programme
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from tests.fakes import FakePlatform
from tests.pgdb import admin_url, fresh_database


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL: SQLite in tmp, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    async with fresh_database(admin_url()) as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated engine on the fresh database."""
    eng = create_engine(database_url)
    await upgrade(eng)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite engine, for tests that need no PostgreSQL variant."""
    eng = create_engine(f"sqlite:///{tmp_path / 'core.db'}")
    await upgrade(eng)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


def make_services(
    engine: AsyncEngine, clock: FakeClock, platform: FakePlatform, **programme: object
) -> Services:
    ctx = Context(
        db=session_factory(engine),
        clock=clock,
        platforms={platform.name: platform},
        programme=Programme(**programme),  # type: ignore[arg-type]
    )
    return Services(ctx)


@pytest.fixture
def services(sqlite_engine: AsyncEngine, clock: FakeClock, platform: FakePlatform) -> Services:
    """Core services on SQLite with a fake platform and clock."""
    return make_services(sqlite_engine, clock, platform)


def actor(name: str, community: str = "guild-1", locale: str | None = None) -> Actor:
    """A fake-platform member whose id is their name."""
    return Actor("fake", community, name, name, locale)


@pytest.fixture
def services_on_each_db(engine: AsyncEngine, clock: FakeClock, platform: FakePlatform) -> Services:
    """Core services on SQLite and on PostgreSQL (when configured)."""
    return make_services(engine, clock, platform)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """`logs.configure` replaces the root handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    floors = {name: logging.getLogger(name).level for name in logs.LIBRARY_FLOORS}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in floors.items():
        logging.getLogger(name).setLevel(old)
