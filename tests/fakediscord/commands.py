"""REST handlers for application commands (global and per guild)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .httputil import json_response, no_content, read_payload
from .models import CommandRecord
from .state import ApiError

if TYPE_CHECKING:
    from .server import FakeDiscord


class CommandApi:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server
        self.state = server.state

    def routes(self) -> list[web.RouteDef]:
        glob = "/applications/{application_id}/commands"
        guild = "/applications/{application_id}/guilds/{guild_id}/commands"
        out = []
        for base in (glob, guild):
            out += [
                web.get(base, self.list_commands),
                web.put(base, self.bulk_overwrite),
                web.post(base, self.upsert),
                web.get(base + "/{command_id}", self.get_command),
                web.patch(base + "/{command_id}", self.edit_command),
                web.delete(base + "/{command_id}", self.delete_command),
            ]
        return out

    def _store(self, request: web.Request) -> tuple[dict[int, CommandRecord], int | None]:
        if int(request.match_info["application_id"]) != self.state.application_id:
            raise ApiError(403, 50001, "Missing Access")
        gid = request.match_info.get("guild_id")
        if gid is None:
            return self.state.global_commands, None
        guild = self.state.get_guild(gid)
        return self.state.guild_commands.setdefault(guild.id, {}), guild.id

    def _record(
        self, store: dict[int, CommandRecord], guild_id: int | None, body: dict[str, Any]
    ) -> CommandRecord:
        if not isinstance(body, dict) or not body.get("name"):
            raise ApiError(400, 50035, "Invalid Form Body")
        ctype = int(body.get("type") or 1)
        existing = next(
            (
                r
                for r in store.values()
                if r.name == body["name"] and int(r.data.get("type", 1)) == ctype
            ),
            None,
        )
        data = copy.deepcopy(body)
        data.setdefault("description", "")
        data.setdefault("options", [])
        data.setdefault("default_member_permissions", None)
        data.setdefault("nsfw", False)
        data.update(
            type=ctype,
            application_id=str(self.state.application_id),
            version=str(self.state.new_id()),
        )
        data["id"] = str(existing.id if existing else self.state.new_id())
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return CommandRecord(data, guild_id)

    async def list_commands(self, request: web.Request) -> web.Response:
        store, _ = self._store(request)
        return json_response([r.data for r in store.values()])

    async def bulk_overwrite(self, request: web.Request) -> web.Response:
        store, guild_id = self._store(request)
        body, _ = await read_payload(request)
        if not isinstance(body, list):
            raise ApiError(400, 50035, "Invalid Form Body")
        records = [self._record(store, guild_id, item) for item in body]
        store.clear()
        store.update({r.id: r for r in records})
        self.server.command_syncs.append((guild_id, [r.data for r in records]))
        return json_response([r.data for r in records])

    async def upsert(self, request: web.Request) -> web.Response:
        store, guild_id = self._store(request)
        body, _ = await read_payload(request)
        record = self._record(store, guild_id, body)
        created = record.id not in store
        store[record.id] = record
        return json_response(record.data, status=201 if created else 200)

    def _get(self, request: web.Request) -> tuple[dict[int, CommandRecord], CommandRecord]:
        store, _ = self._store(request)
        try:
            return store, store[int(request.match_info["command_id"])]
        except (KeyError, ValueError):
            raise ApiError(404, 10063, "Unknown application command") from None

    async def get_command(self, request: web.Request) -> web.Response:
        return json_response(self._get(request)[1].data)

    async def edit_command(self, request: web.Request) -> web.Response:
        _, record = self._get(request)
        body, _ = await read_payload(request)
        record.data.update(copy.deepcopy(body))
        record.data["version"] = str(self.state.new_id())
        return json_response(record.data)

    async def delete_command(self, request: web.Request) -> web.Response:
        store, record = self._get(request)
        del store[record.id]
        return no_content()
