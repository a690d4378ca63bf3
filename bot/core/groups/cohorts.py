"""Cohorts: newcomers led by experienced members, a private group space, check-ins, feedback."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.action import Action, Args
from bot.core.clock import as_utc
from bot.core.context import Actor, Context, check_length, clean_name
from bot.core.errors import Conflict, InvalidInput, NotAllowed
from bot.core.groups import (
    MAX_NAME,
    GroupView,
    Joined,
    find_group,
    into_space,
    joined_message,
    member_by_handle,
    view_of,
)
from bot.core.i18n import t, user
from bot.core.inputs import is_digits
from bot.core.outbox import Letter, enqueue
from bot.core.ports import Message
from bot.core.spaces import add_to_space, announce, post, space_name
from bot.core.times import day_text, parse_when
from storage.models import Community, Feedback, Group, GroupMember
from storage.repositories import groups as group_repo

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger(__name__)

MAX_CAPACITY = 500
DEFAULT_CAPACITY = 10
ACTIVE = ("open", "running")


def _capacity(value: int | str | None) -> int:
    if value in (None, ""):
        return DEFAULT_CAPACITY
    text = str(value).strip()
    if not is_digits(text) or not 1 <= int(text) <= MAX_CAPACITY:
        raise InvalidInput("cohort.bad_capacity", value=user(text[:10]), limit=MAX_CAPACITY)
    return int(text)


class CohortService:
    """Create, join, leave and list cohorts; the sweeps start, check in on and close them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ----- members and moderators ------------------------------------------------------------
    async def create(self, actor: Actor, name: str, *, leaders: Sequence[tuple[str, str]] = (),
                     capacity: int | str | None = None, start: str = "", end: str = "",
                     moderator: bool = False) -> GroupView:  # fmt: skip
        """A moderator opens a cohort (the creator leads when no leaders are named)."""
        if not moderator:
            raise NotAllowed("cohort.not_allowed")
        name = clean_name(check_length(name, MAX_NAME, "name"))
        if not name:
            raise InvalidInput("cohort.name_needed")
        places = _capacity(capacity)
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            assert community.id is not None
            starts = parse_when(start, now, member.timezone)
            ends = (parse_when(end, now, member.timezone, base=starts) if end.strip()
                    else starts + self.ctx.programme_for(community).program_length)  # fmt: skip
            if ends <= starts or ends <= now:
                raise InvalidInput("cohort.end_before_start")
            if await group_repo.name_taken(s, community_id=community.id, kind="cohort", name=name,
                                           statuses=ACTIVE):  # fmt: skip
                raise Conflict("cohort.exists", name=user(name))
            group = Group(community_id=community.id, kind="cohort", name=name,
                          owner_id=member.id, capacity=places, starts_at=starts, ends_at=ends,
                          created_at=now)  # fmt: skip
            s.add(group)
            await s.flush()
            people = [await member_by_handle(s, community.id, uid, shown, now)
                      for uid, shown in leaders] or [member]  # fmt: skip
            for leader in {p.id: p for p in people}.values():
                s.add(GroupMember(group_id=group.id or 0, member_id=leader.id or 0,
                                  role="leader", joined_at=now))  # fmt: skip
            uids = list(dict.fromkeys(p.platform_user_id for p in people))
        ref = self.ctx.ref(community)
        locale = self.ctx.locale_of(None, community)
        platform = self.ctx.platform(ref.platform)
        text = t(locale, "cohort.announce", name=user(name), places=places,
                 leaders=", ".join(platform.mention(u) for u in uids),
                 start=day_text(locale, starts, None),
                 end=day_text(locale, ends, None))  # fmt: skip
        button = COHORT_JOIN.button(t(locale, "button.join_cohort"), "primary", group=group.id)
        await announce(self.ctx, ref, Message(text, (button,), tuple(uids)))
        return view_of(group)

    async def join(self, actor: Actor, key: str | int) -> Joined:
        """Take a place; two people racing for the last one: exactly one gets it."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "cohort", key)
            if group.status not in ACTIVE:
                raise Conflict("cohort.ended", name=user(group.name))
            if await group_repo.membership(s, group_id=group.id or 0, member_id=member.id or 0):
                raise Conflict("cohort.already_member", name=user(group.name))
            if not await group_repo.claim_place(s, group_id=group.id or 0, statuses=ACTIVE):
                raise Conflict("cohort.full", name=user(group.name))
            s.add(GroupMember(group_id=group.id or 0, member_id=member.id or 0, role="member",
                              joined_at=now))  # fmt: skip
            member.consent_at = member.consent_at or now
            await s.flush()
            await group_repo.reload_group(s, group=group)
        return await into_space(self.ctx, self.ctx.ref(community), group, actor.user_id)

    async def leave(self, actor: Actor, key: str | int) -> GroupView:
        """Give a place back."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "cohort", key)
            mine = await group_repo.membership(s, group_id=group.id or 0, member_id=member.id or 0)
            if mine is None:
                raise Conflict("cohort.not_member", name=user(group.name))
            await group_repo.remove_member(s, group_id=group.id or 0, member_id=member.id or 0)
            if mine.role == "member":
                await group_repo.add_to_count(s, group_id=group.id or 0, by=-1)
        return view_of(group)

    async def list_cohorts(self, actor: Actor) -> list[GroupView]:
        """Cohorts that are enrolling or running, soonest first."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            groups = await group_repo.cohorts_in(s, community_id=community.id or 0,
                                                 statuses=ACTIVE, limit=25)  # fmt: skip
            mine = await group_repo.group_ids_of(s, member_id=member.id or 0)
        return [view_of(g, g.id in mine) for g in groups]

    async def feedback(self, actor: Actor, key: str | int, rating: int, comment: str = "") -> None:
        """A member's rating 1-5 and comment once the cohort has closed (a second replaces it)."""
        if not 1 <= rating <= 5:
            raise InvalidInput("error.rating", value=str(rating)[:10])
        comment = check_length(comment, 1000, "comment")
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "cohort", key)
            mine = await group_repo.membership(s, group_id=group.id or 0, member_id=member.id or 0)
            if mine is None:
                raise NotAllowed("cohort.not_member", name=user(group.name))
            if group.status != "closed":
                raise Conflict("cohort.still_running", name=user(group.name))
            existing = await group_repo.group_feedback_of(s, group_id=group.id or 0,
                                                          member_id=member.id or 0)  # fmt: skip
            if existing is None:
                existing = Feedback(group_id=group.id, member_id=member.id or 0, rating=rating)
                s.add(existing)
            existing.rating, existing.comment = rating, comment
            existing.created_at = self.ctx.clock.now()

    # ----- sweeps ----------------------------------------------------------------------------
    async def sweep(self) -> int:
        """Start, check in on and close whatever cohorts are due."""
        return await self.start_due() + await self.checkins_due() + await self.close_due()

    async def start_due(self) -> int:
        """Cohorts whose start has come: open their private space with everyone in it."""
        now = self.ctx.clock.now()
        started = 0
        async with self.ctx.db() as s:
            due = await group_repo.cohorts_to_start(s, now=now)
        for gid in due:
            async with self.ctx.db.begin() as s:
                group = await group_repo.get_group(s, group_id=gid)
                assert group is not None
                community = await group_repo.community_of(s, group=group)
                first = now + self.ctx.programme_for(community).checkin_interval
                if not await group_repo.claim_start(s, group_id=gid, next_at=first):
                    continue
                people = await group_repo.members_of(s, group_id=gid)
            started += 1
            await self._open_space(group, community, [m.platform_user_id for m in people])
        return started

    async def _open_space(self, group: Group, community: Community, users: list[str]) -> None:
        ref = self.ctx.ref(community)
        locale = self.ctx.locale_of(None, community)
        platform = self.ctx.platform(ref.platform)
        try:
            space = await platform.open_space(ref, space_name("cohort.space_name", locale,
                                                              group.name), users)  # fmt: skip
        except Exception:
            log.exception("could not open the space of cohort %s", group.id)
            text = t(locale, "cohort.space_failed", name=user(group.name))
            await self.ctx.announce(ref, "moderation", text)
            return
        async with self.ctx.db.begin() as s:
            stored = await group_repo.get_group(s, group_id=group.id or 0)
            assert stored is not None
            stored.space_ref = space
            everyone = await group_repo.members_of(s, group_id=group.id or 0)
            leaders = await group_repo.members_of(s, group_id=group.id or 0, roles=("leader",))
        late = [m.platform_user_id for m in everyone if m.platform_user_id not in users]
        await add_to_space(self.ctx, ref, space, late)
        guidelines = (community.settings or {}).get("guidelines") or t(locale, "pair.guidelines")
        names = [m.platform_user_id for m in everyone]
        text = t(locale, "cohort.welcome", name=user(group.name),
                 members=", ".join(platform.mention(u) for u in names[:50]),
                 leaders=", ".join(platform.mention(m.platform_user_id) for m in leaders),
                 end=day_text(locale, as_utc(group.ends_at), None))  # fmt: skip
        await post(self.ctx, ref, space, Message(f"{text}\n\n{guidelines}",
                                                 mentions=tuple(names[:50])),
                   key=f"cohort:welcome:{group.id}")  # fmt: skip

    async def checkins_due(self) -> int:
        """Queue the periodic check-in in each running cohort's space."""
        now = self.ctx.clock.now()
        queued = 0
        async with self.ctx.db() as s:
            due = await group_repo.cohorts_to_check_in(s, now=now)
        for gid, old in due:
            async with self.ctx.db.begin() as s:
                group = await group_repo.get_group(s, group_id=gid)
                assert group is not None
                community = await group_repo.community_of(s, group=group)
                interval = self.ctx.programme_for(community).checkin_interval
                following = (as_utc(old) or now) + interval
                if following <= now:  # far behind (the bot was down): no burst
                    following = now + interval
                won = await group_repo.claim_next(s, group_id=gid, old=old, following=following)
                ends = as_utc(group.ends_at)
                if not won or not group.space_ref:
                    continue
                if ends is not None and ends <= now:
                    continue
                leaders = await group_repo.members_of(s, group_id=gid, roles=("leader",))
                stamp = int((as_utc(old) or now).timestamp())
                queued += await enqueue(s, [Letter(
                    f"cohort:checkin:{gid}:{stamp}", group.community_id, "cohort_checkin", "space",
                    group.space_ref, "cohort.checkin", {"name": user(group.name)},
                    {"leaders": [m.platform_user_id for m in leaders]}, group=gid,
                )], now)  # fmt: skip
        return queued

    async def close_due(self) -> int:
        """Close cohorts at their end and ask everyone for feedback."""
        now = self.ctx.clock.now()
        closed = 0
        async with self.ctx.db() as s:
            due = await group_repo.cohorts_to_close(s, now=now, statuses=ACTIVE)
        for gid in due:
            async with self.ctx.db.begin() as s:
                if not await group_repo.claim_close(s, group_id=gid, statuses=ACTIVE):
                    continue
                group = await group_repo.get_group(s, group_id=gid)
                assert group is not None
                buttons = tuple((str(n), COHORT_RATE.id(group=gid, rating=n), "secondary")
                                for n in range(1, 6))  # fmt: skip
                params = {"name": user(group.name), "id": gid}
                if group.space_ref:
                    letters = [Letter(f"cohort:close:{gid}", group.community_id, "cohort_close",
                                      "space", group.space_ref, "cohort.closed", params, {},
                                      buttons, group=gid)]  # fmt: skip
                else:
                    letters = [Letter(f"cohort:close:{gid}:{m.id}", group.community_id,
                                      "cohort_close", "member", str(m.id), "cohort.closed",
                                      params, {}, buttons, group=gid)
                               for m in await group_repo.members_of(s, group_id=gid)]  # fmt: skip
                await enqueue(s, letters, now)
                closed += 1
        return closed


# ----- actions (buttons and reactions) ------------------------------------------------------
async def _on_join(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    return [joined_message(locale, await services.cohorts.join(actor, args.number("group")))]


async def _on_rate(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    await services.cohorts.feedback(actor, args.number("group"), args.number("rating"))
    return [Message(t(locale, "cohort.feedback_thanks"))]


COHORT_JOIN = Action("cohort:join:{group}", _on_join, slow=True, command="cohort join {group}")
# Ratings on Matrix are keycaps by position (1-5), which is the rating itself.
COHORT_RATE = Action("cohort:rate:{group}:{rating}", _on_rate)
