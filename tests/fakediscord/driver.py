"""Test-driver methods that change server state and emit the matching events.

Mixed into :class:`~tests.fakediscord.server.FakeDiscord`.  REST handlers use
the same methods, so state changes made by the bot and by a test look alike.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from .httputil import json_response, make_attachments, read_payload
from .models import (
    LOADING,
    MANAGE_THREADS,
    PRIVATE_THREAD,
    TEXT,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
    iso,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

T = TypeVar("T")


class DriverMixin:
    # ----------------------------------------------------------------- events
    async def emit(
        self: FakeDiscord, event: str, data: dict[str, Any], *, guild_id: int | None = None
    ) -> int:
        """Dispatch a raw gateway event; returns how many live sessions got it."""
        return await self.gateway.dispatch(event, data, guild_id=guild_id)

    async def emit_message(self: FakeDiscord, event: str, msg: Message) -> int:
        if msg.ephemeral:
            return 0  # ephemeral messages never reach the gateway
        sessions = await self.emit(event, self.state.message_payload(msg), guild_id=msg.guild_id)
        if not msg.mentions_applied and not msg.flags & LOADING:
            msg.mentions_applied = True  # a deferred answer counts once its content arrives
            await self._mentions_join_private_thread(msg)
        return sessions

    async def _mentions_join_private_thread(self: FakeDiscord, msg: Message) -> None:
        """Discord's rule: in a private thread, a message by the thread's creator or by a
        member who can manage threads adds every member it pings (users, and the members of
        pinged roles) to the thread. What `allowed_mentions` forbids pings nobody and adds
        nobody."""
        thread = self.state.channels.get(msg.channel_id)
        if thread is None or thread.type != PRIVATE_THREAD or thread.guild_id is None:
            return
        guild = self.state.guilds[thread.guild_id]
        author = guild.members.get(msg.author_id)
        manages = author is not None and bool(
            self.state.member_permissions(guild, author) & MANAGE_THREADS
        )
        if msg.author_id != thread.owner_id and not manages:
            return
        targets = list(msg.pinged)
        for role_id in msg.pinged_roles:
            targets += [m.id for m in guild.members.values() if role_id in m.roles]
        for user_id in dict.fromkeys(targets):
            if user_id in guild.members and user_id not in thread.thread_members:
                await self.add_thread_member(thread.id, user_id)
                msg.added_to_thread.append(user_id)

    async def emit_member_update(self: FakeDiscord, member: Member) -> int:
        data = self.state.member_payload(member)
        data["guild_id"] = str(member.guild_id)
        return await self.emit("GUILD_MEMBER_UPDATE", data, guild_id=member.guild_id)

    # ---------------------------------------------------------- guild objects
    async def add_guild(
        self: FakeDiscord,
        name: str = "Test Guild",
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        locale: str = "en-US",
    ) -> Guild:
        """Create a guild (with @everyone, its owner and the bot as members)."""
        guild = self.state.create_guild(name, guild_id=guild_id, owner_id=owner_id, locale=locale)
        await self.emit("GUILD_CREATE", self.state.guild_payload(guild), guild_id=guild.id)
        return guild

    async def add_channel(
        self: FakeDiscord,
        guild_id: int,
        name: str,
        *,
        type: int = TEXT,
        parent_id: int | None = None,
        topic: str | None = None,
        channel_id: int | None = None,
    ) -> Channel:
        ch = self.state.create_channel(
            guild_id, name, type=type, parent_id=parent_id, topic=topic, channel_id=channel_id
        )
        await self.emit("CHANNEL_CREATE", self.state.channel_payload(ch), guild_id=guild_id)
        return ch

    async def add_role(
        self: FakeDiscord,
        guild_id: int,
        name: str,
        *,
        permissions: int = 0,
        role_id: int | None = None,
        mentionable: bool = False,
    ) -> Role:
        role = self.state.create_role(
            guild_id, name, role_id=role_id, permissions=permissions, mentionable=mentionable
        )
        await self.emit(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild_id), "role": self.state.role_payload(role)},
            guild_id=guild_id,
        )
        return role

    def add_user(
        self: FakeDiscord,
        name: str,
        *,
        user_id: int | None = None,
        bot: bool = False,
        global_name: str | None = None,
        dm_closed: bool = False,
    ) -> User:
        """A user that is in no guild yet (no event)."""
        return self.state.create_user(
            name, user_id=user_id, bot=bot, global_name=global_name, dm_closed=dm_closed
        )

    async def add_member(
        self: FakeDiscord,
        guild_id: int,
        user_id: int | None = None,
        name: str | None = None,
        *,
        bot: bool = False,
        nick: str | None = None,
        roles: Iterable[int | Role] = (),
        dm_closed: bool = False,
        global_name: str | None = None,
    ) -> Member:
        """Join a (new or existing) user to a guild; emits GUILD_MEMBER_ADD."""
        guild = self.state.get_guild(guild_id)
        user = self.state.users.get(int(user_id)) if user_id is not None else None
        if user is None or name is not None:
            user = self.state.create_user(
                name or f"user{len(self.state.users)}",
                user_id=user_id,
                bot=bot,
                global_name=global_name,
                dm_closed=dm_closed,
            )
        role_ids = [int(getattr(r, "id", r)) for r in roles]
        for rid in role_ids:
            self.state.get_role(guild.id, rid)
        member = Member(guild.id, user, nick=nick, roles=role_ids)
        guild.members[user.id] = member
        data = self.state.member_payload(member)
        data["guild_id"] = str(guild.id)
        await self.emit("GUILD_MEMBER_ADD", data, guild_id=guild.id)
        return member

    async def remove_member(self: FakeDiscord, guild_id: int, user_id: int) -> None:
        member = self.state.get_member(guild_id, user_id)
        del self.state.guilds[int(guild_id)].members[member.id]
        await self.emit(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild_id), "user": self.state.user_payload(member.user)},
            guild_id=int(guild_id),
        )

    async def update_member(
        self: FakeDiscord,
        guild_id: int,
        user_id: int,
        *,
        nick: str | None = None,
        roles: Iterable[int] | None = None,
    ) -> Member:
        member = self.state.get_member(guild_id, user_id)
        if nick is not None:
            member.nick = nick or None
        if roles is not None:
            member.roles = [int(getattr(r, "id", r)) for r in roles]
        await self.emit_member_update(member)
        return member

    def set_dm_closed(self: FakeDiscord, user_id: int, closed: bool = True) -> None:
        self.state.get_user(user_id).dm_closed = closed

    # ---------------------------------------------------------------- threads
    async def add_thread(
        self: FakeDiscord,
        parent_id: int,
        name: str,
        *,
        type: int = PRIVATE_THREAD,
        owner_id: int | None = None,
        invitable: bool = True,
        members: Iterable[int] = (),
        thread_id: int | None = None,
        auto_archive_duration: int = 1440,
    ) -> Channel:
        """Create a thread under ``parent_id``; emits THREAD_CREATE (+ members update)."""
        parent = self.state.get_channel(parent_id)
        owner = owner_id or self.state.bot_user.id
        thread = self.state.create_channel(
            parent.guild_id,
            name,
            type=type,
            parent_id=parent.id,
            owner_id=owner,
            invitable=bool(invitable),
            auto_archive_duration=auto_archive_duration,
            channel_id=thread_id,
        )
        thread.thread_members[owner] = iso()
        payload = self.state.channel_payload(thread)
        payload["newly_created"] = True
        await self.emit("THREAD_CREATE", payload, guild_id=thread.guild_id)
        for uid in members:
            await self.add_thread_member(thread.id, uid)
        return thread

    async def add_thread_member(self: FakeDiscord, thread_id: int, user_id: int) -> None:
        thread = self.state.get_channel(thread_id)
        self.state.get_member(thread.guild_id or 0, user_id)
        if int(user_id) in thread.thread_members:
            return
        thread.thread_members[int(user_id)] = iso()
        await self.emit(
            "THREAD_MEMBERS_UPDATE",
            {
                "id": str(thread.id),
                "guild_id": str(thread.guild_id),
                "member_count": len(thread.thread_members),
                "added_members": [
                    self.state.thread_member_payload(thread, int(user_id), with_member=True)
                ],
            },
            guild_id=thread.guild_id,
        )

    async def remove_thread_member(self: FakeDiscord, thread_id: int, user_id: int) -> None:
        thread = self.state.get_channel(thread_id)
        if thread.thread_members.pop(int(user_id), None) is None:
            return
        await self.emit(
            "THREAD_MEMBERS_UPDATE",
            {
                "id": str(thread.id),
                "guild_id": str(thread.guild_id),
                "member_count": len(thread.thread_members),
                "removed_member_ids": [str(user_id)],
            },
            guild_id=thread.guild_id,
        )

    # --------------------------------------------------------------- messages
    async def send_message(
        self: FakeDiscord,
        channel_id: int,
        user_id: int,
        content: str = "",
        *,
        embeds: list[dict[str, Any]] | None = None,
        reply_to: Message | int | None = None,
    ) -> Message:
        """A user posts a message (emits MESSAGE_CREATE, e.g. for ``on_message``)."""
        ch = self.state.get_channel(channel_id)
        body: dict[str, Any] = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {
                "message_id": str(getattr(reply_to, "id", reply_to)),
                "channel_id": str(ch.id),
            }
        msg = self.state.create_message(ch, int(user_id), body)
        await self.emit_message("MESSAGE_CREATE", msg)
        return msg

    async def send_dm(self: FakeDiscord, user_id: int, content: str) -> Message:
        """``user_id`` writes a DM to the bot."""
        ch = self.state.dm_channel_for(user_id)
        return await self.send_message(ch.id, user_id, content)

    async def edit_from_request(self: FakeDiscord, msg: Message, request: Any) -> Any:
        """Apply a PATCH body (JSON or multipart) to a message, emit MESSAGE_UPDATE, answer."""
        body, files = await read_payload(request)
        self.state.edit_message(
            msg, body, make_attachments(self.state, msg.channel_id, body, files)
        )
        await self.emit_message("MESSAGE_UPDATE", msg)
        return json_response(self.state.message_payload(msg))

    async def delete_message(self: FakeDiscord, msg: Message) -> None:
        msg.deleted = True
        if msg.ephemeral:
            return
        data = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        await self.emit("MESSAGE_DELETE", data, guild_id=msg.guild_id)

    # ----------------------------------------------------------------- queries
    def messages(
        self: FakeDiscord, channel_id: int, *, include_ephemeral: bool = True
    ) -> list[Message]:
        """Messages in a channel, oldest first (deleted ones left out)."""
        msgs = self.state.messages_in(int(getattr(channel_id, "id", channel_id)))
        return msgs if include_ephemeral else [m for m in msgs if not m.ephemeral]

    def dm_channel(self: FakeDiscord, user_id: int) -> Channel | None:
        """The DM channel the bot opened with ``user_id`` (None if it never did)."""
        cid = self.state.dm_channel_ids.get(int(user_id))
        return self.state.channels.get(cid) if cid else None

    def dm_messages(self: FakeDiscord, user_id: int) -> list[Message]:
        ch = self.dm_channel(user_id)
        return self.messages(ch.id) if ch else []

    def threads(self: FakeDiscord, parent_id: int | None = None) -> list[Channel]:
        return [
            c
            for c in self.state.channels.values()
            if c.is_thread and not c.deleted and (parent_id is None or c.parent_id == parent_id)
        ]

    def all_messages(self: FakeDiscord) -> list[Message]:
        """Every message in every channel (DMs and threads too), oldest first per channel."""
        return [m for msgs in self.state.channel_messages.values() for m in msgs if not m.deleted]

    def pings_of(self: FakeDiscord, user_id: int) -> list[Message]:
        """Messages that notified ``user_id`` (directly; see ``role_pings`` for roles)."""
        return [m for m in self.all_messages() if int(user_id) in m.pinged]

    def role_pings(self: FakeDiscord, role_id: int | None = None) -> list[Message]:
        """Messages that pinged a role (``role_id``, or any)."""
        return [m for m in self.all_messages()
                if m.pinged_roles and (role_id is None or int(role_id) in m.pinged_roles)]  # fmt: skip

    def everyone_pings(self: FakeDiscord) -> list[Message]:
        """Messages that pinged @everyone or @here."""
        return [m for m in self.all_messages() if m.pinged_everyone]

    def mention_thread_adds(self: FakeDiscord, user_id: int | None = None) -> list[Message]:
        """Messages whose mentions pulled someone (``user_id``, or anyone) into a thread."""
        return [m for m in self.all_messages()
                if m.added_to_thread and (user_id is None or int(user_id) in m.added_to_thread)]  # fmt: skip

    def channel(self: FakeDiscord, channel_id: int) -> Channel:
        return self.state.get_channel(channel_id)

    def member(self: FakeDiscord, guild_id: int, user_id: int) -> Member:
        return self.state.get_member(guild_id, user_id)

    # ----------------------------------------------------------------- waiting
    async def wait_for(
        self: FakeDiscord, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.005
    ) -> T:
        """Poll ``predicate()`` until it returns something truthy; return that value."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout}s: {predicate!r}")
            await asyncio.sleep(interval)

    async def wait_for_message(
        self: FakeDiscord,
        channel_id: int,
        predicate: Callable[[Message], bool] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> Message:
        """First message in ``channel_id`` (newer than id ``after``) matching ``predicate``."""

        def check() -> Message | None:
            for m in self.messages(channel_id):
                if m.id > after and not m.flags & 128 and (predicate is None or predicate(m)):
                    return m
            return None

        return await self.wait_for(check, timeout=timeout)

    async def wait_for_dm(
        self: FakeDiscord,
        user_id: int,
        predicate: Callable[[Message], bool] | None = None,
        *,
        timeout: float = 5.0,
    ) -> Message:
        def check() -> Message | None:
            return next(
                (
                    m
                    for m in self.dm_messages(user_id)
                    if m.author_id != user_id and (predicate is None or predicate(m))
                ),
                None,
            )

        return await self.wait_for(check, timeout=timeout)


__all__ = ["DriverMixin"]
