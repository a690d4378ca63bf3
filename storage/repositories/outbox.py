"""Scheduled messages: insert once by key, claim with a lease, mark sent."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Community, Group, Member, Outbox
from storage.repositories._sql import claim, insert_ignore


@dataclass(frozen=True)
class Delivery:
    """A claimed row with what sending it needs."""

    row: Outbox
    community: Community
    member: Member | None  # the addressee when the row targets a member
    recipient: Member | None  # the member the row is for (addressee or badge holder)
    group: Group | None  # the group whose name and topic the message shows
    present: frozenset[str]  # the mentioned user ids that are still members here


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
    recipient = await tx.get(Member, row.recipient_member_id) if row.recipient_member_id else member
    group = await tx.get(Group, row.group_id) if row.group_id else None
    mentioned = {u for uids in (row.mentions or {}).values()
                 for u in ([uids] if isinstance(uids, str) else uids)}  # fmt: skip
    present = await members_present(tx, community_id=row.community_id, user_ids=mentioned)
    return Delivery(row, community, member, recipient, group, present)


async def members_present(
    tx: AsyncSession, *, community_id: int, user_ids: Collection[str]
) -> frozenset[str]:
    """Which of these user ids belong to a member of the community (not erased)."""
    if not user_ids:
        return frozenset()
    stmt = select(col(Member.platform_user_id)).where(
        col(Member.community_id) == community_id,
        col(Member.platform_user_id).in_(sorted(user_ids)),
    )
    return frozenset(str(u) for u in (await tx.execute(stmt)).scalars())


async def mark_sent(tx: AsyncSession, *, outbox_id: int, instance: str, now: datetime) -> bool:
    """Mark a row sent if `instance` still holds it."""
    return await claim(
        tx,
        update(Outbox)
        .where(col(Outbox.id) == outbox_id, col(Outbox.claimed_by) == instance)
        .values(sent_at=now),
    )
