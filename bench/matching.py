"""Matching benchmark: `/mentor` suggestions among 10,000 and 100,000 mentors.

Runs the real RequestService (member resolution, request row, SQL pre-filter, scoring) on
SQLite and, when MENTORBOT_TEST_POSTGRES_URL is set, on PostgreSQL.

    python -m bench.matching [--sizes 10000 100000] [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert, text

from bot.core.clock import FakeClock
from bot.core.context import Actor, Context
from bot.core.services import Services
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Community, Member, MentorProfile
from tests.pgdb import fresh_database

SKILLS = [
    "python",
    "javascript",
    "typescript",
    "git",
    "docker",
    "kubernetes",
    "postgresql",
    "react",
    "vue",
    "go",
    "rust",
    "java",
    "cpp",
    "csharp",
    "linux",
    "bash",
    "design",
    "writing",
    "testing",
    "security",
    "machine",
    "learning",
    "data",
    "analysis",
    "sql",
    "aws",
    "azure",
    "terraform",
    "ansible",
    "networking",
    "ops",
    "accessibility",
    "documentation",
    "open",
    "source",
    "community",
    "career",
    "public",
    "speaking",
    "product",
    "management",
    "ux",
    "research",
    "android",
    "ios",
    "flutter",
    "django",
    "flask",
    "fastapi",
    "nodejs",
    "graphql",
    "redis",
    "kafka",
    "spark",
    "pandas",
    "statistics",
    "math",
    "physics",
]
LANGS = [("en", 0.85), ("de", 0.3), ("es", 0.15), ("fr", 0.12), ("pt", 0.08), ("ja", 0.04)]
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
    "Africa/Lagos",
    "UTC",
]


def _skill(rng: random.Random) -> str:
    # Zipf-like: popular skills are much more common than rare ones.
    return SKILLS[min(int(rng.paretovariate(1.1)) - 1, len(SKILLS) - 1)]


async def seed(services: Services, mentors: int, rng: random.Random) -> None:
    """Bulk-insert a community with `mentors` realistic mentor profiles."""
    now = services.ctx.clock.now()
    async with services.ctx.db.begin() as s:
        community = Community(platform="bench", external_id="g", name="g", created_at=now)
        s.add(community)
        await s.flush()
        cid = community.id
        batch = 5000
        for start in range(0, mentors, batch):
            ids = range(start, min(start + batch, mentors))
            await s.execute(insert(Member), [
                {"community_id": cid, "platform_user_id": f"m{i}", "display_name": f"mentor{i}",
                 "languages": [], "interests": [], "joined_at": now} for i in ids
            ])  # fmt: skip
        member_ids = [
            r[0]
            for r in (
                await s.execute(
                    Member.__table__.select().with_only_columns(Member.__table__.c.id)  # type: ignore[attr-defined]
                )
            ).all()
        ]
        profiles = []
        for n, member_id in enumerate(member_ids, start=1):
            mine = list(dict.fromkeys(_skill(rng) for _ in range(rng.randint(1, 5))))
            spoken = [code for code, p in LANGS if rng.random() < p] or ["en"]
            capacity = rng.randint(1, 5)
            profiles.append({
                "id": n, "community_id": cid, "member_id": member_id, "skills": mine,
                "languages": spoken, "timezone": rng.choice(ZONES), "capacity": capacity,
                "active_mentees": rng.randint(0, capacity), "approved": rng.random() > 0.02,
                "status": "paused" if rng.random() < 0.1 else "available",
                "offers_accepted": rng.randint(0, 10), "offers_declined": rng.randint(0, 3),
                "offers_timed_out": rng.randint(0, 2), "created_at": now,
            })  # fmt: skip
        for start in range(0, len(profiles), batch):
            await s.execute(insert(MentorProfile), profiles[start : start + batch])
    async with services.ctx.db.begin() as s:
        # Production tables have planner statistics (autovacuum/ANALYZE); fresh ones do not.
        await s.execute(text("ANALYZE"))


async def measure(services: Services, requests: int, rng: random.Random) -> list[float]:
    """Latency in ms of `request_mentor` for new mentees with random topics."""
    timings = []
    for i in range(requests):
        topic = ", ".join({_skill(rng) for _ in range(rng.randint(1, 3))})
        who = Actor("bench", "g", f"newcomer{i}-{uuid.uuid4().hex[:6]}", f"newcomer{i}")
        if rng.random() < 0.5:
            await services.profiles.update_profile(
                who, languages=rng.choice(["en", "de", "en,de", "es"]), timezone=rng.choice(ZONES)
            )
        start = time.perf_counter()
        result = await services.requests.request_mentor(who, topic)
        timings.append((time.perf_counter() - start) * 1000)
        assert result.suggestions or result.waitlisted
    return timings


class _Quiet:
    name = "bench"

    def mention(self, user_id: str) -> str:
        return user_id

    async def send_to_member(self, *a: object) -> None:
        return None

    async def send_to_channel(self, *a: object) -> None:
        return None


async def run_one(url: str, mentors: int, requests: int) -> tuple[float, float, float]:
    engine = create_engine(url)
    await upgrade(engine)
    ctx = Context(db=session_factory(engine), clock=FakeClock(), platforms={"bench": _Quiet()})  # type: ignore[dict-item]
    services = Services(ctx)
    rng = random.Random(42)
    started = time.perf_counter()
    await seed(services, mentors, rng)
    seeded = time.perf_counter() - started
    await measure(services, 20, rng)  # warm caches and the query planner
    timings = await measure(services, requests, rng)
    await engine.dispose()
    q = statistics.quantiles(timings, n=100)
    return q[49], q[98], seeded


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    admin = os.environ.get("MENTORBOT_TEST_POSTGRES_URL")
    print("| database | mentors | p50 ms | p99 ms | seeding s |", flush=True)
    print("|---|---:|---:|---:|---:|", flush=True)
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            p50, p99, seeded = await run_one(f"sqlite:///{Path(tmp) / 'b.db'}", size, args.requests)
        print(f"| SQLite | {size:,} | {p50:.1f} | {p99:.1f} | {seeded:.0f} |", flush=True)
        if admin:
            async with fresh_database(admin, "mentorbot_bench") as url:
                p50, p99, seeded = await run_one(url, size, args.requests)
            print(f"| PostgreSQL | {size:,} | {p50:.1f} | {p99:.1f} | {seeded:.0f} |", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
