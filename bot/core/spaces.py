"""Private and open spaces (threads, rooms) through the platform port: name, link, add, post."""

from __future__ import annotations

import logging

from bot.core.context import Context
from bot.core.i18n import USER_CLOSE, USER_OPEN, t, user
from bot.core.ports import CommunityRef, Message

log = logging.getLogger(__name__)


SPACE_NAME_LIMIT = 100


def space_name(prefix_key: str, locale: str, name: str) -> str:
    """'Cohort: <name>' (localized, the name marked as member text), cut to 100 characters."""
    return cut(t(locale, prefix_key, name=user(name)), SPACE_NAME_LIMIT)


def cut(text: str, limit: int) -> str:
    """At most `limit` shown characters; marks of member text do not count and stay paired."""
    out: list[str] = []
    shown, inside = 0, False
    for char in text:
        if char in (USER_OPEN, USER_CLOSE):
            inside = char == USER_OPEN
        elif shown == limit:
            break
        else:
            shown += 1
        out.append(char)
    return "".join(out) + (USER_CLOSE if inside else "")


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


async def announce(ctx: Context, ref: CommunityRef, message: Message) -> None:
    """Post a group announcement in the welcome channel (Matrix: the community room)."""
    try:
        await ctx.platform(ref.platform).send_to_channel(ref, "welcome", message)
    except Exception:
        log.exception("could not announce in community %s", ref.id)
