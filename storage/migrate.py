"""Run the Alembic migrations (at start-up, from `mentorbot db upgrade` and `db copy`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def script_directory() -> ScriptDirectory:
    """The packaged migration scripts."""
    return ScriptDirectory.from_config(alembic_config())


def revisions() -> list[str]:
    """Every revision id, oldest first (the chain from the first migration to head)."""
    return [script.revision for script in reversed(list(script_directory().walk_revisions()))]


def head() -> str:
    """The revision this version of mentorbot needs."""
    found = script_directory().get_current_head()
    if found is None:
        raise RuntimeError("no migrations are packaged")
    return found


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at (None when it has no mentorbot schema)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    """Bring the schema to `revision` inside the connection's transaction."""
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` on the given engine."""
    async with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            async with conn.begin():
                await conn.run_sync(upgrade_connection, revision)
            return
        # SQLite changes a table by copying it into a new one and dropping the old: with
        # foreign keys enforced, dropping a table that other rows point at fails. SQLite's own
        # recipe: enforcement off (outside a transaction), migrate, check, commit, on again.
        await conn.run_sync(_foreign_keys, False)
        try:
            async with conn.begin():
                before = await conn.run_sync(current_revision)
                await conn.run_sync(upgrade_connection, revision)
                if await conn.run_sync(current_revision) != before:  # not on every start
                    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"the migration left {len(broken)} dangling references")
        finally:
            await conn.run_sync(_foreign_keys, True)


def _foreign_keys(connection: Connection, on: bool) -> None:
    """Switch SQLite's enforcement of foreign keys (a no-op inside a transaction)."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()
