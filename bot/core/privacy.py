"""A member's own data: export everything stored about them, or delete it."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from bot.core.context import Actor, Context
from bot.core.errors import NotFound
from storage.models import (
    Activity,
    AuditLog,
    Badge,
    CheckIn,
    Feedback,
    Goal,
    GroupMember,
    Kudos,
    Member,
    MentorRequest,
    Pair,
    RequestOffer,
)  # fmt: skip
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo

DELETED_NAME = "deleted member"


def _row(obj: SQLModel) -> dict[str, Any]:
    data = obj.model_dump()
    return {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in data.items()}


async def _all(s: AsyncSession, model: type[SQLModel], *where: Any) -> list[dict[str, Any]]:
    return [_row(r) for r in (await s.execute(select(model).where(*where))).scalars()]


class PrivacyService:
    """Self-serve data rights."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _member(self, s: AsyncSession, actor: Actor) -> Member:
        community = await member_repo.get_community(
            s, platform=actor.platform, external_id=actor.community
        )
        member = (
            await member_repo.get_member(s, community_id=community.id or 0, user_id=actor.user_id)
            if community
            else None
        )
        if member is None:
            raise NotFound("privacy.nothing_stored")
        return member

    async def export(self, actor: Actor) -> bytes:
        """Every row that references the member, as UTF-8 JSON."""
        async with self.ctx.db() as s:
            member = await self._member(s, actor)
            mid = member.id
            profile = await mentor_repo.get_profile(s, member_id=mid or 0)
            pid = profile.id if profile else -1
            pairs = await _all(
                s, Pair, or_(col(Pair.mentee_id) == mid, col(Pair.mentor_member_id) == mid)
            )
            pair_ids = [p["id"] for p in pairs]
            requests = await _all(s, MentorRequest, col(MentorRequest.mentee_id) == mid)
            data = {
                "member": _row(member),
                "mentor_profile": _row(profile) if profile else None,
                "requests": requests,
                "offers_received": await _all(s, RequestOffer, col(RequestOffer.mentor_id) == pid),
                "offers_for_my_requests": await _all(
                    s, RequestOffer, col(RequestOffer.request_id).in_([r["id"] for r in requests])
                ),
                "pairs": pairs,
                "checkins": await _all(s, CheckIn, col(CheckIn.pair_id).in_(pair_ids)),
                "goals": await _all(s, Goal, col(Goal.pair_id).in_(pair_ids)),
                "feedback": await _all(s, Feedback, col(Feedback.member_id) == mid),
                "thanks_given": await _all(s, Kudos, col(Kudos.from_member_id) == mid),
                "thanks_received": await _all(s, Kudos, col(Kudos.to_member_id) == mid),
                "badges": await _all(s, Badge, col(Badge.member_id) == mid),
                "groups": await _all(s, GroupMember, col(GroupMember.member_id) == mid),
                "activity": await _all(s, Activity, col(Activity.member_id) == mid),
                "moderator_actions": await _all(s, AuditLog, col(AuditLog.actor_id) == mid),
            }
        return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()

    async def delete(self, actor: Actor) -> None:
        """Remove the member's identity and personal content; partners keep a placeholder."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            member = await self._member(s, actor)
            mid = member.id or 0
            profile = await mentor_repo.get_profile(s, member_id=mid)
            active = (
                await s.execute(
                    select(Pair).where(
                        col(Pair.status) == "active",
                        or_(col(Pair.mentee_id) == mid, col(Pair.mentor_member_id) == mid),
                    )
                )
            ).scalars()
            for pair in active:
                pair.status, pair.ended_at = "ended", now
                if pair.mentor_id is not None:
                    await mentor_repo.release_capacity(s, pair.mentor_id)
            await s.execute(
                update(MentorRequest)
                .where(
                    col(MentorRequest.mentee_id) == mid,
                    col(MentorRequest.status).in_(("open", "offered", "waitlisted")),
                )
                .values(status="cancelled", note="", topic="")
            )
            await s.execute(update(MentorRequest).where(col(MentorRequest.mentee_id) == mid)
                            .values(note="", topic=""))  # fmt: skip
            if profile is not None:
                await s.execute(
                    update(RequestOffer)
                    .where(col(RequestOffer.mentor_id) == profile.id,
                           col(RequestOffer.status) == "pending")
                    .values(status="declined", answered_at=now)
                )  # fmt: skip
                profile.status, profile.skills, profile.languages = "removed", [], []
                profile.timezone, profile.approved = None, False
            mine = select(col(MentorRequest.id)).where(col(MentorRequest.mentee_id) == mid)
            await s.execute(
                update(RequestOffer)
                .where(col(RequestOffer.request_id).in_(mine))
                .values(reasons="")
            )
            await s.execute(
                update(Feedback).where(col(Feedback.member_id) == mid).values(comment="")
            )
            await s.execute(
                update(Kudos).where(col(Kudos.from_member_id) == mid).values(message="")
            )
            await s.execute(update(Goal).where(col(Goal.created_by) == mid).values(created_by=None))
            member.platform_user_id = f"deleted:{uuid.uuid4().hex}"
            member.display_name = DELETED_NAME
            member.timezone, member.locale, member.languages = None, None, []
            member.interests, member.goals, member.bio = [], "", ""
            member.consent_at, member.left_at = None, now
