"""The core's Platform port on Discord: DMs, configured channels, private threads."""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.core.i18n import unmark
from bot.core.ports import CommunityRef, Message, Sent
from bot.platforms.discord.render import send_parts

if TYPE_CHECKING:
    from bot.platforms.discord.client import MentorBot

log = logging.getLogger(__name__)

CLOSED_DMS = 50007
THREAD_NAME_LIMIT = 100


def nonce_of(key: str) -> str:
    """A Discord message nonce (at most 25 characters) for an idempotency key."""
    return hashlib.sha1(key.encode()).hexdigest()[:25]


class DiscordPlatform:
    """Sends through discord.py, paced below Discord's limits."""

    name = "discord"

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    def space_link(self, community: CommunityRef, space_ref: str) -> str:
        """A clickable link to the pair's thread."""
        return f"<#{space_ref}>"

    def mention(self, user_id: str) -> str:
        return f"<@{user_id}>"

    def command_hint(self, name: str) -> str:
        return f"/{name}"

    async def channel_link(self, community: CommunityRef, channel: str) -> str | None:
        """A channel mention of the configured channel, when one is set."""
        channel_id = await self.bot.channel_id(community, channel)
        return f"<#{channel_id}>" if channel_id else None

    async def _send(
        self,
        community: CommunityRef,
        channel: Any,
        channel_id: int,
        message: Message,
        key: str | None = None,
    ) -> discord.Message:
        """Send a message (several, if it is long); the first one is where it starts."""
        first: discord.Message | None = None
        for index, kwargs in enumerate(send_parts(message, int(community.external_id))):
            await self.bot.pacer.wait(channel_id)
            if key is not None:  # discord.py sets enforce_nonce: Discord dedupes a retry
                kwargs["nonce"] = nonce_of(key if index == 0 else f"{key}:{index}")
            sent: discord.Message = await channel.send(**kwargs)
            first = first or sent
        assert first is not None
        return first

    async def send_to_member(
        self, community: CommunityRef, user_id: str, message: Message, *, key: str | None = None
    ) -> Sent:
        try:
            user = self.bot.get_user(int(user_id)) or await self.bot.fetch_user(int(user_id))
            dm = user.dm_channel or await user.create_dm()
            sent = await self._send(community, dm, dm.id, message, key)
            return Sent(str(sent.id))
        except discord.Forbidden as err:
            if err.code != CLOSED_DMS:
                raise
            log.info("DMs closed for %s; using the mentors channel", user_id)
        except discord.NotFound:
            log.info("user %s not found for a DM; using the mentors channel", user_id)
        fallback = Message(f"{self.mention(user_id)} {message.text}", message.buttons,
                           (*message.mentions, user_id), message.files)  # fmt: skip
        sent_to = await self.send_to_channel(community, "mentors", fallback, key=key)
        return Sent(sent_to.ref, "channel" if sent_to.ref else "none")

    async def send_to_channel(
        self, community: CommunityRef, channel: str, message: Message, *, key: str | None = None
    ) -> Sent:
        channel_id = await self.bot.channel_id(community, channel)
        target = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(target, discord.abc.Messageable):
            log.warning("no %s channel configured for guild %s", channel, community.external_id)
            return Sent(None, "none")
        sent = await self._send(community, target, channel_id, message, key)
        return Sent(str(sent.id), "channel")

    async def open_space(
        self, community: CommunityRef, name: str, user_ids: list[str], *, public: bool = False
    ) -> str:
        channel_id = await self.bot.channel_id(community, "mentoring")
        parent: Any = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(parent, discord.TextChannel):
            raise RuntimeError(f"no mentoring channel configured for guild {community.external_id}")
        name = unmark(name)[:THREAD_NAME_LIMIT]
        await self.bot.pacer.wait_overall()
        if public:  # an open thread anyone who sees the mentoring channel may join
            thread = await parent.create_thread(name=name, type=discord.ChannelType.public_thread)
        else:
            thread = await parent.create_thread(
                name=name, type=discord.ChannelType.private_thread,
                invitable=False,
            )  # fmt: skip
        for user_id in user_ids:
            await self.bot.pacer.wait_overall()
            await thread.add_user(discord.Object(id=int(user_id)))
        return str(thread.id)

    async def add_to_space(
        self, community: CommunityRef, space_ref: str, user_ids: list[str]
    ) -> None:
        """Add members to an existing thread (thread-members API)."""
        thread: Any = self.bot.get_channel(int(space_ref))
        if thread is None:
            thread = await self.bot.fetch_channel(int(space_ref))
        for user_id in user_ids:
            await self.bot.pacer.wait_overall()
            await thread.add_user(discord.Object(id=int(user_id)))

    async def post_in_space(
        self, community: CommunityRef, space_ref: str, message: Message, *, key: str | None = None
    ) -> Sent:
        thread: Any = self.bot.get_channel(int(space_ref))
        if thread is None:
            thread = await self.bot.fetch_channel(int(space_ref))
        sent = await self._send(community, thread, int(space_ref), message, key)
        return Sent(str(sent.id))

    async def grant_badge(self, community: CommunityRef, user_id: str, badge: str) -> None:
        """Give the role configured for a badge (`badge_roles`), if any."""
        role_id = self.bot.guild_config(int(community.external_id)).badge_roles.get(badge)
        guild = self.bot.get_guild(int(community.external_id))
        if not role_id or guild is None:
            return
        await self.bot.pacer.wait_overall()
        await self.bot.http.add_role(guild.id, int(user_id), role_id, reason=f"badge {badge}")
