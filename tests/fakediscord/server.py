"""A stateful loopback Discord server (REST API v10 + gateway) for discord.py tests.

Usage::

    server = FakeDiscord()
    await server.start()
    with point_discord_at(server):
        bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        async with running(bot, server):
            ...
    await server.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import yarl
from aiohttp import web

from .channels import ChannelApi
from .commands import CommandApi
from .driver import DriverMixin
from .gateway import Gateway
from .httputil import LEAKS_KEY, MARKS, json_response
from .interactions import InteractionHandle, InteractionMixin
from .models import RequestRecord, User
from .ratelimit import INTERACTION_ROUTE_PREFIXES, RateLimiter
from .rest import RestApi
from .state import ApiError, DiscordState
from .webhooks import WebhookApi

API_PREFIX = "/api/v10"
log = logging.getLogger("fakediscord")


@dataclass
class InjectedError:
    method: str
    route: str
    status: int
    code: int
    message: str
    times: int


class FakeDiscord(DriverMixin, InteractionMixin):
    """The server.  All state is plain data on ``self.state`` (see :mod:`.state`)."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "MentorBot",
        host: str = "127.0.0.1",
        port: int = 0,
        recommended_shards: int = 1,
    ) -> None:
        self.token = token
        self.host, self.port = host, port
        self.recommended_shards = recommended_shards
        self.state = DiscordState(bot_name=bot_name)
        self.limiter = RateLimiter()
        self.gateway = Gateway(self)
        self.interactions: list[InteractionHandle] = []
        self.deduplicated = 0  # sends answered from an earlier message with the same nonce
        self.interactions_by_id: dict[int, InteractionHandle] = {}
        self.interactions_by_token: dict[str, InteractionHandle] = {}
        self.command_syncs: list[tuple[int | None, list[dict[str, Any]]]] = []
        self.unhandled: list[tuple[str, str]] = []  # (method, path) of unknown routes
        self.injected_errors: list[InjectedError] = []
        self.latency = 0.0  # artificial delay (seconds) added to each REST request
        # Requests that carried the marks around member text (U+E000/U+E001): each one is
        # logged as an ERROR (the Discord tests' error_logs fixture fails the test on it)
        # and stop() fails too. A test that sends marks on purpose clears this list.
        self.mark_leaks: list[str] = []
        self._runner: web.AppRunner | None = None

    # -------------------------------------------------------------- lifecycle
    def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._api_middleware], client_max_size=64 * 1024 * 1024)
        routes: list[web.RouteDef] = []
        for api in (RestApi(self), ChannelApi(self), CommandApi(self), WebhookApi(self)):
            routes += api.routes()
        app.add_routes([web.route(r.method, API_PREFIX + r.path, r.handler) for r in routes])
        app.add_routes(
            [
                web.get("/gateway", self.gateway.handle),
                web.get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment),
            ]
        )
        return app

    async def start(self) -> FakeDiscord:
        self._runner = web.AppRunner(self._make_app(), access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        # A deep accept queue: the default 128 drops SYNs in a burst of connections and the
        # client retries a second later, which would look like bot latency.
        site = web.TCPSite(self._runner, self.host, self.port, backlog=2048)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.state.public_base = self.base_url
        return self

    async def stop(self) -> None:
        await self.gateway.drop_connections(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.mark_leaks:
            leaks, self.mark_leaks = self.mark_leaks, []
            raise AssertionError(
                "member-text marks (U+E000/U+E001) reached Discord:\n" + "\n".join(leaks)
            )

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    # -------------------------------------------------------------- shortcuts
    @property
    def bot_user(self) -> User:
        return self.state.bot_user

    @property
    def application_id(self) -> int:
        return self.state.application_id

    @property
    def requests(self) -> list[RequestRecord]:
        return self.limiter.records

    @property
    def rate_limited(self) -> list[RequestRecord]:
        return self.limiter.rate_limited

    def commands(self, guild_id: int | None = None) -> dict[str, dict[str, Any]]:
        """Registered commands by name (global, or for ``guild_id``)."""
        store = (
            self.state.global_commands
            if guild_id is None
            else self.state.guild_commands.get(guild_id, {})
        )
        return {rec.name: rec.data for rec in store.values()}

    def inject_error(
        self,
        method: str,
        route: str,
        status: int = 500,
        *,
        code: int = 0,
        message: str = "Internal Server Error",
        times: int = 1,
    ) -> None:
        """Make the next ``times`` requests to ``METHOD route`` fail with ``status``."""
        self.injected_errors.append(
            InjectedError(method.upper(), route, status, code, message, times)
        )

    # ------------------------------------------------------------ middleware
    @web.middleware
    async def _api_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        resource = request.match_info.route.resource
        route = resource.canonical[len(API_PREFIX) :] if resource is not None else None
        path = request.path[len(API_PREFIX) :]
        rec = RequestRecord(time.monotonic(), request.method, path, route, None)
        self.limiter.records.append(rec)
        headers: dict[str, str] = {}
        try:
            if route is None:  # unknown path or method
                self.unhandled.append((request.method, path))
                log.warning("fakediscord: no route for %s %s", request.method, path)
                raise ApiError(
                    404, 0, f"404: Not Found (fakediscord has no {request.method} {path})"
                )
            if (
                not route.startswith(INTERACTION_ROUTE_PREFIXES)
                and request.headers.get("Authorization") != f"Bot {self.token}"
            ):
                raise ApiError(401, 0, "401: Unauthorized")
            self._raise_injected(request.method, route)
            decision = self.limiter.check(request.method, route, dict(request.match_info))
            rec.bucket = decision.bucket
            headers = decision.headers
            if not decision.allowed:
                rec.rate_limited, rec.global_limit, rec.status = True, decision.global_limit, 429
                return json_response(decision.body, 429, decision.headers)
            if self.latency:
                await asyncio.sleep(self.latency)
            resp = await handler(request)
            resp.headers.update(headers)
        except ApiError as exc:
            resp = json_response(exc.body(), exc.status, headers)
        except web.HTTPException as exc:  # e.g. 405 from the router
            self.unhandled.append((request.method, path))
            resp = json_response({"message": exc.reason, "code": 0}, exc.status)
        rec.status = resp.status
        self._report_marks(request, path)
        return resp

    def _report_marks(self, request: web.Request, path: str) -> None:
        found = list(request.get(LEAKS_KEY, []))
        reason = unquote(request.headers.get("X-Audit-Log-Reason", ""))
        for where, text in (("path", unquote(path)), ("query", unquote(request.query_string)),
                            ("audit log reason", reason)):  # fmt: skip
            if any(m in text for m in MARKS):
                found.append(f"{where}={text!r}")
        for place in found:
            leak = f"{request.method} {path}: {place}"
            self.mark_leaks.append(leak)
            log.error("fakediscord: member-text marks reached Discord in %s", leak)

    def _raise_injected(self, method: str, route: str) -> None:
        for inj in self.injected_errors:
            if inj.method == method and inj.route == route and inj.times > 0:
                inj.times -= 1
                raise ApiError(inj.status, inj.code, inj.message)

    async def _attachment(self, request: web.Request) -> web.Response:
        for msgs in self.state.channel_messages.values():
            for msg in msgs:
                for att in msg.attachments:
                    if str(att.id) == request.match_info["attachment_id"]:
                        return web.Response(
                            body=att.data,
                            content_type=att.content_type or "application/octet-stream",
                        )
        return web.Response(status=404)


@contextlib.contextmanager
def point_discord_at(server: FakeDiscord) -> Iterator[FakeDiscord]:
    """Aim discord.py's REST base URL and default gateway at ``server``; restore afterwards."""
    import discord.gateway
    import discord.http

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = server.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    try:
        yield server
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
