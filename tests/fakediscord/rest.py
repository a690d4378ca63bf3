"""REST handlers: gateway info, users, DMs, application info, guilds, members, roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .httputil import json_response, no_content, read_payload
from .models import TEXT
from .state import ApiError

if TYPE_CHECKING:
    from .server import FakeDiscord


class RestApi:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server
        self.state = server.state

    def routes(self) -> list[web.RouteDef]:
        g = "/guilds/{guild_id}"
        m = g + "/members/{user_id}"
        return [
            web.get("/gateway", self.gateway),
            web.get("/gateway/bot", self.gateway_bot),
            web.get("/users/@me", self.me),
            web.post("/users/@me/channels", self.create_dm),
            web.get("/users/{user_id}", self.get_user),
            web.get("/oauth2/applications/@me", self.app_info),
            web.get("/applications/@me", self.app_info),
            web.get(g, self.get_guild),
            web.get(g + "/channels", self.guild_channels),
            web.post(g + "/channels", self.create_guild_channel),
            web.get(g + "/roles", self.guild_roles),
            web.post(g + "/roles", self.create_role),
            web.get(g + "/threads/active", self.active_threads),
            web.get(g + "/members", self.list_members),
            web.get(g + "/members/search", self.search_members),
            web.get(m, self.get_member),
            web.patch(m, self.edit_member),
            web.delete(m, self.kick_member),
            web.put(m + "/roles/{role_id}", self.add_member_role),
            web.delete(m + "/roles/{role_id}", self.remove_member_role),
        ]

    # ------------------------------------------------------------ gateway/users
    async def gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.server.gateway_url})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.server.gateway_url,
                "shards": self.server.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14400000,
                    "max_concurrency": 1,
                },
            }
        )

    async def me(self, request: web.Request) -> web.Response:
        data = self.state.user_payload(self.state.bot_user)
        data.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
        return json_response(data)

    async def get_user(self, request: web.Request) -> web.Response:
        return json_response(
            self.state.user_payload(self.state.get_user(request.match_info["user_id"]))
        )

    async def create_dm(self, request: web.Request) -> web.Response:
        body, _ = await read_payload(request)
        channel = self.state.dm_channel_for(int(body.get("recipient_id", 0)))
        return json_response(self.state.channel_payload(channel))

    async def app_info(self, request: web.Request) -> web.Response:
        return json_response(self.state.application_payload())

    # ------------------------------------------------------------------- guilds
    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self.state.get_guild(request.match_info["guild_id"])
        data = self.state.guild_payload(guild, members=[])
        for key in (
            "channels",
            "threads",
            "members",
            "voice_states",
            "presences",
            "joined_at",
            "large",
            "member_count",
            "unavailable",
        ):
            data.pop(key, None)
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = 0
        return json_response(data)

    async def guild_channels(self, request: web.Request) -> web.Response:
        guild = self.state.get_guild(request.match_info["guild_id"])
        chans = [self.state.channels[c] for c in guild.channel_ids]
        return json_response([self.state.channel_payload(c) for c in chans if not c.deleted])

    async def create_guild_channel(self, request: web.Request) -> web.Response:
        guild = self.state.get_guild(request.match_info["guild_id"])
        body, _ = await read_payload(request)
        if not body.get("name"):
            raise ApiError(400, 50035, "Invalid Form Body")
        ch = await self.server.add_channel(
            guild.id,
            body["name"],
            type=int(body.get("type") or TEXT),
            parent_id=int(body["parent_id"]) if body.get("parent_id") else None,
            topic=body.get("topic"),
        )
        return json_response(self.state.channel_payload(ch), status=201)

    async def guild_roles(self, request: web.Request) -> web.Response:
        guild = self.state.get_guild(request.match_info["guild_id"])
        return json_response([self.state.role_payload(r) for r in guild.roles.values()])

    async def create_role(self, request: web.Request) -> web.Response:
        guild = self.state.get_guild(request.match_info["guild_id"])
        body, _ = await read_payload(request)
        role = await self.server.add_role(
            guild.id, body.get("name") or "new role", permissions=int(body.get("permissions") or 0)
        )
        return json_response(self.state.role_payload(role))

    async def active_threads(self, request: web.Request) -> web.Response:
        guild = self.state.get_guild(request.match_info["guild_id"])
        threads = [
            c
            for c in self.state.channels.values()
            if c.guild_id == guild.id and c.is_thread and not c.archived and not c.deleted
        ]
        bot_id = self.state.bot_user.id
        return json_response(
            {
                "threads": [self.state.channel_payload(t) for t in threads],
                "members": [
                    self.state.thread_member_payload(t, bot_id)
                    for t in threads
                    if bot_id in t.thread_members
                ],
            }
        )

    # ------------------------------------------------------------------ members
    async def list_members(self, request: web.Request) -> web.Response:
        guild = self.state.get_guild(request.match_info["guild_id"])
        limit = min(int(request.query.get("limit", 1)), 1000)
        after = int(request.query.get("after", 0))
        members = sorted(
            (m for m in guild.members.values() if m.user.id > after), key=lambda m: m.user.id
        )
        return json_response([self.state.member_payload(m) for m in members[:limit]])

    async def search_members(self, request: web.Request) -> web.Response:
        guild = self.state.get_guild(request.match_info["guild_id"])
        query = request.query.get("query", "").lower()
        limit = min(int(request.query.get("limit", 1)), 1000)
        found = [
            m
            for m in guild.members.values()
            if m.user.username.lower().startswith(query) or (m.nick or "").lower().startswith(query)
        ]
        return json_response([self.state.member_payload(m) for m in found[:limit]])

    async def get_member(self, request: web.Request) -> web.Response:
        member = self.state.get_member(
            request.match_info["guild_id"], request.match_info["user_id"]
        )
        return json_response(self.state.member_payload(member))

    async def edit_member(self, request: web.Request) -> web.Response:
        member = self.state.get_member(
            request.match_info["guild_id"], request.match_info["user_id"]
        )
        body, _ = await read_payload(request)
        if "nick" in body:
            member.nick = body["nick"] or None
        if "roles" in body and body["roles"] is not None:
            guild = self.state.guilds[member.guild_id]
            roles = [int(r) for r in body["roles"]]
            for rid in roles:
                self.state.get_role(guild.id, rid)
            member.roles = roles
        await self.server.emit_member_update(member)
        return json_response(self.state.member_payload(member))

    async def kick_member(self, request: web.Request) -> web.Response:
        await self.server.remove_member(
            int(request.match_info["guild_id"]), int(request.match_info["user_id"])
        )
        return no_content()

    async def add_member_role(self, request: web.Request) -> web.Response:
        return await self._member_role(request, add=True)

    async def remove_member_role(self, request: web.Request) -> web.Response:
        return await self._member_role(request, add=False)

    async def _member_role(self, request: web.Request, *, add: bool) -> web.Response:
        info: dict[str, Any] = request.match_info
        member = self.state.get_member(info["guild_id"], info["user_id"])
        role = self.state.get_role(info["guild_id"], info["role_id"])
        changed = False
        if add and role.id not in member.roles:
            member.roles.append(role.id)
            changed = True
        elif not add and role.id in member.roles:
            member.roles.remove(role.id)
            changed = True
        if changed:
            await self.server.emit_member_update(member)
        return no_content()
