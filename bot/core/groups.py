"""Groups: what cohorts, office hours and topic circles share, and the circles themselves."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.clock import as_utc
from bot.core.context import Actor, Context, check_length, clean_name
from bot.core.durations import parse_duration
from bot.core.errors import Conflict, InvalidInput, NotFound
from bot.core.i18n import t
from bot.core.ports import Button, CommunityRef, Message
from bot.core.vocab import normalize_skills, topic_terms
from storage.models import Community, Group, GroupMember, Member
from storage.repositories import members as member_repo

log = logging.getLogger(__name__)

MAX_NAME, MAX_TOPIC = 80, 200
SPACE_NAME_LIMIT = 100
LIST_LIMIT = 25
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$")


@dataclass(frozen=True)
class GroupView:
    """A cohort, circle or office-hours series as front-ends list it."""

    id: int
    kind: str
    name: str
    topic: str
    members: int
    capacity: int | None
    status: str
    space_ref: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    joined: bool = False


@dataclass(frozen=True)
class Joined:
    """The outcome of joining a group: where its space is, if it has one yet."""

    group: GroupView
    space_link: str


def view_of(group: Group, joined: bool = False) -> GroupView:
    """A stored group as a view."""
    return GroupView(group.id or 0, group.kind, group.name, group.topic, group.member_count,
                     group.capacity, group.status, group.space_ref, as_utc(group.starts_at),
                     as_utc(group.ends_at), joined)  # fmt: skip


def zone_of(name: str | None) -> ZoneInfo:
    """A member's or session's zone; UTC when unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def when_text(locale: str, moment: datetime, zone: str | None) -> str:
    """'Tue 2026-03-31 18:00 (Europe/Berlin)' in the given zone."""
    local = moment.astimezone(zone_of(zone))
    day = t(locale, f"groups.weekday_{local.weekday()}")
    return f"{day} {local:%Y-%m-%d %H:%M} ({zone or 'UTC'})"


def day_text(locale: str, moment: datetime | None, zone: str | None) -> str:
    """'Tue 2026-03-31' in the given zone."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone_of(zone))
    return f"{t(locale, f'groups.weekday_{local.weekday()}')} {local:%Y-%m-%d}"


def parse_when(text: str, now: datetime, zone: str | None, *, base: datetime | None = None
               ) -> datetime:  # fmt: skip
    """'now', '2026-03-01', '2026-03-01 18:00' (in `zone`) or a duration after `base`/now."""
    value = text.strip().lower()
    if value in ("", "now", "jetzt"):
        return now
    found = _DATE.match(value)
    if found:
        y, m, d, hh, mm = found.groups()
        try:
            local = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0),
                             tzinfo=zone_of(zone))  # fmt: skip
        except ValueError as err:
            raise InvalidInput("groups.bad_when", value=text[:40]) from err
        return local.astimezone(UTC)
    try:
        return (base or now) + parse_duration(value)
    except ValueError as err:
        raise InvalidInput("groups.bad_when", value=text[:40]) from err


def parse_clock(text: str) -> time:
    """'18:00' -> time(18, 0)."""
    found = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", text.strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        raise InvalidInput("groups.bad_time", value=text[:20])
    return time(int(found[1]), int(found[2]))


def space_name(prefix_key: str, locale: str, name: str) -> str:
    """'Cohort: <name>' (localized), cut to 100 characters."""
    return t(locale, prefix_key, name=name)[:SPACE_NAME_LIMIT]


async def find_group(s: AsyncSession, community_id: int, kind: str, key: str | int) -> Group:
    """A group of this kind by id ('3', '#3') or case-insensitive name."""
    text = str(key).strip().lstrip("#")
    group: Group | None = None
    if text.isdigit():
        group = await s.get(Group, int(text))
        if group is not None and (group.community_id != community_id or group.kind != kind):
            group = None
    if group is None and text:
        group = (await s.execute(
            select(Group).where(col(Group.community_id) == community_id, col(Group.kind) == kind,
                                func.lower(col(Group.name)) == text.lower(),
                                col(Group.status) != "cancelled")
            .order_by(col(Group.id).desc()).limit(1)
        )).scalar_one_or_none()  # fmt: skip
    if group is None:
        raise NotFound(f"{kind}.unknown", name=text[:MAX_NAME])
    return group


async def membership(s: AsyncSession, group_id: int, member_id: int) -> GroupMember | None:
    """The member's membership row in a group."""
    return await s.get(GroupMember, (group_id, member_id))


