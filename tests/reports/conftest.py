"""Report tests: the seeded community, services on it, and the loopback Discord server."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from bot.core.services import Services
from tests.conftest import make_services
from tests.discord.conftest import error_logs, fake_discord  # noqa: F401  (fixtures)
from tests.fakes import FakePlatform
from tests.reports.seed import NOW, seed


@pytest.fixture
async def seeded(engine: AsyncEngine) -> Services:
    """Services on SQLite and PostgreSQL with the known community, at NOW."""
    await seed(engine)
    return make_services(engine, FakeClock(NOW), FakePlatform())


@pytest.fixture
async def seeded_sqlite(sqlite_engine: AsyncEngine) -> Services:
    """The known community on SQLite only (for rendering, which does not depend on the DB)."""
    await seed(sqlite_engine)
    return make_services(sqlite_engine, FakeClock(NOW), FakePlatform())
