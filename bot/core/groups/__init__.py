"""Groups: what cohorts, office hours and topic circles share (views, lookups, lists)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.core.clock import as_utc
from bot.core.context import Context, clean_name
from bot.core.errors import NotFound
from bot.core.i18n import t, user
from bot.core.inputs import clean_line, id_of, is_snowflake, looks_numeric
from bot.core.ports import Button, CommunityRef, Message
from bot.core.spaces import add_to_space, link_of
from bot.core.times import day_text
from storage.db import Tx
from storage.models import Group, Member
from storage.repositories import groups as group_repo
from storage.repositories import members as member_repo

log = logging.getLogger(__name__)

MAX_NAME, MAX_TOPIC = 80, 200
LIST_LIMIT = 25


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


async def find_group(tx: Tx, community_id: int, kind: str, key: str | int) -> Group:
    """A group of this kind by id ('3', '#3') or case-insensitive name.

    A number that is no id (out of range, not ASCII digits) is simply not found.
    """
    text = clean_line(str(key), 4 * MAX_NAME).lstrip("#").strip()
    group = None
    if not looks_numeric(text) or id_of(text) is not None:
        group = await group_repo.find_group(tx, community_id=community_id, kind=kind, text=text)
    if group is None:
        raise NotFound(f"{kind}.unknown", name=user(text[:MAX_NAME]))
    return group


async def member_by_handle(tx: Tx, community_id: int, user_id: str, name: str,
                           now: datetime) -> Member:  # fmt: skip
    """Someone named by a front-end (user id, or a display name the bot knows)."""
    found = await member_repo.find_member_by_name(tx, community_id=community_id, name=user_id)
    if found is not None:
        return found
    if not (is_snowflake(user_id) or (user_id.startswith("@") and ":" in user_id)):
        raise NotFound("groups.unknown_member", name=user(user_id[:64]))
    fallback = user_id.split(":")[0].lstrip("@")
    return await member_repo.ensure_member(
        tx,
        community_id=community_id,
        user_id=user_id,
        display_name=clean_name(name or fallback),
        now=now,
    )


def list_message(locale: str, kind: str, views: list[GroupView], extra: list[str] | None = None,
                 buttons: tuple[Button, ...] = ()) -> Message:  # fmt: skip
    """A titled list of groups (or the 'none yet' note)."""
    if not views:
        return Message(t(locale, f"{kind}.list_empty"))
    lines = [t(locale, f"{kind}.list_title")]
    for view in views:
        mark = " ✓" if view.joined else ""
        lines.append(t(locale, f"{kind}.list_line", id=view.id, name=user(view.name),
                       topic=user(view.topic) if view.topic else "—", members=view.members,
                       capacity=view.capacity or "∞") + mark)  # fmt: skip
    return Message("\n".join([*lines, *(extra or [])]), buttons=buttons)


def joined_message(locale: str, joined: Joined) -> Message:
    """'You joined …' with the group's space, or when it opens."""
    view = joined.group
    if view.kind == "circle":
        key = "circle.joined" if joined.space_link else "circle.joined_nospace"
        return Message(t(locale, key, name=user(view.name), space=joined.space_link))
    if joined.space_link:
        return Message(t(locale, "cohort.joined_space", name=user(view.name),
                         space=joined.space_link))  # fmt: skip
    return Message(t(locale, "cohort.joined", name=user(view.name), members=view.members,
                     capacity=view.capacity or "∞",
                     start=day_text(locale, view.starts_at, None)))  # fmt: skip


async def into_space(ctx: Context, ref: CommunityRef, group: Group, user_id: str) -> Joined:
    """A new member is added to the group's space (where it has one) and told where it is."""
    if group.space_ref:
        await add_to_space(ctx, ref, group.space_ref, [user_id])
    return Joined(view_of(group, True), link_of(ctx, ref, group.space_ref))
