"""REST handlers: channels, messages, reactions, threads and thread members."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote

from aiohttp import web

from .httputil import json_response, make_attachments, no_content, read_payload
from .models import DM, PRIVATE_THREAD, PUBLIC_THREAD, Channel, Message, iso
from .state import ApiError

if TYPE_CHECKING:
    from .server import FakeDiscord


def cannot_dm() -> ApiError:
    return ApiError(403, 50007, "Cannot send messages to this user")


class ChannelApi:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server
        self.state = server.state

    def routes(self) -> list[web.RouteDef]:
        c = "/channels/{channel_id}"
        msg = c + "/messages/{message_id}"
        react = msg + "/reactions/{emoji}"
        tm = c + "/thread-members"
        return [
            web.get(c, self.get_channel),
            web.patch(c, self.edit_channel),
            web.delete(c, self.delete_channel),
            web.post(c + "/typing", self.typing),
            web.get(c + "/messages", self.history),
            web.post(c + "/messages", self.send_message),
            web.get(msg, self.get_message),
            web.patch(msg, self.edit_message),
            web.delete(msg, self.delete_message),
            web.put(react + "/@me", self.add_reaction),
            web.delete(react + "/@me", self.remove_reaction),
            web.get(react, self.get_reactions),
            web.post(c + "/threads", self.create_thread),
            web.post(msg + "/threads", self.create_thread_from_message),
            web.get(tm, self.list_thread_members),
            web.get(tm + "/{user_id}", self.get_thread_member),
            web.put(tm + "/{user_id}", self.add_thread_member),
            web.delete(tm + "/{user_id}", self.remove_thread_member),
        ]

    def _channel(self, request: web.Request) -> Channel:
        return self.state.get_channel(request.match_info["channel_id"])

    def _message(self, request: web.Request) -> Message:
        return self.state.get_message(
            request.match_info["channel_id"], request.match_info["message_id"]
        )

    def _thread(self, request: web.Request) -> Channel:
        ch = self._channel(request)
        if not ch.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return ch

    # ------------------------------------------------------------------ channel
    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self.state.channel_payload(self._channel(request)))

    async def edit_channel(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        body, _ = await read_payload(request)
        for key in ("name", "topic", "locked", "invitable", "auto_archive_duration", "position"):
            if key in body and body[key] is not None:
                setattr(ch, key, body[key])
        if "parent_id" in body and not ch.is_thread:
            ch.parent_id = int(body["parent_id"]) if body["parent_id"] else None
        if (
            "archived" in body
            and body["archived"] is not None
            and bool(body["archived"]) != ch.archived
        ):
            ch.archived = bool(body["archived"])
            ch.archive_timestamp = iso()
        payload = self.state.channel_payload(ch)
        event = "THREAD_UPDATE" if ch.is_thread else "CHANNEL_UPDATE"
        await self.server.emit(event, payload, guild_id=ch.guild_id)
        return json_response(payload)

    async def delete_channel(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        payload = self.state.channel_payload(ch)
        ch.deleted = True
        if ch.is_thread:
            await self.server.emit(
                "THREAD_DELETE",
                {
                    "id": str(ch.id),
                    "guild_id": str(ch.guild_id),
                    "parent_id": str(ch.parent_id),
                    "type": ch.type,
                },
                guild_id=ch.guild_id,
            )
        elif ch.guild_id is not None:
            self.state.guilds[ch.guild_id].channel_ids.remove(ch.id)
            await self.server.emit("CHANNEL_DELETE", payload, guild_id=ch.guild_id)
        return json_response(payload)

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request)
        return no_content()

    # ----------------------------------------------------------------- messages
    async def history(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        q = request.query
        limit = max(1, min(int(q.get("limit", 50)), 100))
        msgs = [m for m in self.state.messages_in(ch.id) if not m.ephemeral]
        if "before" in q:
            msgs = [m for m in msgs if m.id < int(q["before"])]
        if "after" in q:
            msgs = [m for m in msgs if m.id > int(q["after"])][:limit]
        if "around" in q:
            around = int(q["around"])
            older = [m for m in msgs if m.id <= around][-(limit // 2 + 1) :]
            newer = [m for m in msgs if m.id > around][: limit - len(older)]
            msgs = older + newer
        msgs = sorted(msgs, key=lambda m: m.id, reverse=True)[:limit]
        return json_response([self.state.message_payload(m) for m in msgs])

    async def send_message(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        body, files = await read_payload(request)
        if ch.type == DM:
            recipient = self.state.users[ch.recipient_ids[0]]
            if recipient.dm_closed or recipient.bot:
                raise cannot_dm()
        if not (
            body.get("content")
            or body.get("embeds")
            or files
            or body.get("components")
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            raise ApiError(400, 50006, "Cannot send an empty message")
        if ch.is_thread and ch.archived:
            if ch.locked:
                raise ApiError(400, 50083, "Thread is archived")
            ch.archived = False
        nonce = body.get("nonce")
        if nonce is not None and len(str(nonce)) > 25:
            raise ApiError(400, 50035, "Invalid Form Body: nonce longer than 25")
        if nonce is not None and body.get("enforce_nonce"):
            # Like Discord: the same nonce from the same author in the same channel within
            # a few minutes returns the first message instead of sending a second one.
            for earlier in reversed(self.state.channel_messages.get(ch.id, [])[-500:]):
                if earlier.nonce == nonce and earlier.author_id == self.state.bot_user.id:
                    self.server.deduplicated += 1
                    return json_response(self.state.message_payload(earlier))
        msg = self.state.create_message(
            ch, self.state.bot_user.id, body, make_attachments(self.state, ch.id, body, files)
        )
        await self.server.emit_message("MESSAGE_CREATE", msg)
        return json_response(self.state.message_payload(msg))

    async def get_message(self, request: web.Request) -> web.Response:
        return json_response(self.state.message_payload(self._message(request)))

    async def edit_message(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        if msg.author_id != self.state.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        return await self.server.edit_from_request(msg, request)

    async def delete_message(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        await self.server.delete_message(msg)
        return no_content()

    # ---------------------------------------------------------------- reactions
    async def add_reaction(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        msg.reactions.setdefault(unquote(request.match_info["emoji"]), set()).add(
            self.state.bot_user.id
        )
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        msg.reactions.get(unquote(request.match_info["emoji"]), set()).discard(
            self.state.bot_user.id
        )
        return no_content()

    async def get_reactions(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        users = msg.reactions.get(unquote(request.match_info["emoji"]), set())
        return json_response([self.state.user_payload(self.state.users[u]) for u in sorted(users)])

    # ------------------------------------------------------------------ threads
    async def create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel(request)
        body, _ = await read_payload(request)
        if parent.guild_id is None or parent.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        thread = await self.server.add_thread(
            parent.id,
            body.get("name") or "thread",
            type=int(body.get("type") or PRIVATE_THREAD),
            owner_id=self.state.bot_user.id,
            invitable=body.get("invitable", True),
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        return json_response(self.state.channel_payload(thread), status=201)

    async def create_thread_from_message(self, request: web.Request) -> web.Response:
        parent = self._channel(request)
        msg = self._message(request)
        body, _ = await read_payload(request)
        if msg.id in self.state.channels:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        thread = await self.server.add_thread(
            parent.id,
            body.get("name") or "thread",
            type=PUBLIC_THREAD,
            owner_id=self.state.bot_user.id,
            thread_id=msg.id,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        return json_response(self.state.channel_payload(thread), status=201)

    def _user_id(self, request: web.Request) -> int:
        raw = request.match_info["user_id"]
        return self.state.bot_user.id if raw == "@me" else int(raw)

    async def list_thread_members(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        with_member = request.query.get("with_member") in ("true", "True", "1")
        return json_response(
            [
                self.state.thread_member_payload(thread, u, with_member=with_member)
                for u in thread.thread_members
            ]
        )

    async def get_thread_member(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        uid = self._user_id(request)
        if uid not in thread.thread_members:
            raise ApiError(404, 10007, "Unknown Member")
        with_member = request.query.get("with_member") in ("true", "True", "1")
        return json_response(self.state.thread_member_payload(thread, uid, with_member=with_member))

    async def add_thread_member(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        if thread.archived:
            raise ApiError(400, 50083, "Thread is archived")
        await self.server.add_thread_member(thread.id, self._user_id(request))
        return no_content()

    async def remove_thread_member(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        await self.server.remove_thread_member(thread.id, self._user_id(request))
        return no_content()
