"""Moderator tools: approve or remove mentors, reassign, end pairs, open requests, CSV export.

Every action is checked (front-ends say whether the actor is a moderator) and written to the
audit log with internal ids only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from bot.core.context import Actor, Context
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.i18n import t, user
from bot.core.pairs import PairService
from bot.core.ports import Message
from storage.db import Tx
from storage.models import AuditLog, Community, MentorProfile, MentorRequest
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo
from storage.repositories import moderation as moderation_repo
from storage.repositories import pairs as pair_repo
from storage.repositories import requests as request_repo


@dataclass(frozen=True)
class OpenRequest:
    """A request still waiting, as moderators see it."""

    id: int
    mentee: str
    topic: str
    status: str
    since: datetime | None


class ModerationService:
    """What moderators can do from chat."""

    def __init__(self, ctx: Context, pairs: PairService) -> None:
        self.ctx = ctx
        self.pairs = pairs

    async def _start(
        self, s: Tx, actor: Actor, moderator: bool, action: str, target: str
    ) -> tuple[Community, AuditLog]:
        """Refuse non-moderators; otherwise log the action (internal ids only)."""
        if not moderator:
            raise NotAllowed("mod.not_allowed")
        community, member = await self.ctx.resolve(s, actor)
        audit = AuditLog(community_id=community.id or 0, actor_id=member.id, action=action,
                         target=target[:255], created_at=self.ctx.clock.now())  # fmt: skip
        s.add(audit)
        return community, audit

    async def _mentor(self, s: Tx, community: Community, who: str) -> MentorProfile:
        member = await member_repo.find_member_by_name(s, community_id=community.id or 0, name=who)
        profile = await mentor_repo.get_profile(s, member_id=member.id or 0) if member else None
        if profile is None:
            raise NotFound("mod.no_such_mentor", name=user(who[:64]))
        return profile

    async def approve(self, actor: Actor, who: str, *, moderator: bool) -> str:
        """Let a mentor who signed up under `mentor_approval` receive requests."""
        async with self.ctx.db.begin() as s:
            community, audit = await self._start(s, actor, moderator, "approve_mentor", "")
            profile = await self._mentor(s, community, who)
            profile.approved, profile.status = True, "available"
            audit.target = f"member:{profile.member_id}"
            mentor = await member_repo.get_member_by_id(s, member_id=profile.member_id)
            assert mentor is not None
        await self.ctx.tell(self.ctx.ref(community), mentor, "mod.approved_dm")
        return mentor.display_name

    async def remove(self, actor: Actor, who: str, *, moderator: bool) -> str:
        """Take a mentor out of matching (their current pairs continue until reassigned)."""
        async with self.ctx.db.begin() as s:
            community, audit = await self._start(s, actor, moderator, "remove_mentor", "")
            profile = await self._mentor(s, community, who)
            profile.approved, profile.status = False, "removed"
            audit.target = f"member:{profile.member_id}"
            mentor = await member_repo.get_member_by_id(s, member_id=profile.member_id)
            assert mentor is not None
            return mentor.display_name

    async def end_pair(self, actor: Actor, pair_id: int, *, moderator: bool) -> None:
        """End a pair on behalf of the partners."""
        async with self.ctx.db.begin() as s:
            community, _ = await self._start(s, actor, moderator, "end_pair", f"pair:{pair_id}")
            pair = await pair_repo.get_pair(s, pair_id=pair_id)
            if pair is None or pair.community_id != community.id:
                raise NotFound("pair.unknown")
            if pair.status != "active":
                raise Conflict("pair.already_ended")
            pair.status, pair.ended_at = "ended", self.ctx.clock.now()
            if pair.mentor_id is not None:
                await mentor_repo.release_capacity(s, mentor_id=pair.mentor_id)
        if pair.space_ref:
            ref = self.ctx.ref(community)
            text = t(self.ctx.locale_of(None, community), "mod.pair_ended_by_moderator")
            await self.ctx.platform(ref.platform).post_in_space(ref, pair.space_ref, Message(text))

    async def reassign(self, actor: Actor, pair_id: int, who: str, *, moderator: bool) -> int:
        """Give the pair's mentee a new mentor: the old pair ends, a new one opens."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, _ = await self._start(s, actor, moderator, "reassign", f"pair:{pair_id}")
            old = await pair_repo.get_pair(s, pair_id=pair_id)
            if old is None or old.community_id != community.id:
                raise NotFound("pair.unknown")
            profile = await self._mentor(s, community, who)
            if profile.member_id == old.mentee_id:
                raise Conflict("mod.same_person")
            if not await mentor_repo.claim_capacity(s, mentor_id=profile.id or 0):
                raise Conflict("offer.at_capacity")
            if old.status == "active":
                old.status, old.ended_at = "ended", now
                if old.mentor_id is not None:
                    await mentor_repo.release_capacity(s, mentor_id=old.mentor_id)
            request = (
                await request_repo.get_request(s, request_id=old.request_id)
                if old.request_id
                else None
            )
            if request is None:
                request = MentorRequest(
                    community_id=community.id or 0, mentee_id=old.mentee_id,
                    status="accepted", created_at=now, accepted_at=now,
                )  # fmt: skip
                s.add(request)
                await s.flush()
            new = await self.pairs.create(s, request, profile)
            profile.total_mentees += 1
        await self.pairs.open_space(new.id or 0)
        return new.id or 0

    async def open_requests(self, actor: Actor, *, moderator: bool) -> list[OpenRequest]:
        """Requests still waiting (open, offered, waitlisted), oldest first."""
        async with self.ctx.db.begin() as s:
            community, _ = await self._start(s, actor, moderator, "list_requests", "")
            rows = await request_repo.waiting_requests(s, community_id=community.id or 0)
        return [OpenRequest(r.id or 0, mentee, r.topic, r.status, r.created_at)
                for r, mentee in rows]  # fmt: skip

    async def export_csv(self, actor: Actor, *, moderator: bool) -> bytes:
        """Every pair of the community as CSV (ids, names, status, dates, average rating)."""
        async with self.ctx.db.begin() as s:
            community, _ = await self._start(s, actor, moderator, "export_programme", "")
            rows = await moderation_repo.export_rows(s, community_id=community.id or 0)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["pair_id", "kind", "mentee", "mentor", "status", "started_at",
                         "ended_at", "average_rating"])  # fmt: skip
        for row in rows:
            started, ended, rating = row.started_at, row.ended_at, row.average_rating
            writer.writerow([row.pair_id, row.kind, row.mentee, row.mentor, row.status,
                             started.isoformat() if started else "",
                             ended.isoformat() if ended else "",
                             f"{rating:.2f}" if rating is not None else ""])  # fmt: skip
        return out.getvalue().encode()
