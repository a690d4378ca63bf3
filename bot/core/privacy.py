"""A member's own data: consent, export of everything stored about them, deletion, retention."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
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
from storage.repositories import groups as group_repo
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo
from storage.repositories import pairs as pair_repo
from storage.repositories import privacy as repo

if TYPE_CHECKING:
    from bot.core.services import Services

DELETED_NAME = "deleted member"
ERASED = "—"  # what an erased goal title or group name/topic reads, in every language
OPEN = ("open", "offered", "waitlisted")


@dataclass(frozen=True)
class Erased:
    """What deleting a member's data removed or anonymised, by kind (one community only)."""

    profile: int = 0
    mentor_profile: int = 0
    requests: int = 0
    pairs_ended: int = 0
    goals: int = 0
    feedback: int = 0
    thanks: int = 0
    tandem: int = 0
    rsvps: int = 0
    groups_left: int = 0
    groups_created: int = 0
    messages: int = 0

    def lines(self, locale: str) -> list[str]:
        """'• mentoring requests (topics and notes): 2' for every kind that had something."""
        return [
            t(locale, f"privacy.erased.{kind}", count=count)
            for kind, count in asdict(self).items()
            if count
        ]


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
        return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()

    async def delete(self, actor: Actor) -> Erased:
        """Remove the member's identity and what they wrote in the actor's community only;
        partners keep a placeholder, other members' data and other communities are untouched."""
        async with self.ctx.db.begin() as tx:
            member = await self._member(tx, actor)
            return await self._erase(tx, member)

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

    async def _erase(self, tx: Tx, member: Member) -> Erased:
        now = self.ctx.clock.now()
        mid = member.id or 0
        profile = await mentor_repo.get_profile(tx, member_id=mid)
        ended = 0
        for pair in await pair_repo.active_pairs_of(tx, member_id=mid):
            pair.status, pair.ended_at = "ended", now
            ended += 1
            if pair.mentor_id is not None:
                await mentor_repo.release_capacity(tx, mentor_id=pair.mentor_id)
        requests = await repo.scrub_requests(tx, mentee_id=mid, cancel=OPEN)
        if profile is not None:
            await repo.scrub_offers_to(tx, mentor_id=profile.id or 0, now=now)
            profile.status, profile.skills, profile.languages = "removed", [], []
            profile.timezone, profile.approved = None, False
        # Memberships free their place (circles count everyone, cohorts their members).
        joined = await repo.memberships(tx, member_id=mid)
        for group_id, role, kind in joined:
            if kind == "circle" or role == "member":
                await group_repo.add_to_count(tx, group_id=group_id, by=-1)
        await repo.delete_memberships(tx, member_id=mid)
        # Groups they created stay for the others, without their name, topic or creator;
        # a series of office hours has no host any more and ends.
        created = await repo.groups_created_by(tx, member_id=mid)
        for group in created:
            group.name, group.topic, group.owner_id = ERASED, ERASED, None
            if group.kind == "office_hours" and group.status == "open":
                group.status, group.next_at = "cancelled", None
        erased = Erased(
            profile=1,
            mentor_profile=int(profile is not None),
            requests=requests,
            pairs_ended=ended,
            goals=await repo.erase_goals(tx, member_id=mid, placeholder=ERASED),
            feedback=await repo.erase_feedback(tx, member_id=mid),
            thanks=await repo.erase_thanks(tx, member_id=mid),
            tandem=await repo.erase_tandem(tx, member_id=mid),
            rsvps=await repo.delete_rsvps(tx, member_id=mid),
            groups_left=len(joined),
            groups_created=len(created),
            messages=await repo.delete_scheduled(
                tx, community_id=member.community_id, member_id=mid
            ),
        )
        member.platform_user_id = f"deleted:{uuid.uuid4().hex}"
        member.display_name = DELETED_NAME
        member.timezone, member.locale, member.languages = None, None, []
        member.interests, member.goals, member.bio = [], "", ""
        member.consent_at, member.left_at = None, member.left_at or now
        return erased


async def _on_delete(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    erased = await services.privacy.delete(actor)
    return [Message("\n".join([t(locale, "privacy.deleted"), *erased.lines(locale)]))]


PRIVACY_DELETE = Action(
    "privacy:delete:confirm", _on_delete, slow=True, command="my-data delete confirm", emoji=ACCEPT
)
