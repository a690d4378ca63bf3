"""Moderator tools: approve or remove mentors, reassign, end pairs, open requests, CSV export.

Every action is checked (front-ends say whether the actor is a moderator) and written to the
audit log with internal ids only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.context import Actor, Context
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.i18n import t
from bot.core.pairs import PairService
from bot.core.ports import Message
from storage.models import AuditLog, Community, Feedback, Member, MentorProfile, MentorRequest, Pair
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo


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
        self, s: AsyncSession, actor: Actor, moderator: bool, action: str, target: str
    ) -> tuple[Community, AuditLog]:
        """Refuse non-moderators; otherwise log the action (internal ids only)."""
        if not moderator:
            raise NotAllowed("mod.not_allowed")
        community, member = await self.ctx.resolve(s, actor)
        audit = AuditLog(community_id=community.id or 0, actor_id=member.id, action=action,
                         target=target[:255], created_at=self.ctx.clock.now())  # fmt: skip
        s.add(audit)
        return community, audit

    async def _mentor(self, s: AsyncSession, community: Community, who: str) -> MentorProfile:
        member = await member_repo.find_member_by_name(s, community_id=community.id or 0, name=who)
        profile = await mentor_repo.get_profile(s, member_id=member.id or 0) if member else None
        if profile is None:
            raise NotFound("mod.no_such_mentor", name=who[:64])
        return profile

    async def approve(self, actor: Actor, who: str, *, moderator: bool) -> str:
        """Let a mentor who signed up under `mentor_approval` receive requests."""
        async with self.ctx.db.begin() as s:
            community, audit = await self._start(s, actor, moderator, "approve_mentor", "")
            profile = await self._mentor(s, community, who)
            profile.approved, profile.status = True, "available"
            audit.target = f"member:{profile.member_id}"
            mentor = await s.get(Member, profile.member_id)
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
            mentor = await s.get(Member, profile.member_id)
            assert mentor is not None
            return mentor.display_name

    async def end_pair(self, actor: Actor, pair_id: int, *, moderator: bool) -> None:
        """End a pair on behalf of the partners."""
        async with self.ctx.db.begin() as s:
            community, _ = await self._start(s, actor, moderator, "end_pair", f"pair:{pair_id}")
            pair = await s.get(Pair, pair_id)
            if pair is None or pair.community_id != community.id:
                raise NotFound("pair.unknown")
            if pair.status != "active":
                raise Conflict("pair.already_ended")
            pair.status, pair.ended_at = "ended", self.ctx.clock.now()
            if pair.mentor_id is not None:
                await mentor_repo.release_capacity(s, pair.mentor_id)
        if pair.space_ref:
            ref = self.ctx.ref(community)
            text = t(self.ctx.locale_of(None, community), "mod.pair_ended_by_moderator")
            await self.ctx.platform(ref.platform).post_in_space(ref, pair.space_ref, Message(text))

    async def reassign(self, actor: Actor, pair_id: int, who: str, *, moderator: bool) -> int:
        """Give the pair's mentee a new mentor: the old pair ends, a new one opens."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, _ = await self._start(s, actor, moderator, "reassign", f"pair:{pair_id}")
            old = await s.get(Pair, pair_id)
            if old is None or old.community_id != community.id:
                raise NotFound("pair.unknown")
            profile = await self._mentor(s, community, who)
            if profile.member_id == old.mentee_id:
                raise Conflict("mod.same_person")
            if not await mentor_repo.claim_capacity(s, profile.id or 0):
                raise Conflict("offer.at_capacity")
            if old.status == "active":
                old.status, old.ended_at = "ended", now
                if old.mentor_id is not None:
                    await mentor_repo.release_capacity(s, old.mentor_id)
            request = await s.get(MentorRequest, old.request_id) if old.request_id else None
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
            rows = (await s.execute(
                select(MentorRequest, Member)
                .join(Member, col(Member.id) == col(MentorRequest.mentee_id))
                .where(col(MentorRequest.community_id) == community.id,
                       col(MentorRequest.status).in_(("open", "offered", "waitlisted")))
                .order_by(col(MentorRequest.id)).limit(50))).all()  # fmt: skip
        return [OpenRequest(r.id or 0, m.display_name, r.topic, r.status, r.created_at)
                for r, m in rows]  # fmt: skip

    async def export_csv(self, actor: Actor, *, moderator: bool) -> bytes:
        """Every pair of the community as CSV (ids, names, status, dates, average rating)."""
        async with self.ctx.db.begin() as s:
            community, _ = await self._start(s, actor, moderator, "export_programme", "")
            ratings = (
                select(col(Feedback.pair_id), func.avg(Feedback.rating).label("rating"))
                .group_by(col(Feedback.pair_id)).subquery()
            )  # fmt: skip
            mentee, mentor = Member.__table__.alias("mentee"), Member.__table__.alias("mentor")  # type: ignore[attr-defined]
            rows = (await s.execute(
                select(col(Pair.id), col(Pair.kind), mentee.c.display_name, mentor.c.display_name,
                       col(Pair.status), col(Pair.started_at), col(Pair.ended_at), ratings.c.rating)
                .join(mentee, mentee.c.id == col(Pair.mentee_id))
                .join(mentor, mentor.c.id == col(Pair.mentor_member_id))
                .outerjoin(ratings, ratings.c.pair_id == col(Pair.id))
                .where(col(Pair.community_id) == community.id)
                .order_by(col(Pair.id)))).all()  # fmt: skip
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["pair_id", "kind", "mentee", "mentor", "status", "started_at",
                         "ended_at", "average_rating"])  # fmt: skip
        for pid, kind, mentee_name, mentor_name, status, started, ended, rating in rows:
            writer.writerow([pid, kind, mentee_name, mentor_name, status,
                             started.isoformat() if started else "",
                             ended.isoformat() if ended else "",
                             f"{rating:.2f}" if rating is not None else ""])  # fmt: skip
        return out.getvalue().encode()
