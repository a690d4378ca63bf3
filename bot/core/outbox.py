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

from bot.core.context import Context
from bot.core.i18n import USER_CLOSE, USER_OPEN, t, unmark, user
from bot.core.ports import Button, Message
from storage.db import Tx
from storage.repositories import outbox as repo

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Letter:
    """What a sweep wants sent (rendered at delivery, in the recipient's language).

    A param that is member-written text is given marked, as in a message
    (`{"name": user(group.name)}`); it is stored without marks and marked again at delivery.

    `recipient` is the member the letter is for when it is not a DM (a badge's holder); a DM's
    addressee is its target. Deleting a member's data removes the rows for them by this column.
    A letter about a `group` stores no copy of its name or topic: delivery reads them from the
    group, so a group whose creator deleted their data is shown anonymised.
    """

    key: str
    community_id: int
    kind: str
    target_kind: str  # member | space | channel
    target: str
    template: str
    params: dict[str, Any]
    mentions: Mapping[str, str | list[str]]
    buttons: tuple[tuple[str, str, str], ...] = ()
    recipient: int | None = None
    group: int | None = None


GROUP_PARAMS = ("name", "topic")  # read from the letter's group at delivery, never stored


def _recipient(letter: Letter) -> int | None:
    if letter.recipient is not None:
        return letter.recipient
    return int(letter.target) if letter.target_kind == "member" else None


async def enqueue(tx: Tx, letters: list[Letter], due_at: datetime) -> int:
    """Insert letters whose key is new; returns how many were new."""
    rows = [
        {
            "key": x.key[:120], "community_id": x.community_id, "kind": x.kind,
            "target_kind": x.target_kind, "target": x.target, "template": x.template,
            "params": {name: _stored(value) for name, value in x.params.items()
                       if x.group is None or name not in GROUP_PARAMS},
            "mentions": dict(x.mentions), "recipient_member_id": _recipient(x),
            "group_id": x.group,
            "buttons": [list(b) for b in x.buttons], "due_at": due_at, "attempts": 0,
        }
        for x in letters
    ]  # fmt: skip
    return await repo.add_letters(tx, rows=rows)


_USER = "user"  # a stored param {"user": text} is member-written text


def _stored(value: Any) -> Any:
    """A param as stored: member text as {"user": text}, never with marks."""
    if not isinstance(value, str) or not (USER_OPEN in value or USER_CLOSE in value):
        return value
    inner = value[1:-1]
    whole = value[:1] == USER_OPEN and value[-1:] == USER_CLOSE and inner == unmark(inner)
    return {_USER: inner} if whole else unmark(value)


def _shown(value: Any) -> Any:
    """A stored param as a message takes it: member text marked again."""
    if isinstance(value, dict) and set(value) == {_USER}:
        return user(value[_USER])
    return value


class Postman:
    """Delivers due outbox rows through the platforms."""

    def __init__(self, ctx: Context, *, concurrency: int = 20) -> None:
        self.ctx = ctx
        self.instance = uuid.uuid4().hex[:12]
        self.concurrency = concurrency

    async def claim(self, limit: int = 100) -> list[int]:
        """Take up to `limit` due rows for this instance (skipping rows others hold)."""
        async with self.ctx.db.begin() as tx:
            return await repo.claim_due(
                tx, now=self.ctx.clock.now(), instance=self.instance, lease=LEASE,
                max_attempts=MAX_ATTEMPTS, limit=limit,
            )  # fmt: skip

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
        async with self.ctx.db() as tx:
            found = await repo.get_delivery(tx, outbox_id=outbox_id)
        if found is None:
            return False
        row, community, member = found.row, found.community, found.member
        if row.sent_at is not None or row.claimed_by != self.instance:
            return False
        users: dict[str, list[str]] = {
            name: [uid] if isinstance(uid, str) else list(uid)
            for name, uid in (row.mentions or {}).items()
        }
        erased = found.recipient is not None and found.recipient.platform_user_id.startswith(
            "deleted:"
        )
        holder_gone = row.kind == "badge" and not set(users.get("member", [])) <= found.present
        if erased or holder_gone or (member is not None and member.consent_withdrawn_at):
            await self._mark_sent(outbox_id)  # deleted their data or withdrew consent meanwhile
            return False
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        locale = self.ctx.locale_of(member, community)
        # Someone who deleted their data since the row was queued is neither named nor pinged.
        gone = t(locale, "privacy.former_member")
        users = {name: [u for u in uids if u in found.present] for name, uids in users.items()}
        mentions = {
            name: ", ".join(platform.mention(u) for u in uids) or gone
            for name, uids in users.items()
        }
        params = {
            name.removesuffix("_key") if name.endswith("_key") else name:
                t(locale, value) if name.endswith("_key") else _shown(value)
            for name, value in (row.params or {}).items()
        }  # fmt: skip
        if found.group is not None:
            params.update(name=user(found.group.name), topic=user(found.group.topic))
        if member is not None:
            params.setdefault("name", user(member.display_name))
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
        async with self.ctx.db.begin() as tx:
            await repo.mark_sent(
                tx, outbox_id=outbox_id, instance=self.instance, now=self.ctx.clock.now()
            )
