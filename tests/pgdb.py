"""A throwaway PostgreSQL database for one test or benchmark run."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.engine import make_url

POSTGRES_ENV = "MENTORBOT_TEST_POSTGRES_URL"
# The machine's PostgreSQL (TESTING.md); the variable points the suite at another server.
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """The PostgreSQL server the tests create their databases on (never skipped)."""
    return os.environ.get(POSTGRES_ENV) or DEFAULT_ADMIN_URL


async def _admin(admin_url: str, sql: str) -> None:
    url = make_url(admin_url)
    conn = await asyncpg.connect(user=url.username, password=url.password, host=url.host,
                                 port=url.port, database=url.database)  # fmt: skip
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_database(admin_url: str, prefix: str = "mentorbot") -> AsyncIterator[str]:
    """Create an empty database next to `admin_url`'s, yield its URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
