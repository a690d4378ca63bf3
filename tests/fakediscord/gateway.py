"""Gateway (websocket) side of the fake Discord server.

Plain JSON text frames are sent even when the client asks for
``compress=zlib-stream``: discord.py only runs its decompressor on binary
frames, so text frames are accepted as-is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger("fakediscord.gateway")

GUILD_EVENTS = {
    "GUILD_CREATE",
    "GUILD_UPDATE",
    "GUILD_DELETE",
    "GUILD_ROLE_CREATE",
    "GUILD_ROLE_UPDATE",
    "GUILD_ROLE_DELETE",
    "CHANNEL_CREATE",
    "CHANNEL_UPDATE",
    "CHANNEL_DELETE",
    "THREAD_CREATE",
    "THREAD_UPDATE",
    "THREAD_DELETE",
    "THREAD_LIST_SYNC",
    "THREAD_MEMBER_UPDATE",
    "THREAD_MEMBERS_UPDATE",
}
MEMBER_EVENTS = {"GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"}
MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"}


def required_intent(event: str, guild_id: int | None) -> int:
    """The intent bit a session needs to receive ``event`` (0 = always sent)."""
    if event in GUILD_EVENTS:
        return INTENT_GUILDS
    if event in MEMBER_EVENTS:
        return INTENT_GUILD_MEMBERS
    if event in MESSAGE_EVENTS:
        return INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
    return 0


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    query: dict[str, str]
    session: GatewaySession | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    heartbeats: int = 0
    server_close_code: int | None = None  # set when the server initiated the close

    async def close(self, code: int, message: bytes = b"") -> None:
        self.server_close_code = code
        with contextlib.suppress(Exception):
            await self.ws.close(code=code, message=message)

    async def send(self, payload: dict[str, Any]) -> bool:
        if self.ws.closed:
            return False
        async with self.lock:
            try:
                await self.ws.send_str(json.dumps(payload))
            except (ConnectionError, RuntimeError):
                return False
        return True


@dataclass(eq=False)
class GatewaySession:
    """One identified gateway session (survives a resumable disconnect)."""

    id: str
    intents: int
    shard: tuple[int, int] | None
    identify: dict[str, Any]
    conn: Connection | None = None
    seq: int = 0
    invalidated: bool = False
    created_at: float = field(default_factory=time.monotonic)
    sent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=5000))

    @property
    def connected(self) -> bool:
        return self.conn is not None and not self.conn.ws.closed

    def has_intent(self, bit: int) -> bool:
        return bool(self.intents & bit)

    def owns_guild(self, guild_id: int | None) -> bool:
        if self.shard is None:
            return True
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (int(guild_id) >> 22) % count == shard_id


class Gateway:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server
        self.heartbeat_interval_ms = 41250
        self.allowed_privileged_intents = PRIVILEGED_INTENTS
        self.connections: set[Connection] = set()
        self.sessions: dict[str, GatewaySession] = {}
        self.identifies: list[dict[str, Any]] = []
        self.dispatch_log: deque[tuple[str, dict[str, Any], int]] = deque(maxlen=20000)

    # ------------------------------------------------------------------ helpers
    @property
    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.connected and not s.invalidated]

    async def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: int | None = None
    ) -> int:
        """Send a DISPATCH to every session allowed to see it; returns the live deliveries."""
        need = required_intent(event, guild_id)
        delivered = 0
        for session in list(self.sessions.values()):
            if session.invalidated or not session.owns_guild(guild_id):
                continue
            if need and not session.has_intent(need):
                continue
            payload = self._for_session(session, event, data, guild_id)
            if await self._send_dispatch(session, event, payload):
                delivered += 1
        self.dispatch_log.append((event, data, delivered))
        return delivered

    def _for_session(
        self, session: GatewaySession, event: str, data: dict[str, Any], guild_id: int | None
    ) -> dict[str, Any]:
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or guild_id is None:
            return data
        if session.has_intent(INTENT_MESSAGE_CONTENT):
            return data
        bot_id = str(self.server.state.bot_user.id)
        author = (data.get("author") or {}).get("id")
        if author == bot_id or any(m.get("id") == bot_id for m in data.get("mentions", [])):
            return data
        stripped = dict(data)
        stripped.update(content="", embeds=[], attachments=[], components=[])
        return stripped

    async def _send_dispatch(
        self, session: GatewaySession, event: str, data: dict[str, Any]
    ) -> bool:
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(payload)
        conn = session.conn
        if conn is None:
            return False
        return await conn.send(payload)

    # ---------------------------------------------------------------- websocket
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, dict(request.query))
        self.connections.add(conn)
        await conn.send(
            {
                "op": 10,
                "s": None,
                "t": None,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": []},
            }
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                code = conn.server_close_code or ws.close_code
                if code in (1000, 1001):
                    session.invalidated = True
        return ws

    async def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            conn.heartbeats += 1
            await conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif op == 8:
            await self._request_members(conn, data or {})
        elif op in (3, 4):
            return  # presence / voice state updates are accepted and ignored
        else:
            log.warning("fake gateway: unknown opcode %s", op)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if data.get("token") != self.server.token:
            await conn.close(4004, b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await conn.close(4014, b"Disallowed intent(s).")
            return
        shard = data.get("shard")
        shard_t = (int(shard[0]), int(shard[1])) if shard else None
        if shard_t is not None and not (0 <= shard_t[0] < shard_t[1]):
            await conn.close(4010, b"Invalid shard.")
            return
        session = GatewaySession(secrets.token_hex(16), intents, shard_t, data, conn)
        self.sessions[session.id] = session
        conn.session = session
        state = self.server.state
        guilds = [g for g in state.guilds.values() if session.owns_guild(g.id)]
        user = state.user_payload(state.bot_user)
        user.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
        ready = {
            "v": 10,
            "user": user,
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.server.gateway_url,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "application": {"id": str(state.application_id), "flags": 1 << 19 | 1 << 15 | 1 << 13},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["fakediscord"],
        }
        if shard_t is not None:
            ready["shard"] = list(shard_t)
        await self._send_dispatch(session, "READY", ready)
        for guild in guilds:
            await self._send_dispatch(session, "GUILD_CREATE", state.guild_payload(guild))

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))

        if session is None or session.invalidated or data.get("token") != self.server.token:
            await conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        if session.conn is not None and session.conn is not conn:
            old = session.conn
            session.conn = None
            await old.close(4000)
        session.conn = conn
        conn.session = session
        last = int(data.get("seq") or 0)
        for payload in list(session.sent):
            if payload["s"] > last:
                await conn.send(payload)
        await self._send_dispatch(session, "RESUMED", {"_trace": ["fakediscord"]})

    async def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        session = conn.session
        if session is None:
            return
        state = self.server.state
        guild_ids = data.get("guild_id")
        for gid in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = state.guilds.get(int(gid))
            if guild is None:
                continue
            members = list(guild.members.values())
            user_ids = data.get("user_ids")
            not_found: list[str] = []
            if user_ids:
                wanted = [int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])]
                members = [m for m in members if m.user.id in wanted]
                not_found = [str(u) for u in wanted if u not in guild.members]
            elif data.get("query"):
                q = str(data["query"]).lower()
                members = [
                    m
                    for m in members
                    if m.user.username.lower().startswith(q) or (m.nick or "").lower().startswith(q)
                ]
            limit = int(data.get("limit") or 0)
            if limit:
                members = members[:limit]
            chunks = [members[i : i + 1000] for i in range(0, len(members), 1000)] or [[]]
            for index, chunk in enumerate(chunks):
                payload: dict[str, Any] = {
                    "guild_id": str(guild.id),
                    "chunk_index": index,
                    "chunk_count": len(chunks),
                    "members": [state.member_payload(m) for m in chunk],
                }
                if not_found and index == 0:
                    payload["not_found"] = not_found
                if data.get("nonce"):
                    payload["nonce"] = data["nonce"]
                if data.get("presences"):
                    payload["presences"] = []
                await self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", payload)

    # ------------------------------------------------------------ driver helpers
    async def drop_connections(self, code: int = 4000) -> None:
        """Close every socket; sessions stay resumable unless ``code`` is 1000/1001."""
        for conn in list(self.connections):
            if conn.session is not None and code in (1000, 1001):
                conn.session.invalidated = True
            await conn.close(code)

    async def send_reconnect(self) -> None:
        """Ask every client to reconnect (op 7); discord.py then RESUMEs."""
        for conn in list(self.connections):
            await conn.send({"op": 7, "s": None, "t": None, "d": None})

    async def invalidate_sessions(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION to every client."""
        for conn in list(self.connections):
            if conn.session is not None and not resumable:
                conn.session.invalidated = True
            await conn.send({"op": 9, "s": None, "t": None, "d": resumable})
