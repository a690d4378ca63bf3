"""Check-in sweep benchmark: N due check-ins delivered to the loopback Discord server.

Reports total time, peak requests per second (target <= 40/s, leaving room for interactive
traffic), lateness after the due time (p50/p99; the floor is N / 40 s), and duplicates.

    python -m bench.checkins [--pairs 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from bot.core.context import Actor
from bot.scheduler import Sweeper
from storage.models import Pair
from tests.discord.env import bot_env
from tests.fakediscord import point_discord_at
from tests.fakediscord.threaded import threaded_server

MESSAGES_ROUTE = "/channels/{channel_id}/messages"


async def run(pairs: int) -> dict[str, float]:
    async with threaded_server() as server:
        with point_discord_at(server), tempfile.TemporaryDirectory() as tmp:
            async with bot_env(server, Path(tmp)) as env:
                mentee, mentor = await env.member("mentee"), await env.member("mentor")
                threads = [
                    await server.add_thread(env.c.mentoring.id, f"Mentoring {i}")
                    for i in range(pairs)
                ]
                await env.wait(lambda: env.bot.get_channel(threads[-1].id) is not None, 60)
                services = env.services
                now = services.ctx.clock.now()
                ids = {}
                for name, who in (("mentee", mentee), ("mentor", mentor)):
                    actor = Actor("discord", str(env.c.guild.id), str(who.user.id), name)
                    row = await services.profiles.member(actor)
                    ids[name], community = row.id, row.community_id
                async with services.ctx.db.begin() as s:
                    for start in range(0, pairs, 1000):
                        await s.execute(insert(Pair), [
                            {"community_id": community, "mentor_member_id": ids["mentor"],
                             "mentee_id": ids["mentee"], "space_ref": str(t.id),
                             "next_checkin_at": now}
                            for t in threads[start : start + 1000]
                        ])  # fmt: skip
                before = len(server.requests)
                t0 = time.monotonic()
                await Sweeper(services).sweep()
                total = time.monotonic() - t0
                sends = [r for r in server.requests[before:] if r.route == MESSAGES_ROUTE]
                lateness = sorted(r.at - t0 for r in sends)
                per_thread = [len(server.messages(t.id)) for t in threads]
                q = statistics.quantiles(lateness, n=100)
                return {
                    "check-ins": pairs,
                    "delivered": sum(1 for n in per_thread if n >= 1),
                    "duplicates": sum(n - 1 for n in per_thread if n > 1),
                    "total s": round(total, 1),
                    "floor s (N/40)": round(pairs / 40, 1),
                    "peak req/s": server.limiter.peak_rps(1.0),
                    "p50 lateness s": round(q[49], 1),
                    "p99 lateness s": round(q[98], 1),
                    "429s": len(server.rate_limited),
                }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10_000)
    args = parser.parse_args()
    result = await run(args.pairs)
    print("| sweep | " + " | ".join(result) + " |")
    print("|---|" + "---:|" * len(result))
    print("| loopback Discord, SQLite | " + " | ".join(str(v) for v in result.values()) + " |")


if __name__ == "__main__":
    asyncio.run(main())
