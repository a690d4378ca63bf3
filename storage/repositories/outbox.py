"""Scheduled messages: insert once by key, claim with a lease, mark sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Community, Member, Outbox
from storage.repositories._sql import claim, insert_ignore


@dataclass(frozen=True)
class Delivery:
    """A claimed row with what sending it needs."""

    row: Outbox
    community: Community
    member: Member | None  # the addressee when the row targets a member


async def add_letters(tx: AsyncSession, *, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert outbox rows whose key is new; how many were new."""
    return await insert_ignore(tx, Outbox, rows, conflict=["key"])


async def claim_due(
    tx: AsyncSession,
    *,
    now: datetime,
    instance: str,
    lease: timedelta,
    max_attempts: int,
    limit: int,
) -> list[int]:
    """Lease up to `limit` due rows to `instance`, skipping rows another process holds."""
    free = or_(col(Outbox.claimed_at).is_(None), col(Outbox.claimed_at) < now - lease)
    due = (
        select(col(Outbox.id))
        .where(
            col(Outbox.sent_at).is_(None),
            col(Outbox.due_at) <= now,
            col(Outbox.attempts) < max_attempts,
            free,
        )
        .order_by(col(Outbox.due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = [int(i) for i in (await tx.execute(due)).scalars() if i is not None]
    if not ids:
        return []
    claimed = await tx.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(ids), col(Outbox.sent_at).is_(None), free)
        .values(claimed_at=now, claimed_by=instance, attempts=col(Outbox.attempts) + 1)
        .returning(col(Outbox.id))
    )
    return [int(i) for i in claimed.scalars() if i is not None]


async def get_delivery(tx: AsyncSession, *, outbox_id: int) -> Delivery | None:
    """An outbox row with its community and addressed member; None when the row is gone."""
    row = await tx.get(Outbox, outbox_id)
    if row is None:
        return None
    community = await tx.get(Community, row.community_id)
    assert community is not None
    member = await tx.get(Member, int(row.target)) if row.target_kind == "member" else None
    return Delivery(row, community, member)


async def mark_sent(tx: AsyncSession, *, outbox_id: int, instance: str, now: datetime) -> bool:
    """Mark a row sent if `instance` still holds it."""
    return await claim(
        tx,
        update(Outbox)
        .where(col(Outbox.id) == outbox_id, col(Outbox.claimed_by) == instance)
        .values(sent_at=now),
    )
