"""Message counts per member per day (never content): one upsert statement per batch."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from sqlalchemy import String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories._sql import dialect

# One statement per flush whatever its size: the counts travel as one JSON parameter, so the
# SQL text never changes (a VALUES list would take a second to compile at 5,000 rows).
_UPSERT_TAIL = """
JOIN communities c ON c.platform = {platform} AND c.external_id = {external_id}
JOIN members m ON m.community_id = c.id AND m.platform_user_id = {user_id}
WHERE m.id IS NOT NULL
ON CONFLICT (member_id, day) DO UPDATE SET messages = activity.messages + excluded.messages"""
_UPSERT = {
    "sqlite": "INSERT INTO activity (member_id, day, community_id, messages)\n"
    "SELECT m.id, json_extract(s.value, '$.day'), m.community_id, json_extract(s.value, '$.n')\n"
    "FROM json_each(:rows) AS s"
    + _UPSERT_TAIL.format(
        platform="json_extract(s.value, '$.platform')",
        external_id="json_extract(s.value, '$.external_id')",
        user_id="json_extract(s.value, '$.user_id')",
    ),
    "postgresql": "INSERT INTO activity (member_id, day, community_id, messages)\n"
    "SELECT m.id, s.day, m.community_id, s.n\n"
    "FROM jsonb_to_recordset(CAST(:rows AS jsonb))\n"
    "  AS s(platform text, external_id text, user_id text, day date, n integer)"
    + _UPSERT_TAIL.format(platform="s.platform", external_id="s.external_id", user_id="s.user_id"),
}


async def add_activity(
    tx: AsyncSession, *, counts: Mapping[tuple[str, str, str, date], int]
) -> int:
    """Add counts keyed (platform, community id, user id, day); returns the statements used."""
    if not counts:
        return 0
    rows = [
        {"platform": p, "external_id": e, "user_id": u, "day": d.isoformat(), "n": n}
        for (p, e, u, d), n in counts.items()
    ]  # users the database does not know are skipped by the JOINs
    # The SQL differs per dialect only in how it unpacks the JSON rows.
    stmt = text(_UPSERT[dialect(tx)]).bindparams(bindparam("rows", type_=String))
    await tx.execute(stmt, {"rows": json.dumps(rows)})
    return 1
