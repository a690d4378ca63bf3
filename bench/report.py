"""Report benchmark: one community with 100,000 members and 1,000,000 activity rows.

Seeds members who joined over two years, mentors, requests, pairs, check-ins, feedback and
thanks in bulk, then times the moderators' report (all SQL figures, retention curves, weekly
series) on SQLite and, when MENTORBOT_TEST_POSTGRES_URL is set, on PostgreSQL; also the
rendering (PNG + CSV) and one activity flush of 5,000 member-days.

    python -m bench.report [--members 100000] [--activity 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.activity import ActivityCounter
from bot.core.clock import FakeClock
from bot.core.context import Actor, Context
from bot.core.services import Services
from bot.reporting import render_csv, render_png
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import (
    CheckIn,
    Community,
    Feedback,
    Kudos,
    Member,
    MentorProfile,
    MentorRequest,
    Pair,
)  # fmt: skip
from tests.pgdb import fresh_database

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HISTORY_DAYS = 730
CHUNK = 20_000


def _members(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[int]]:
    ages = [int(rng.random() ** 1.5 * HISTORY_DAYS) for _ in range(n)]  # growth: more recent joins
    rows = [
        {"id": i + 1, "community_id": 1, "platform_user_id": str(10**17 + i),
         "display_name": f"member{i}", "languages": [], "interests": [], "is_bot": False,
         "joined_at": NOW - timedelta(days=age, minutes=rng.randrange(1440))}
        for i, age in enumerate(ages)
    ]  # fmt: skip
    return rows, ages


def _activity(ages: Sequence[int], total: int, rng: random.Random) -> list[tuple[int, date]]:
    """`total` distinct (member, day) pairs: many members fade after a week, some stay."""
    seen: set[int] = set()
    today = NOW.date()
    n = len(ages)
    while len(seen) < total:
        i = rng.randrange(n)
        age = ages[i]
        offset = rng.randint(0, min(age, 14)) if rng.random() < 0.5 else rng.randint(0, age)
        seen.add(i * 10_000 + (age - offset))  # days before today
    return [(key // 10_000 + 1, today - timedelta(days=key % 10_000)) for key in seen]


def _programme(
    members: list[dict[str, Any]], rng: random.Random
) -> dict[str, list[dict[str, Any]]]:
    """Mentors, requests, pairs, check-ins, feedback and thanks in realistic proportions."""
    n = len(members)
    mentor_ids = rng.sample(range(1, n + 1), max(1, n // 50))
    profiles = [
        {"id": k + 1, "community_id": 1, "member_id": mid, "skills": ["python"], "languages": [],
         "capacity": rng.randint(1, 5), "status": "paused" if rng.random() < 0.1 else "available",
         "created_at": members[mid - 1]["joined_at"] + timedelta(days=1)}
        for k, mid in enumerate(mentor_ids)
    ]  # fmt: skip
    requests, pairs, checkins, feedback = [], [], [], []
    mentees = rng.sample(range(1, n + 1), n // 5)
    for r, mentee in enumerate(mentees, start=1):
        created = members[mentee - 1]["joined_at"] + timedelta(hours=rng.randint(1, 96))
        created = min(created, NOW - timedelta(minutes=5))
        accepted = rng.random() < 0.7
        status = (
            "accepted" if accepted else rng.choice(["open", "offered", "waitlisted", "cancelled"])
        )
        accepted_at = created + timedelta(minutes=rng.randint(5, 4000)) if accepted else None
        if accepted_at and accepted_at > NOW:
            accepted_at = NOW
        requests.append({"id": r, "community_id": 1, "mentee_id": mentee, "status": status,
                         "suggested_mentor_ids": [], "created_at": created,
                         "accepted_at": accepted_at})  # fmt: skip
        if not accepted_at:
            continue
        mentor = rng.choice(profiles)
        age = (NOW - accepted_at).days
        state = "active" if age < 90 else rng.choice(["completed", "completed", "ended"])
        ended = accepted_at + timedelta(days=rng.randint(5, 90)) if state != "active" else None
        pid = len(pairs) + 1
        pairs.append({"id": pid, "community_id": 1, "mentor_id": mentor["id"],
                      "mentor_member_id": mentor["member_id"], "mentee_id": mentee,
                      "request_id": r, "status": state, "started_at": accepted_at,
                      "ended_at": min(ended, NOW) if ended else None,
                      "unanswered_checkins": rng.choice([0, 0, 0, 1, 2])})  # fmt: skip
        for seq in range(1, min(age // 7, 12) + 1):
            sent = accepted_at + timedelta(days=7 * seq)
            answered = rng.random() < 0.6
            checkins.append({"pair_id": pid, "seq": seq, "due_at": sent, "sent_at": sent,
                             "answer": "well" if answered else None,
                             "answered_at": sent + timedelta(hours=3) if answered else None})  # fmt: skip
        if ended:
            feedback.append({"pair_id": pid, "member_id": mentee, "rating": rng.randint(1, 5),
                             "comment": "", "created_at": min(ended, NOW)})  # fmt: skip
    kudos = [
        {"community_id": 1, "from_member_id": rng.randint(1, n), "to_member_id": rng.choice(mentor_ids),
         "message": "", "created_at": NOW - timedelta(days=rng.randint(0, HISTORY_DAYS))}
        for _ in range(n // 10)
    ]  # fmt: skip
    return {"mentor_profiles": profiles, "mentor_requests": requests, "pairs": pairs,
            "checkins": checkins, "feedback": feedback, "kudos": kudos}  # fmt: skip


def _chunks(rows: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def seed(engine: AsyncEngine, members: int, activity: int) -> None:
    """Bulk-load the community (COPY on PostgreSQL, executemany in chunks on SQLite)."""
    rng = random.Random(42)
    member_rows, ages = _members(members, rng)
    days = _activity(ages, activity, rng)
    programme = _programme(member_rows, rng)
    models = {"mentor_profiles": MentorProfile, "mentor_requests": MentorRequest, "pairs": Pair,
              "checkins": CheckIn, "feedback": Feedback, "kudos": Kudos}  # fmt: skip
    async with engine.begin() as conn:
        await conn.execute(insert(Community), [{"id": 1, "platform": "discord", "external_id": "g",
                                                "name": "bench", "settings": {}, "created_at": NOW}])  # fmt: skip
        for chunk in _chunks(member_rows):
            await conn.execute(insert(Member), list(chunk))
        if engine.dialect.name == "postgresql":
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.copy_records_to_table(
                "activity",
                records=[(m, d, 1, 1 + m % 7) for m, d in days],
                columns=["member_id", "day", "community_id", "messages"],
            )
        else:
            for chunk in _chunks(days, 100_000):
                await conn.exec_driver_sql(
                    "INSERT INTO activity (member_id, day, community_id, messages) VALUES (?, ?, 1, ?)",
                    [(m, d.isoformat(), 1 + m % 7) for m, d in chunk],
                )
        for table, rows in programme.items():
            for chunk in _chunks(rows):
                await conn.execute(insert(models[table]), list(chunk))
        if engine.dialect.name == "postgresql":
            for table in ("communities", "members", "mentor_profiles", "mentor_requests", "pairs"):
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    # Production tables have planner statistics and visibility maps (autovacuum); fresh ones
    # do not.
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))


def _ms(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1000, max(samples) * 1000


async def run_one(url: str, members: int, activity: int, runs: int) -> list[str]:
    engine = create_engine(url)
    await upgrade(engine)
    started = time.perf_counter()
    await seed(engine, members, activity)
    seeded = time.perf_counter() - started
    clock = FakeClock(NOW)
    services = Services(Context(db=session_factory(engine), clock=clock))
    mod = Actor("discord", "g", "mod", "mod")
    name = "SQLite" if engine.dialect.name == "sqlite" else "PostgreSQL"
    lines = []
    for days in (30, 365):
        await services.reports.report(mod, days, moderator=True)  # warm caches
        samples, report = [], None
        for _ in range(runs):
            start = time.perf_counter()
            report = await services.reports.report(mod, days, moderator=True)
            samples.append(time.perf_counter() - start)
        assert report is not None
        start = time.perf_counter()
        render_png(report, "en")
        render_csv(report, "en")
        rendered = (time.perf_counter() - start) * 1000
        median, worst = _ms(samples)
        lines.append(f"| {name} | {members:,} | {activity:,} | {days} | {median:.0f} | "
                     f"{worst:.0f} | {rendered:.0f} | {report.figure('newcomers').value:,.0f} | "
                     f"{seeded:.0f} |")  # fmt: skip
    counter = ActivityCounter(session_factory(engine), clock, max_pending=10**6)
    for i in range(5000):
        counter.saw("discord", "g", str(10**17 + i * 7))
    start = time.perf_counter()
    await counter.flush()
    flush_ms = (time.perf_counter() - start) * 1000
    lines.append(f"| {name} | 5,000 | {counter.statements} | {flush_ms:.0f} |")
    await engine.dispose()
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--activity", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    admin = os.environ.get("MENTORBOT_TEST_POSTGRES_URL")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += await run_one(f"sqlite:///{Path(tmp) / 'r.db'}", args.members, args.activity,
                                 args.runs)  # fmt: skip
    if admin:
        async with fresh_database(admin, "mentorbot_bench") as url:
            results += await run_one(url, args.members, args.activity, args.runs)
    print("| database | members | activity rows | days | report ms (median) | max ms | "
          "PNG+CSV ms | newcomers | seeding s |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for line in results:
        if line.count("|") > 5:
            print(line)
    print()
    print("| database | activity flush: member-days | statements | ms |")
    print("|---|---:|---:|---:|")
    for line in results:
        if line.count("|") == 5:
            print(line)


if __name__ == "__main__":
    import asyncio

    asyncio.run(main())
