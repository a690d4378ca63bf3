"""Matrix benchmark: 200 joins greeted and 200 `!mentor` answered, against a local Synapse.

Starts a Synapse on 127.0.0.1 (the test harness's SynapseServer, rate limits opened as
for a bot account exempted with `override_ratelimit`), runs the real Matrix front-end on
SQLite, lets N users join the community room within a short time, then has each of them
send `!mentor`. Prints a markdown table.

    python -m bench.matrix_greeting [--users 200] [--mentors 5] [--window 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import aiohttp

from bot.app import core
from bot.config import Settings
from bot.platforms.matrix import MatrixFrontend
from tests.matrix.synapse import RegisteredUser, SynapseServer, unique_name


class Http:
    """Many users over one aiohttp session (200 nio clients would measure nio, not the bot)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession()

    async def call(self, user: RegisteredUser, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {user.access_token}"}
        async with self.session.request(method, self.base + path, json=body, headers=headers) as r:
            data = await r.json(content_type=None)
            if r.status != 200:
                raise RuntimeError(f"{method} {path}: {r.status} {data}")
            return data

    async def join(self, user: RegisteredUser, room: str) -> None:
        await self.call(user, "POST", f"/_matrix/client/v3/join/{quote(room)}", {})

    async def say(self, user: RegisteredUser, room: str, text: str) -> str:
        path = f"/_matrix/client/v3/rooms/{quote(room)}/send/m.room.message/{uuid4().hex}"
        data = await self.call(user, "PUT", path, {"msgtype": "m.text", "body": text})
        return str(data["event_id"])

    async def messages(self, user: RegisteredUser, room: str, limit: int = 1000) -> list[dict]:
        events: list[dict] = []
        token = ""
        while len(events) < limit:
            path = f"/_matrix/client/v3/rooms/{quote(room)}/messages?dir=b&limit=500"
            data = await self.call(user, "GET", path + (f"&from={token}" if token else ""))
            events.extend(data.get("chunk", []))
            if not data.get("end") or not data.get("chunk"):
                break
            token = data["end"]
        return list(reversed(events))

    async def close(self) -> None:
        await self.session.close()


async def _gather(limit: int, coros: list[Any]) -> list[Any]:
    sem = asyncio.Semaphore(limit)

    async def one(coro: Any) -> Any:
        async with sem:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))


async def _until(check: Any, limit: float, what: str) -> float:
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > limit:
            raise TimeoutError(what)
        await asyncio.sleep(0.2)
    return time.monotonic()


async def run(users: int, mentors: int, window: float) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-matrix-"))
    server = SynapseServer(tmp / "synapse", log_level="WARNING")
    server.start()
    http = Http(server.base_url)
    try:
        bot = await server.register(unique_name("mentorbot"))
        mod = await server.register(unique_name("moderator"))
        people = await _gather(20, [server.register(unique_name("newcomer")) for _ in range(users)])
        helpers = await _gather(
            10, [server.register(unique_name("mentor")) for _ in range(mentors)]
        )
        room = (
            await http.call(mod, "POST", "/_matrix/client/v3/createRoom",
                            {"preset": "public_chat", "name": "Bench", "invite": [bot.user_id]})
        )["room_id"]  # fmt: skip
        settings = Settings(
            bot={"database_url": f"sqlite:///{tmp / 'bench.db'}"},
            matrix={"homeserver": server.base_url, "user_id": bot.user_id,
                    "access_token": bot.access_token, "device_id": bot.device_id,
                    "store_path": str(tmp / "store"), "rooms": {room: {}}},
        )  # fmt: skip
        async with core(settings) as services:
            frontend = MatrixFrontend(settings.matrix, services, greeting_window=window)
            services.attach(frontend.platform)
            await frontend.start()
            try:
                return await _measure(http, frontend, bot, mod, room, people, helpers)
            finally:
                await frontend.stop()
    finally:
        await http.close()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


async def _measure(
    http: Http,
    frontend: MatrixFrontend,
    bot: RegisteredUser,
    observer: RegisteredUser,
    room: str,
    people: list[RegisteredUser],
    helpers: list[RegisteredUser],
) -> dict[str, Any]:
    for helper in helpers:  # mentors first, so `!mentor` has suggestions to give
        await http.join(helper, room)
        await http.say(helper, room, "!mentor-signup skills=python,git capacity=10")
    await asyncio.sleep(frontend.greeter.window + 1.0)

    async def bot_events() -> list[dict]:
        return [
            e for e in await http.messages(observer, room, limit=2000)
            if e.get("sender") == bot.user_id and e.get("type") == "m.room.message"
        ]  # fmt: skip

    before = len(await bot_events())
    wanted = {p.user_id for p in people}

    t0 = time.monotonic()
    await _gather(50, [http.join(p, room) for p in people])
    joined = time.monotonic()

    async def all_greeted() -> bool:
        greeted: set[str] = set()
        for e in (await bot_events())[before:]:
            greeted |= set((e.get("content", {}).get("m.mentions") or {}).get("user_ids", []))
        return wanted <= greeted

    greeted_at = await _until(all_greeted, 120, "greetings")
    greetings = len(await bot_events()) - before

    sent_at: dict[str, float] = {}

    async def ask(person: RegisteredUser) -> None:
        event_id = await http.say(person, room, "!mentor python")
        sent_at[event_id] = time.time() * 1000

    t1 = time.monotonic()
    await _gather(50, [ask(p) for p in people])
    replies: dict[str, int] = {}

    async def all_answered() -> bool:
        for e in await bot_events():
            rel = (e.get("content", {}).get("m.relates_to") or {}).get("m.in_reply_to") or {}
            if rel.get("event_id") in sent_at:
                replies[rel["event_id"]] = e["origin_server_ts"]
        return len(replies) >= len(sent_at)

    answered_at = await _until(all_answered, 300, "replies")
    latencies = sorted(replies[k] - sent_at[k] for k in replies)
    total = len(await bot_events()) - before
    return {
        "users": len(people),
        "join_spread_s": joined - t0,
        "last_greeting_s": greeted_at - t0,
        "greeting_messages": greetings,
        "last_reply_s": answered_at - t1,
        "reply_p50_ms": statistics.median(latencies),
        "reply_p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        "replies": len(replies),
        "bot_messages": total,
        "rate_limited": frontend.client.limited,
        "window_s": frontend.greeter.window,
    }


def table(r: dict[str, Any]) -> str:
    rows = [
        ("users joining / sending `!mentor`", f"{r['users']}"),
        ("joins sent within", f"{r['join_spread_s']:.1f} s"),
        ("first join → last greeting", f"{r['last_greeting_s']:.1f} s "
                                         f"(batch window {r['window_s']:.0f} s)"),
        ("greeting messages", f"{r['greeting_messages']} (≤ 20 mentions each)"),
        ("first `!mentor` → last reply", f"{r['last_reply_s']:.1f} s"),
        ("reply latency p50 / p95", f"{r['reply_p50_ms']:.0f} ms / {r['reply_p95_ms']:.0f} ms"),
        ("replies", f"{r['replies']}"),
        ("messages sent by the bot (total)", f"{r['bot_messages']}"),
        ("429 responses seen by the bot", f"{r['rate_limited']}"),
    ]  # fmt: skip
    lines = ["| metric | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--mentors", type=int, default=5)
    parser.add_argument("--window", type=float, default=5.0, help="greeting batch window (s)")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        result = asyncio.run(run(args.users, args.mentors, args.window))
        print(f"\n## Matrix: {args.users} joins and {args.users} `!mentor` (local Synapse)\n")
        print(table(result))


if __name__ == "__main__":
    main()