async def members_of(s: AsyncSession, group_id: int, roles: Sequence[str] = ("leader", "member")
                     ) -> list[Member]:  # fmt: skip
    """Members of a group (leaders first), oldest first."""
    stmt = (
        select(Member).join(GroupMember, col(GroupMember.member_id) == col(Member.id))
        .where(col(GroupMember.group_id) == group_id, col(GroupMember.role).in_(roles))
        .order_by(col(GroupMember.role), col(GroupMember.joined_at))
    )  # fmt: skip
    return list((await s.execute(stmt)).scalars())


async def member_by_handle(s: AsyncSession, community_id: int, user_id: str, name: str,
                           now: datetime) -> Member:  # fmt: skip
    """Someone named by a front-end (user id, or a display name the bot knows)."""
    found = await member_repo.find_member_by_name(s, community_id=community_id, name=user_id)
    if found is not None:
        return found
    if not (user_id.isdigit() or (user_id.startswith("@") and ":" in user_id)):
        raise NotFound("groups.unknown_member", name=user_id[:64])
    fallback = user_id.split(":")[0].lstrip("@")
    return await member_repo.ensure_member(
        s,
        community_id=community_id,
        user_id=user_id,
        display_name=clean_name(name or fallback),
        now=now,
    )


async def add_to_space(ctx: Context, ref: CommunityRef, space: str, user_ids: list[str]) -> bool:
    """Add people to an existing space when the platform can (thread members, room invites)."""
    adder = getattr(ctx.platform(ref.platform), "add_to_space", None)
    if adder is None or not user_ids:
        return False
    try:
        await adder(ref, space, user_ids)
    except Exception:
        log.exception("could not add %s to space %s", user_ids, space)
        return False
    return True


def link_of(ctx: Context, ref: CommunityRef, space: str | None) -> str:
    """A clickable reference to a space, where the platform has one."""
    if not space:
        return ""
    linker = getattr(ctx.platform(ref.platform), "space_link", None)
    return str(linker(ref, space)) if linker is not None else space


async def post(ctx: Context, ref: CommunityRef, space: str, message: Message,
               key: str | None = None) -> None:  # fmt: skip
    """Post in a group space; a failure is logged, never raised."""
    try:
        await ctx.platform(ref.platform).post_in_space(ref, space, message, key=key)
    except Exception:
        log.exception("could not post in space %s", space)


