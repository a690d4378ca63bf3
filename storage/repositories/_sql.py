"""The two dialect-dependent idioms every repository needs, written once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


def dialect(tx: AsyncSession) -> str:
    """'sqlite' or 'postgresql'."""
    return tx.get_bind().dialect.name


async def insert_ignore(
    tx: AsyncSession,
    model: type[SQLModel],
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    conflict: Sequence[str] | None = None,
) -> int:
    """INSERT … ON CONFLICT DO NOTHING; the number of rows actually inserted.

    `conflict` names the unique columns to ignore clashes on (all unique constraints if None).
    """
    values = [dict(rows)] if isinstance(rows, Mapping) else [dict(r) for r in rows]
    if not values:
        return 0
    insert = pg_insert if dialect(tx) == "postgresql" else sqlite_insert
    stmt = insert(model).values(values)
    stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict) if conflict else None)
    return await changed(tx, stmt)


async def changed(tx: AsyncSession, stmt: Executable) -> int:
    """Run an INSERT/UPDATE/DELETE; how many rows it changed."""
    result = await tx.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def claim(tx: AsyncSession, stmt: Executable, *, rows: int = 1) -> bool:
    """Run a conditional UPDATE; True when it changed exactly `rows` rows (we won the race)."""
    return await changed(tx, stmt) == rows
