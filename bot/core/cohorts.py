"""Cohorts: newcomers led by experienced members, a private group space, check-ins, feedback."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlmodel import col

from bot.core.clock import as_utc
from bot.core.context import Actor, Context, check_length, clean_name
from bot.core.errors import Conflict, InvalidInput, NotAllowed
from bot.core.groups import (
    MAX_NAME,
    GroupView,
    Joined,
    add_to_space,
    announce,
    community_of,
    day_text,
    find_group,
    link_of,
    member_by_handle,
    members_of,
    membership,
    parse_when,
    post,
    space_name,
    view_of,
)
from bot.core.i18n import t
from bot.core.outbox import Letter, enqueue
from bot.core.ports import Button, Message
from storage.models import Community, Feedback, Group, GroupMember

log = logging.getLogger(__name__)

MAX_CAPACITY = 500
DEFAULT_CAPACITY = 10
ACTIVE = ("open", "running")
RATINGS = tuple((str(n), f"cohort:rate:{{id}}:{n}", "secondary") for n in range(1, 6))


def _capacity(value: int | str | None) -> int:
    if value in (None, ""):
        return DEFAULT_CAPACITY
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_CAPACITY:
        raise InvalidInput("cohort.bad_capacity", value=text[:10], limit=MAX_CAPACITY)
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
            taken = (await s.execute(select(col(Group.id)).where(
                col(Group.community_id) == community.id, col(Group.kind) == "cohort",
                col(Group.status).in_(ACTIVE), func.lower(col(Group.name)) == name.lower()
            ))).first()  # fmt: skip
            if taken:
                raise Conflict("cohort.exists", name=name)
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
        text = t(locale, "cohort.announce", name=name, places=places,
                 leaders=", ".join(platform.mention(u) for u in uids),
                 start=day_text(locale, starts, None),
                 end=day_text(locale, ends, None))  # fmt: skip
        button = Button(t(locale, "button.join_cohort"), f"cohort:join:{group.id}", "primary")
        await announce(self.ctx, ref, Message(text, (button,), tuple(uids)))
        return view_of(group)

    async def join(self, actor: Actor, key: str | int) -> Joined:
        """Take a place; two people racing for the last one: exactly one gets it."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "cohort", key)
            if group.status not in ACTIVE:
                raise Conflict("cohort.ended", name=group.name)
            if await membership(s, group.id or 0, member.id or 0):
                raise Conflict("cohort.already_member", name=group.name)
            won = await s.execute(
                update(Group)
                .where(col(Group.id) == group.id, col(Group.status).in_(ACTIVE),
                       col(Group.member_count) < col(Group.capacity))
                .values(member_count=col(Group.member_count) + 1)
            )  # fmt: skip
            if getattr(won, "rowcount", 0) != 1:
                raise Conflict("cohort.full", name=group.name)
            s.add(GroupMember(group_id=group.id or 0, member_id=member.id or 0, role="member",
                              joined_at=now))  # fmt: skip
            member.consent_at = member.consent_at or now
            await s.flush()
            await s.refresh(group)
        ref = self.ctx.ref(community)
        if group.space_ref:
            await add_to_space(self.ctx, ref, group.space_ref, [actor.user_id])
        return Joined(view_of(group, True), link_of(self.ctx, ref, group.space_ref))

    async def leave(self, actor: Actor, key: str | int) -> GroupView:
        """Give a place back."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "cohort", key)
            mine = await membership(s, group.id or 0, member.id or 0)
            if mine is None:
                raise Conflict("cohort.not_member", name=group.name)
            await s.execute(
                delete(GroupMember).where(
                    col(GroupMember.group_id) == group.id, col(GroupMember.member_id) == member.id
                )
            )
            if mine.role == "member":
                await s.execute(update(Group).where(col(Group.id) == group.id)
                                .values(member_count=col(Group.member_count) - 1))  # fmt: skip
        return view_of(group)

    async def list_cohorts(self, actor: Actor) -> list[GroupView]:
        """Cohorts that are enrolling or running, soonest first."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            groups = (await s.execute(
                select(Group).where(col(Group.community_id) == community.id,
                                    col(Group.kind) == "cohort", col(Group.status).in_(ACTIVE))
                .order_by(col(Group.starts_at), col(Group.id)).limit(25)
            )).scalars().all()  # fmt: skip
            mine = set((await s.execute(
                select(col(GroupMember.group_id)).where(col(GroupMember.member_id) == member.id)
            )).scalars())  # fmt: skip
        return [view_of(g, g.id in mine) for g in groups]

    async def feedback(self, actor: Actor, key: str | int, rating: int, comment: str = "") -> None:
        """A member's rating 1-5 and comment once the cohort has closed (a second replaces it)."""
        if not 1 <= rating <= 5:
            raise InvalidInput("error.rating", value=str(rating)[:10])
        comment = check_length(comment, 1000, "comment")
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "cohort", key)
            if await membership(s, group.id or 0, member.id or 0) is None:
                raise NotAllowed("cohort.not_member", name=group.name)
            if group.status != "closed":
                raise Conflict("cohort.still_running", name=group.name)
            existing = (await s.execute(select(Feedback).where(
                col(Feedback.group_id) == group.id, col(Feedback.member_id) == member.id)
            )).scalar_one_or_none()  # fmt: skip
            if existing is None:
                existing = Feedback(group_id=group.id, member_id=member.id or 0, rating=rating)
                s.add(existing)
            existing.rating, existing.comment = rating, comment
            existing.created_at = self.ctx.clock.now()

    # ----- sweeps ----------------------------------------------------------------------------
    async def sweep(self) -> int:
        """Start, check in on and close whatever cohorts are due."""
        return await self.start_due() + await self.checkins_due() + await self.close_due()

    async def _due(self, *where: object) -> list[tuple[int, datetime | None]]:
        async with self.ctx.db() as s:
            rows = (await s.execute(
                select(col(Group.id), col(Group.next_at))
                .where(col(Group.kind) == "cohort", *where).limit(200)  # type: ignore[arg-type]
            )).all()  # fmt: skip
        return [(int(i), at) for i, at in rows]

    async def start_due(self) -> int:
        """Cohorts whose start has come: open their private space with everyone in it."""
        now = self.ctx.clock.now()
        started = 0
        for gid, _ in await self._due(col(Group.status) == "open", col(Group.starts_at) <= now,
                                      col(Group.ends_at) > now):  # fmt: skip
            async with self.ctx.db.begin() as s:
                group = await s.get(Group, gid)
                assert group is not None
                community = await community_of(s, group)
                first = now + self.ctx.programme_for(community).checkin_interval
                won = await s.execute(update(Group).where(
                    col(Group.id) == gid, col(Group.status) == "open"
                ).values(status="running", next_at=first))  # fmt: skip
                if getattr(won, "rowcount", 0) != 1:
                    continue
                people = await members_of(s, gid)
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
            text = t(locale, "cohort.space_failed", name=group.name)
            await self.ctx.announce(ref, "moderation", text)
            return
        async with self.ctx.db.begin() as s:
            stored = await s.get(Group, group.id)
            assert stored is not None
            stored.space_ref = space
            everyone = await members_of(s, group.id or 0)
            leaders = await members_of(s, group.id or 0, ("leader",))
        late = [m.platform_user_id for m in everyone if m.platform_user_id not in users]
        await add_to_space(self.ctx, ref, space, late)
        guidelines = (community.settings or {}).get("guidelines") or t(locale, "pair.guidelines")
        names = [m.platform_user_id for m in everyone]
        text = t(locale, "cohort.welcome", name=group.name,
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
        for gid, old in await self._due(col(Group.status) == "running", col(Group.next_at) <= now):
            async with self.ctx.db.begin() as s:
                group = await s.get(Group, gid)
                assert group is not None
                community = await community_of(s, group)
                interval = self.ctx.programme_for(community).checkin_interval
                following = (as_utc(old) or now) + interval
                if following <= now:  # far behind (the bot was down): no burst
                    following = now + interval
                won = await s.execute(
                    update(Group)
                    .where(col(Group.id) == gid, col(Group.next_at) == old)
                    .values(next_at=following)
                )
                ends = as_utc(group.ends_at)
                if getattr(won, "rowcount", 0) != 1 or not group.space_ref:
                    continue
                if ends is not None and ends <= now:
                    continue
                leaders = await members_of(s, gid, ("leader",))
                stamp = int((as_utc(old) or now).timestamp())
                queued += await enqueue(s, [Letter(
                    f"cohort:checkin:{gid}:{stamp}", group.community_id, "cohort_checkin", "space",
                    group.space_ref, "cohort.checkin", {"name": group.name},
                    {"leaders": [m.platform_user_id for m in leaders]},
                )], now)  # fmt: skip
        return queued

    async def close_due(self) -> int:
        """Close cohorts at their end and ask everyone for feedback."""
        now = self.ctx.clock.now()
        closed = 0
        for gid, _ in await self._due(col(Group.status).in_(ACTIVE), col(Group.ends_at) <= now):
            async with self.ctx.db.begin() as s:
                won = await s.execute(update(Group).where(
                    col(Group.id) == gid, col(Group.status).in_(ACTIVE)
                ).values(status="closed", next_at=None))  # fmt: skip
                if getattr(won, "rowcount", 0) != 1:
                    continue
                group = await s.get(Group, gid)
                assert group is not None
                buttons = tuple((label, action.format(id=gid), style)
                                for label, action, style in RATINGS)  # fmt: skip
                params = {"name": group.name, "id": gid}
                if group.space_ref:
                    letters = [Letter(f"cohort:close:{gid}", group.community_id, "cohort_close",
                                      "space", group.space_ref, "cohort.closed", params, {},
                                      buttons)]  # fmt: skip
                else:
                    letters = [Letter(f"cohort:close:{gid}:{m.id}", group.community_id,
                                      "cohort_close", "member", str(m.id), "cohort.closed",
                                      params, {}, buttons)
                               for m in await members_of(s, gid)]  # fmt: skip
                await enqueue(s, letters, now)
                closed += 1
        return closed