class GroupService:
    """Topic circles: open groups with an open space that members join and leave."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def create_circle(self, actor: Actor, name: str, topic: str = "") -> Joined:
        """A new circle with its open space, announced in the welcome channel."""
        name = clean_name(check_length(name, MAX_NAME, "name"))
        topic = check_length(topic, MAX_TOPIC, "topic")
        if not name:
            raise InvalidInput("circle.name_needed")
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            assert community.id is not None and member.id is not None
            exists = (await s.execute(
                select(col(Group.id)).where(
                    col(Group.community_id) == community.id, col(Group.kind) == "circle",
                    col(Group.status) == "open", func.lower(col(Group.name)) == name.lower())
            )).first()  # fmt: skip
            if exists:
                raise Conflict("circle.exists", name=name)
            group = Group(community_id=community.id, kind="circle", name=name, topic=topic,
                          owner_id=member.id, member_count=1, created_at=now)  # fmt: skip
            s.add(group)
            await s.flush()
            s.add(GroupMember(group_id=group.id or 0, member_id=member.id, role="leader",
                              joined_at=now))  # fmt: skip
        ref = self.ctx.ref(community)
        locale = self.ctx.locale_of(None, community)
        platform = self.ctx.platform(ref.platform)
        try:
            space: str | None = await platform.open_space(
                ref, space_name("circle.space_name", locale, name), [actor.user_id], public=True
            )
        except Exception:
            log.exception("could not open the space of circle %s", group.id)
            space = None
        if space:
            async with self.ctx.db.begin() as s:
                stored = await s.get(Group, group.id)
                assert stored is not None
                stored.space_ref = group.space_ref = space
            await post(self.ctx, ref, space, Message(
                t(locale, "circle.welcome", name=name, topic=topic or "—",
                  member=platform.mention(actor.user_id)), mentions=(actor.user_id,)))  # fmt: skip
        text = t(locale, "circle.announce", name=name, topic=topic or "—",
                 member=platform.mention(actor.user_id))  # fmt: skip
        button = Button(t(locale, "button.join_circle"), f"circle:join:{group.id}", "primary")
        await announce(self.ctx, ref, Message(text, (button,), (actor.user_id,)))
        return Joined(view_of(group, True), link_of(self.ctx, ref, space))

    async def join_circle(self, actor: Actor, key: str | int) -> Joined:
        """Join a circle; the platform adds the member to its open space where it can."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "circle", key)
            if group.status != "open":
                raise Conflict("circle.closed", name=group.name)
            if await membership(s, group.id or 0, member.id or 0):
                raise Conflict("circle.already_member", name=group.name)
            s.add(GroupMember(group_id=group.id or 0, member_id=member.id or 0, role="member",
                              joined_at=now))  # fmt: skip
            await _count(s, group, +1)
        ref = self.ctx.ref(community)
        if group.space_ref:
            await add_to_space(self.ctx, ref, group.space_ref, [actor.user_id])
        return Joined(view_of(group, True), link_of(self.ctx, ref, group.space_ref))

    async def leave_circle(self, actor: Actor, key: str | int) -> GroupView:
        """Leave a circle (its space stays open to rejoin)."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "circle", key)
            gone = await s.execute(
                delete(GroupMember).where(
                    col(GroupMember.group_id) == group.id, col(GroupMember.member_id) == member.id
                )
            )
            if not getattr(gone, "rowcount", 0):
                raise Conflict("circle.not_member", name=group.name)
            await _count(s, group, -1)
        return view_of(group)

    async def list_circles(self, actor: Actor) -> list[GroupView]:
        """Open circles of the actor's community, biggest first."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            groups = (await s.execute(
                select(Group).where(col(Group.community_id) == community.id,
                                    col(Group.kind) == "circle", col(Group.status) == "open")
                .order_by(col(Group.member_count).desc(), col(Group.id)).limit(LIST_LIMIT)
            )).scalars().all()  # fmt: skip
            mine = set((await s.execute(
                select(col(GroupMember.group_id)).where(col(GroupMember.member_id) == member.id)
            )).scalars())  # fmt: skip
        return [view_of(g, g.id in mine) for g in groups]

    async def circles_for(self, community_id: int, terms: Sequence[str], limit: int = 3,
                          *, session: AsyncSession | None = None) -> list[GroupView]:  # fmt: skip
        """Open circles whose name or topic shares a term (alias- and case-insensitive)."""
        wanted = set(normalize_skills(list(terms)))
        if not wanted:
            return []
        stmt = select(Group).where(
            col(Group.community_id) == community_id,
            col(Group.kind) == "circle",
            col(Group.status) == "open",
        )
        if session is not None:
            groups = list((await session.execute(stmt)).scalars())
        else:
            async with self.ctx.db() as s:
                groups = list((await s.execute(stmt)).scalars())
        scored = []
        for group in groups:
            overlap = len(wanted & set(topic_terms(f"{group.name}, {group.topic}")))
            if overlap:
                scored.append((-overlap, -group.member_count, group.id or 0, group))
        return [view_of(g) for *_, g in sorted(scored, key=lambda x: x[:3])[:limit]]


async def _count(s: AsyncSession, group: Group, change: int) -> None:
    """Change a group's member count in the database (safe against concurrent joins)."""
    await s.execute(update(Group).where(col(Group.id) == group.id)
                    .values(member_count=col(Group.member_count) + change))  # fmt: skip
    await s.refresh(group)


async def announce(ctx: Context, ref: CommunityRef, message: Message) -> None:
    """Post a group announcement in the welcome channel (Matrix: the community room)."""
    try:
        await ctx.platform(ref.platform).send_to_channel(ref, "welcome", message)
    except Exception:
        log.exception("could not announce in community %s", ref.id)


def list_message(locale: str, kind: str, views: list[GroupView], extra: list[str] | None = None,
                 buttons: tuple[Button, ...] = ()) -> Message:  # fmt: skip
    """A titled list of groups (or the 'none yet' note)."""
    if not views:
        return Message(t(locale, f"{kind}.list_empty"))
    lines = [t(locale, f"{kind}.list_title")]
    for view in views:
        mark = " ✓" if view.joined else ""
        lines.append(t(locale, f"{kind}.list_line", id=view.id, name=view.name,
                       topic=view.topic or "—", members=view.members,
                       capacity=view.capacity or "∞") + mark)  # fmt: skip
    return Message("\n".join([*lines, *(extra or [])]), buttons=buttons)


def circles_note(locale: str, views: list[GroupView], prefix: str) -> str:
    """For `/mentor` when no mentor fits: the matching circles and how to join them."""
    if not views:
        return ""
    lines = [t(locale, "circle.suggest_title")]
    lines += [t(locale, "circle.list_line", id=v.id, name=v.name, topic=v.topic or "—",
                members=v.members) for v in views]  # fmt: skip
    lines.append(t(locale, "circle.list_hint", prefix=prefix))
    return "\n".join(lines)


async def community_of(s: AsyncSession, group: Group) -> Community:
    """The community a group belongs to."""
    community = await s.get(Community, group.community_id)
    assert community is not None
    return community
