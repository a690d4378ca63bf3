"""Scheduled messages, delivered exactly once by any number of processes.

Sweeps enqueue rows with a unique key (enqueueing twice is a no-op). Delivery claims due
rows with a lease (a conditional UPDATE; `FOR UPDATE SKIP LOCKED` on PostgreSQL), sends each
with its key as the platform's idempotency key, and marks it sent. A process that dies after
claiming leaves the lease to expire and another delivery retries with the same key, so the
message is neither lost nor shown twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.context import Context
from bot.core.i18n import t
from bot.core.ports import Button, Message
from storage.models import Community, Member, Outbox

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Letter:
    """What a sweep wants sent (rendered at delivery, in the recipient's language)."""

    key: str
    community_id: int
    kind: str
    target_kind: str  # member | space | channel
    target: str
    template: str
    params: dict[str, Any]
    mentions: Mapping[str, str | list[str]]
    buttons: tuple[tuple[str, str, str], ...] = ()


async def enqueue(s: AsyncSession, letters: list[Letter], due_at: datetime) -> int:
    """Insert letters whose key is new; returns how many were new."""
    if not letters:
        return 0
    rows = [
        {
            "key": x.key[:120], "community_id": x.community_id, "kind": x.kind,
            "target_kind": x.target_kind, "target": x.target, "template": x.template,
            "params": x.params, "mentions": dict(x.mentions),
            "buttons": [list(b) for b in x.buttons], "due_at": due_at, "attempts": 0,
        }
        for x in letters
    ]  # fmt: skip
    dialect = s.bind.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(Outbox).values(rows).on_conflict_do_nothing(index_elements=["key"])
    result = await s.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


class Postman:
    """Delivers due outbox rows through the platforms."""

    def __init__(self, ctx: Context, *, concurrency: int = 20) -> None:
        self.ctx = ctx
        self.instance = uuid.uuid4().hex[:12]
        self.concurrency = concurrency

    async def claim(self, limit: int = 100) -> list[int]:
        """Take up to `limit` due rows for this instance (skipping rows others hold)."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            due = (
                select(col(Outbox.id))
                .where(
                    col(Outbox.sent_at).is_(None),
                    col(Outbox.due_at) <= now,
                    col(Outbox.attempts) < MAX_ATTEMPTS,
                    or_(col(Outbox.claimed_at).is_(None), col(Outbox.claimed_at) < now - LEASE),
                )
                .order_by(col(Outbox.due_at))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = [int(i) for i in (await s.execute(due)).scalars() if i is not None]
            if not ids:
                return []
            claimed = await s.execute(
                update(Outbox)
                .where(
                    col(Outbox.id).in_(ids),
                    col(Outbox.sent_at).is_(None),
                    or_(col(Outbox.claimed_at).is_(None), col(Outbox.claimed_at) < now - LEASE),
                )
                .values(claimed_at=now, claimed_by=self.instance, attempts=Outbox.attempts + 1)
                .returning(col(Outbox.id))
            )
            return [int(i) for i in claimed.scalars() if i is not None]

    async def deliver(self, limit: int = 250) -> int:
        """Claim and send one batch; returns how many were sent."""
        ids = await self.claim(limit)
        if not ids:
            return 0
        slots = asyncio.Semaphore(self.concurrency)

        async def one(outbox_id: int) -> bool:
            async with slots:
                return await self.send(outbox_id)

        return sum(await asyncio.gather(*(one(i) for i in ids)))

    async def drain(self, limit: int = 250) -> int:
        """Deliver batches until nothing is due."""
        total = 0
        while sent := await self.deliver(limit):
            total += sent
        return total

    async def send(self, outbox_id: int) -> bool:
        """Send one claimed row and mark it sent; a failure leaves it for a later retry."""
        async with self.ctx.db() as s:
            row = await s.get(Outbox, outbox_id)
            if row is None or row.sent_at is not None or row.claimed_by != self.instance:
                return False
            community = await s.get(Community, row.community_id)
            member = await s.get(Member, int(row.target)) if row.target_kind == "member" else None
            assert community is not None
        if member is not None and (
            member.platform_user_id.startswith("deleted:") or member.consent_withdrawn_at
        ):
            await self._mark_sent(outbox_id)  # deleted their data or withdrew consent meanwhile
            return False
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        locale = self.ctx.locale_of(member, community)
        users: dict[str, list[str]] = {
            name: [uid] if isinstance(uid, str) else list(uid)
            for name, uid in (row.mentions or {}).items()
        }
        mentions = {
            name: ", ".join(platform.mention(u) for u in uids) for name, uids in users.items()
        }
        params = {
            name.removesuffix("_key") if name.endswith("_key") else name:
                t(locale, value) if name.endswith("_key") else value
            for name, value in (row.params or {}).items()
        }  # fmt: skip
        if member is not None:
            params.setdefault("name", member.display_name)
        message = Message(
            t(locale, row.template, **{**params, **mentions}),
            buttons=tuple(Button(t(locale, label), action, style)
                          for label, action, style in row.buttons or []),
            mentions=tuple(u for uids in users.values() for u in uids),
        )  # fmt: skip
        try:
            if row.target_kind == "member" and member is not None:
                await platform.send_to_member(ref, member.platform_user_id, message, key=row.key)
            elif row.target_kind == "space":
                await platform.post_in_space(ref, row.target, message, key=row.key)
            elif row.target_kind == "channel":
                await platform.send_to_channel(ref, row.target, message, key=row.key)
            if row.kind == "badge" and hasattr(platform, "grant_badge"):
                await platform.grant_badge(ref, users["member"][0], str(row.params.get("badge_id")))
        except Exception:
            log.exception("delivery of %s failed (attempt %s); it will be retried", row.key,
                          row.attempts)  # fmt: skip
            return False
        await self._mark_sent(outbox_id)
        return True

    async def _mark_sent(self, outbox_id: int) -> None:
        async with self.ctx.db.begin() as s:
            await s.execute(
                update(Outbox)
                .where(col(Outbox.id) == outbox_id, col(Outbox.claimed_by) == self.instance)
                .values(sent_at=self.ctx.clock.now())
            )
