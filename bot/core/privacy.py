"""A member's own data: consent, export of everything stored about them, deletion, retention."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Table, and_, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from bot.core.clock import as_utc
from bot.core.context import Actor, Context
from bot.core.errors import NotFound
from storage.models import (
    CheckIn,
    Community,
    Feedback,
    Goal,
    Kudos,
    Member,
    MentorRequest,
    Outbox,
    Pair,
    RequestOffer,
    Rsvp,
    TandemIntro,
    TandemProfile,
)
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo

DELETED_NAME = "deleted member"
OPEN = ("open", "offered", "waitlisted")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def member_tables() -> list[tuple[Table, list[str]]]:
    """Every table with a column that references members.id, and those columns."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [
            c.name for c in table.columns
            if any(fk.column.table.name == "members" for fk in c.foreign_keys)
        ]  # fmt: skip
        if columns and table.name != "members":
            found.append((table, columns))
    return found


async def _rows(s: AsyncSession, table: Table, *where: Any) -> list[dict[str, Any]]:
    result = await s.execute(select(table).where(*where))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]


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

    async def set_consent(self, actor: Actor, given: bool) -> None:
        """Give or withdraw consent to DMs and check-ins; withdrawing also pauses mentoring."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            member.consent_withdrawn_at = None if given else now
            if given:
                member.consent_at = member.consent_at or now
            profile = await mentor_repo.get_profile(s, member_id=member.id or 0)
            if profile is not None and not given:
                profile.status, profile.paused_until = "paused", None

    async def export(self, actor: Actor) -> bytes:
        """Every row that references the member, directly or through their pairs, as JSON."""
        async with self.ctx.db() as s:
            member = await self._member(s, actor)
            mid = member.id
            data: dict[str, Any] = {
                "member": {k: _plain(v) for k, v in member.model_dump().items()}
            }
            for table, columns in member_tables():
                data[table.name] = await _rows(
                    s, table, or_(*(table.c[c] == mid for c in columns))
                )  # fmt: skip
            profile = await mentor_repo.get_profile(s, member_id=mid or 0)
            pair_ids = [p["id"] for p in data.get("pairs", [])]
            request_ids = [r["id"] for r in data.get("mentor_requests", [])]
            offers = RequestOffer.__table__  # type: ignore[attr-defined]
            data["request_offers"] = await _rows(s, offers, or_(
                offers.c.mentor_id == (profile.id if profile else -1),
                offers.c.request_id.in_(request_ids)))  # fmt: skip
            checkins: Table = CheckIn.__table__  # type: ignore[attr-defined]
            goals: Table = Goal.__table__  # type: ignore[attr-defined]
            data["checkins"] = await _rows(s, checkins, checkins.c.pair_id.in_(pair_ids))
            data["pair_goals"] = await _rows(s, goals, goals.c.pair_id.in_(pair_ids))
            box = Outbox.__table__  # type: ignore[attr-defined]
            data["scheduled_messages"] = await _rows(
                s, box, box.c.target_kind == "member", box.c.target == str(mid)
            )
        return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()

    async def delete(self, actor: Actor) -> None:
        """Remove the member's identity and personal content; partners keep a placeholder."""
        async with self.ctx.db.begin() as s:
            member = await self._member(s, actor)
            await self._erase(s, member)

    async def forget_departed(self, limit: int = 200) -> int:
        """Erase members who left the community longer ago than its `retention`."""
        now = self.ctx.clock.now()
        erased = 0
        async with self.ctx.db() as s:
            candidates = (await s.execute(
                select(Member).where(col(Member.left_at).is_not(None),
                                     ~col(Member.platform_user_id).startswith("deleted:"))
                .limit(limit))).scalars().all()  # fmt: skip
        for member in candidates:
            async with self.ctx.db.begin() as s:
                fresh = await s.get(Member, member.id)
                owner = await s.get(Community, member.community_id)
                assert fresh is not None and owner is not None
                left = as_utc(fresh.left_at)
                if left is None or left > now - self.ctx.programme_for(owner).retention:
                    continue
                await self._erase(s, fresh)
                erased += 1
        return erased

    async def _erase(self, s: AsyncSession, member: Member) -> None:
        now = self.ctx.clock.now()
        mid = member.id or 0
        uid = member.platform_user_id
        profile = await mentor_repo.get_profile(s, member_id=mid)
        mine_pairs = or_(col(Pair.mentee_id) == mid, col(Pair.mentor_member_id) == mid)
        active = (
            await s.execute(select(Pair).where(col(Pair.status) == "active", mine_pairs))
        ).scalars()
        for pair in active:
            pair.status, pair.ended_at = "ended", now
            if pair.mentor_id is not None:
                await mentor_repo.release_capacity(s, pair.mentor_id)
        mine = select(col(MentorRequest.id)).where(col(MentorRequest.mentee_id) == mid)
        await s.execute(update(MentorRequest).where(
            col(MentorRequest.mentee_id) == mid, col(MentorRequest.status).in_(OPEN))
            .values(status="cancelled"))  # fmt: skip
        await s.execute(update(MentorRequest).where(col(MentorRequest.mentee_id) == mid)
                        .values(note="", topic="", suggested_mentor_ids=[]))  # fmt: skip
        await s.execute(update(RequestOffer).where(col(RequestOffer.request_id).in_(mine))
                        .values(reasons="", message_ref=None))  # fmt: skip
        if profile is not None:
            await s.execute(update(RequestOffer).where(
                col(RequestOffer.mentor_id) == profile.id, col(RequestOffer.status) == "pending")
                .values(status="declined", answered_at=now))  # fmt: skip
            await s.execute(update(RequestOffer).where(col(RequestOffer.mentor_id) == profile.id)
                            .values(reasons="", message_ref=None))  # fmt: skip
            profile.status, profile.skills, profile.languages = "removed", [], []
            profile.timezone, profile.approved = None, False
        await s.execute(update(Feedback).where(col(Feedback.member_id) == mid).values(comment=""))
        await s.execute(update(Kudos).where(col(Kudos.from_member_id) == mid).values(message=""))
        await s.execute(
            update(Goal).where(col(Goal.created_by) == mid).values(created_by=None, title="")
        )
        # Group mentoring: no RSVPs, no tandem offers, no pending introductions.
        await s.execute(delete(Rsvp).where(col(Rsvp.member_id) == mid))
        await s.execute(update(TandemProfile).where(col(TandemProfile.member_id) == mid)
                        .values(offers=[], seeks=[], status="off"))  # fmt: skip
        await s.execute(update(TandemIntro).where(
            col(TandemIntro.status) == "proposed",
            or_(col(TandemIntro.first_id) == mid, col(TandemIntro.second_id) == mid),
        ).values(status="declined"))  # fmt: skip
        # Scheduled messages (sent or not) addressed to the member or naming them.
        await s.execute(delete(Outbox).where(or_(
            and_(col(Outbox.target_kind) == "member", col(Outbox.target) == str(mid)),
            cast(col(Outbox.mentions), String).contains(uid),
            cast(col(Outbox.params), String).contains(uid),
        )))  # fmt: skip
        member.platform_user_id = f"deleted:{uuid.uuid4().hex}"
        member.display_name = DELETED_NAME
        member.timezone, member.locale, member.languages = None, None, []
        member.interests, member.goals, member.bio = [], "", ""
        member.consent_at, member.left_at = None, member.left_at or now
