"""A member's own data: consent, export of everything stored about them, deletion, retention."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.core.action import ACCEPT, Action, Args
from bot.core.clock import as_utc
from bot.core.context import Actor, Context
from bot.core.errors import NotFound
from bot.core.i18n import t
from bot.core.ports import Message
from storage.db import Tx
from storage.models import Member
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo
from storage.repositories import pairs as pair_repo
from storage.repositories import privacy as repo

if TYPE_CHECKING:
    from bot.core.services import Services

DELETED_NAME = "deleted member"
OPEN = ("open", "offered", "waitlisted")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _plain_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


class PrivacyService:
    """Self-serve data rights."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _member(self, tx: Tx, actor: Actor) -> Member:
        community = await member_repo.get_community(
            tx, platform=actor.platform, external_id=actor.community
        )
        member = (
            await member_repo.get_member(tx, community_id=community.id or 0, user_id=actor.user_id)
            if community
            else None
        )
        if member is None:
            raise NotFound("privacy.nothing_stored")
        return member

    async def set_consent(self, actor: Actor, given: bool) -> None:
        """Give or withdraw consent to DMs and check-ins; withdrawing also pauses mentoring."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as tx:
            _, member = await self.ctx.resolve(tx, actor)
            member.consent_withdrawn_at = None if given else now
            if given:
                member.consent_at = member.consent_at or now
            profile = await mentor_repo.get_profile(tx, member_id=member.id or 0)
            if profile is not None and not given:
                profile.status, profile.paused_until = "paused", None

    async def export(self, actor: Actor) -> bytes:
        """Every row that references the member, directly or through their pairs, as JSON."""
        async with self.ctx.db() as tx:
            member = await self._member(tx, actor)
            mid = member.id or 0
            data: dict[str, Any] = {
                "member": {k: _plain(v) for k, v in member.model_dump().items()}
            }
            for name, rows in (await repo.rows_referencing(tx, member_id=mid)).items():
                data[name] = _plain_rows(rows)
            profile = await mentor_repo.get_profile(tx, member_id=mid)
            pair_ids = [p["id"] for p in data.get("pairs", [])]
            request_ids = [r["id"] for r in data.get("mentor_requests", [])]
            mentor_id = profile.id if profile else None
            offers = await repo.offer_rows(tx, mentor_id=mentor_id, request_ids=request_ids)
            data["request_offers"] = _plain_rows(offers)
            data["checkins"] = _plain_rows(await repo.checkin_rows(tx, pair_ids=pair_ids))
            data["pair_goals"] = _plain_rows(await repo.goal_rows(tx, pair_ids=pair_ids))
            data["scheduled_messages"] = _plain_rows(await repo.scheduled_rows(tx, member_id=mid))
        return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()

    async def delete(self, actor: Actor) -> None:
        """Remove the member's identity and personal content; partners keep a placeholder."""
        async with self.ctx.db.begin() as tx:
            member = await self._member(tx, actor)
            await self._erase(tx, member)

    async def forget_departed(self, limit: int = 200) -> int:
        """Erase members who left the community longer ago than its `retention`."""
        now = self.ctx.clock.now()
        erased = 0
        async with self.ctx.db() as tx:
            candidates = await repo.departed_member_ids(tx, limit=limit)
        for member_id in candidates:
            async with self.ctx.db.begin() as tx:
                fresh = await member_repo.get_member_by_id(tx, member_id=member_id)
                assert fresh is not None
                owner = await member_repo.get_community_by_id(tx, community_id=fresh.community_id)
                assert owner is not None
                left = as_utc(fresh.left_at)
                if left is None or left > now - self.ctx.programme_for(owner).retention:
                    continue
                await self._erase(tx, fresh)
                erased += 1
        return erased

    async def _erase(self, tx: Tx, member: Member) -> None:
        now = self.ctx.clock.now()
        mid = member.id or 0
        profile = await mentor_repo.get_profile(tx, member_id=mid)
        for pair in await pair_repo.active_pairs_of(tx, member_id=mid):
            pair.status, pair.ended_at = "ended", now
            if pair.mentor_id is not None:
                await mentor_repo.release_capacity(tx, mentor_id=pair.mentor_id)
        await repo.scrub_requests(tx, mentee_id=mid, cancel=OPEN)
        if profile is not None:
            await repo.scrub_offers_to(tx, mentor_id=profile.id or 0, now=now)
            profile.status, profile.skills, profile.languages = "removed", [], []
            profile.timezone, profile.approved = None, False
        await repo.scrub_writing(tx, member_id=mid)
        # Group mentoring: no RSVPs, no tandem offers, no pending introductions.
        await repo.leave_groups(tx, member_id=mid)
        await repo.delete_scheduled(tx, member_id=mid, user_id=member.platform_user_id)
        member.platform_user_id = f"deleted:{uuid.uuid4().hex}"
        member.display_name = DELETED_NAME
        member.timezone, member.locale, member.languages = None, None, []
        member.interests, member.goals, member.bio = [], "", ""
        member.consent_at, member.left_at = None, member.left_at or now


async def _on_delete(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    await services.privacy.delete(actor)
    return [Message(t(locale, "privacy.deleted"))]


PRIVACY_DELETE = Action(
    "privacy:delete:confirm", _on_delete, slow=True, command="my-data delete confirm", emoji=ACCEPT
)
