"""Discord benchmarks against the loopback server in tests/fakediscord.

(a) a join raid: N joins spread over S seconds -> welcome messages sent, peak requests per
    second, 429s, time until everyone is greeted;
(b) C concurrent `/mentor` interactions -> time from dispatch to the interaction callback,
    p50/p99, on SQLite and (with MENTORBOT_TEST_POSTGRES_URL) PostgreSQL.

    python -m bench.discord [--joins 1000 --seconds 60] [--concurrent 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.discord.env import bot_env, make_community
from tests.fakediscord import FakeDiscord, point_discord_at
from tests.pgdb import fresh_database


async def raid(joins: int, seconds: float) -> dict[str, float]:
    """Members join at an even pace; everyone must be greeted."""
    server = await FakeDiscord().start()
    try:
        with point_discord_at(server), tempfile.TemporaryDirectory() as tmp:
            async with bot_env(server, Path(tmp), greeting_window=5.0) as env:
                welcome = env.c.welcome.id
                start = time.monotonic()
                gap = seconds / joins
                for i in range(joins):
                    await env.member(f"raider{i}", wait=False)
                    await asyncio.sleep(max(0.0, start + (i + 1) * gap - time.monotonic()))

                def greeted() -> int:
                    return sum(m.content.count("<@") for m in server.messages(welcome))

                await env.wait(lambda: greeted() >= joins, timeout=seconds + 120)
                took = time.monotonic() - start
                bot_requests = [r for r in server.requests if r.route != "/gateway"]
                return {
                    "joins": joins,
                    "messages": len(server.messages(welcome)),
                    "all greeted after s": round(took, 1),
                    "peak req/s": server.limiter.peak_rps(1.0),
                    "429s": len(server.rate_limited),
                    "requests": len(bot_requests),
                }
    finally:
        await server.stop()


async def mentor_burst(concurrent: int, database_url: str | None) -> dict[str, float]:
    """`concurrent` members press /mentor at the same moment."""
    server = await FakeDiscord().start()
    try:
        with point_discord_at(server), tempfile.TemporaryDirectory() as tmp:
            extra = {"bot": {"database_url": database_url}} if database_url else {}
            community = await make_community(server)
            async with bot_env(server, Path(tmp), [community], **extra) as env:
                mentors = [await env.member(f"mentor{i}") for i in range(30)]
                for i, m in enumerate(mentors):
                    await env.slash(m, "mentor-signup", {"skills": f"python, skill{i % 7}"})
                newcomers = [await env.member(f"newcomer{i}") for i in range(concurrent)]
                await env.bot.greeter.drain()
                handles = await asyncio.gather(*(
                    server.send_slash(community.guild.id, community.general.id, n.user.id,
                                      "mentor", {"topic": "python"})
                    for n in newcomers
                ))  # fmt: skip
                await asyncio.gather(*(h.response(timeout=30) for h in handles))
                latencies = sorted(h.latency * 1000 for h in handles)
                if os.environ.get("BENCH_DEBUG"):
                    print([round(x) for x in latencies[::10]])
                answered = await asyncio.gather(*(h.wait_followups(1, timeout=60) for h in handles))
                q = statistics.quantiles(latencies, n=100)
                return {
                    "interactions": concurrent,
                    "callback p50 ms": round(q[49], 1),
                    "callback p99 ms": round(q[98], 1),
                    "max ms": round(latencies[-1], 1),
                    "answered": sum(1 for a in answered if a),
                    "429s": len(server.rate_limited),
                }
    finally:
        await server.stop()


def table(rows: list[dict[str, float]], label: str) -> None:
    keys = list(rows[0])
    print(f"| {label} | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for name, row in zip(("SQLite", "PostgreSQL"), rows, strict=False):
        print(f"| {name} | " + " | ".join(str(row[k]) for k in keys) + " |", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--joins", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--only", choices=["raid", "mentor"], default=None)
    args = parser.parse_args()
    if args.only in (None, "raid"):
        result = await raid(args.joins, args.seconds)
        print("| raid | " + " | ".join(result) + " |")
        print("|---|" + "---:|" * len(result))
        print("| loopback | " + " | ".join(str(v) for v in result.values()) + " |", flush=True)
    if args.only in (None, "mentor"):
        rows = [await mentor_burst(args.concurrent, None)]
        admin = os.environ.get("MENTORBOT_TEST_POSTGRES_URL")
        if admin:
            async with fresh_database(admin, "mentorbot_bench") as url:
                rows.append(await mentor_burst(args.concurrent, url))
        table(rows, "/mentor burst")


if __name__ == "__main__":
    asyncio.run(main())
