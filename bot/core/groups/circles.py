"""Topic circles: open groups with an open space that members join and leave."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.action import Action, Args
from bot.core.context import Actor, Context, check_length, clean_name
from bot.core.errors import Conflict, InvalidInput
from bot.core.groups import (
    LIST_LIMIT,
    MAX_NAME,
    MAX_TOPIC,
    GroupView,
    Joined,
    find_group,
    into_space,
    joined_message,
    view_of,
)
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.core.spaces import announce, link_of, post, space_name
from bot.core.vocab import normalize_skills, topic_terms
from storage.db import Tx
from storage.models import Group, GroupMember
from storage.repositories import groups as group_repo

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger(__name__)


class CircleService:
    """Topic circles: open groups with an open space that members join and leave."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def create(self, actor: Actor, name: str, topic: str = "") -> Joined:
        """A new circle with its open space, announced in the welcome channel."""
        name = clean_name(check_length(name, MAX_NAME, "name"))
        topic = check_length(topic, MAX_TOPIC, "topic")
        if not name:
            raise InvalidInput("circle.name_needed")
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            assert community.id is not None and member.id is not None
            if await group_repo.name_taken(s, community_id=community.id, kind="circle", name=name,
                                           statuses=("open",)):  # fmt: skip
                raise Conflict("circle.exists", name=user(name))
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
                stored = await group_repo.get_group(s, group_id=group.id or 0)
                assert stored is not None
                stored.space_ref = group.space_ref = space
            await post(self.ctx, ref, space, Message(
                t(locale, "circle.welcome", name=user(name), topic=user(topic) if topic else "—",
                  member=platform.mention(actor.user_id)), mentions=(actor.user_id,)))  # fmt: skip
        text = t(locale, "circle.announce", name=user(name), topic=user(topic) if topic else "—",
                 member=platform.mention(actor.user_id))  # fmt: skip
        button = CIRCLE_JOIN.button(t(locale, "button.join_circle"), "primary", group=group.id)
        await announce(self.ctx, ref, Message(text, (button,), (actor.user_id,)))
        return Joined(view_of(group, True), link_of(self.ctx, ref, space))

    async def join(self, actor: Actor, key: str | int) -> Joined:
        """Join a circle; the platform adds the member to its open space where it can."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "circle", key)
            if group.status != "open":
                raise Conflict("circle.closed", name=user(group.name))
            if await group_repo.membership(s, group_id=group.id or 0, member_id=member.id or 0):
                raise Conflict("circle.already_member", name=user(group.name))
            s.add(GroupMember(group_id=group.id or 0, member_id=member.id or 0, role="member",
                              joined_at=now))  # fmt: skip
            await group_repo.add_to_count(s, group_id=group.id or 0, by=+1)
            await group_repo.reload_group(s, group=group)
        return await into_space(self.ctx, self.ctx.ref(community), group, actor.user_id)

    async def leave(self, actor: Actor, key: str | int) -> GroupView:
        """Leave a circle (its space stays open to rejoin)."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "circle", key)
            if not await group_repo.remove_member(s, group_id=group.id or 0,
                                                  member_id=member.id or 0):  # fmt: skip
                raise Conflict("circle.not_member", name=user(group.name))
            await group_repo.add_to_count(s, group_id=group.id or 0, by=-1)
            await group_repo.reload_group(s, group=group)
        return view_of(group)

    async def list_open(self, actor: Actor) -> list[GroupView]:
        """Open circles of the actor's community, biggest first."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            groups = await group_repo.open_circles(s, community_id=community.id or 0,
                                                   limit=LIST_LIMIT)  # fmt: skip
            mine = await group_repo.group_ids_of(s, member_id=member.id or 0)
        return [view_of(g, g.id in mine) for g in groups]

    async def circles_for(self, community_id: int, terms: Sequence[str], limit: int = 3,
                          *, session: Tx | None = None) -> list[GroupView]:  # fmt: skip
        """Open circles whose name or topic shares a term (alias- and case-insensitive)."""
        wanted = set(normalize_skills(list(terms)))
        if not wanted:
            return []
        if session is not None:
            groups = await group_repo.open_circles(session, community_id=community_id)
        else:
            async with self.ctx.db() as s:
                groups = await group_repo.open_circles(s, community_id=community_id)
        scored = []
        for group in groups:
            overlap = len(wanted & set(topic_terms(f"{group.name}, {group.topic}")))
            if overlap:
                scored.append((-overlap, -group.member_count, group.id or 0, group))
        return [view_of(g) for *_, g in sorted(scored, key=lambda x: x[:3])[:limit]]


def circles_note(locale: str, views: list[GroupView], prefix: str) -> str:
    """For `/mentor` when no mentor fits: the matching circles and how to join them."""
    if not views:
        return ""
    lines = [t(locale, "circle.suggest_title")]
    lines += [t(locale, "circle.list_line", id=v.id, name=user(v.name),
                topic=user(v.topic) if v.topic else "—", members=v.members)
              for v in views]  # fmt: skip
    lines.append(t(locale, "circle.list_hint", prefix=prefix))
    return "\n".join(lines)


# ----- actions (buttons and reactions) ------------------------------------------------------
async def _on_join(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    return [joined_message(locale, await services.circles.join(actor, args.number("group")))]


CIRCLE_JOIN = Action("circle:join:{group}", _on_join, command="circle join {group}")
