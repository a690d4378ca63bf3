"""Report figures by SQL aggregation (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Table,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel

from storage.repositories._sql import dialect

EPOCH = date(1970, 1, 1)
CURVE_DAYS = 30  # retention curves run from day 0 to day 30 after joining
WEEK = 7 * 86400

_t = SQLModel.metadata.tables
MEMBERS: Table = _t["members"]
REQUESTS: Table = _t["mentor_requests"]
PAIRS: Table = _t["pairs"]
PROFILES: Table = _t["mentor_profiles"]
CHECKINS: Table = _t["checkins"]
FEEDBACK: Table = _t["feedback"]
KUDOS: Table = _t["kudos"]
ACTIVITY: Table = _t["activity"]
COMMUNITIES: Table = _t["communities"]

OPEN = ("open", "offered")


@dataclass(frozen=True)
class Totals:
    """The scalar figures of one community over a window."""

    newcomers: int = 0
    newcomers_asked: int = 0
    newcomers_matched: int = 0
    requests: int = 0
    matched: int = 0
    open_requests: int = 0
    waitlisted: int = 0
    accept_median_s: float | None = None
    accept_p90_s: float | None = None
    pairs_started: int = 0
    active_pairs: int = 0
    completed_pairs: int = 0
    ended_pairs: int = 0
    stale_pairs: int = 0
    checkins_sent: int = 0
    checkins_answered: int = 0
    feedback_count: int = 0
    feedback_average: float | None = None
    active_members: int = 0
    mentors: int = 0
    available_mentors: int = 0
    mentor_capacity: int = 0
    mentees_active: int = 0
    full_mentors: int = 0
    overloaded_mentors: int = 0
    idle_mentors: int = 0
    mentees_became_mentors: int = 0
    pairs_held: int = 0
    pairs_held_by_top: int = 0
    top_mentors: int = 0
    thanks: int = 0


@dataclass(frozen=True)
class RetentionPoint:
    """Day `day` after joining: cohort sizes and how many were active on or after it."""

    day: int
    mentored: int = 0
    mentored_active: int = 0
    others: int = 0
    others_active: int = 0


@dataclass(frozen=True)
class Week:
    """Requests created and requests accepted in the 7 days from `start`."""

    start: date
    requests: int
    matches: int


async def tune(session: AsyncSession) -> None:
    """Per transaction: PostgreSQL's JIT costs more than it saves on these index-driven
    queries (its cost estimate counts every correlated lookup)."""
    if dialect(session) == "postgresql":
        await session.execute(text("SET LOCAL jit = off"))


_UNIX_EPOCH_JD = "2440587.5"  # the Julian day number of 1970-01-01 00:00 UTC


def _seconds(db: str, expr: Any) -> ColumnElement[Any]:
    """Unix seconds of a UTC timestamp or date column."""
    if db == "sqlite":
        unix_days = func.julianday(expr) - literal_column(_UNIX_EPOCH_JD, Float)
        return unix_days * literal_column("86400.0", Float)
    return extract("epoch", expr)


def _day(db: str, expr: Any) -> ColumnElement[Any]:
    """Days since 1970-01-01 (UTC) of a timestamp or date column."""
    if db == "sqlite":
        return cast(func.julianday(expr) - literal_column(_UNIX_EPOCH_JD, Float), Integer)
    return cast(func.floor(extract("epoch", expr) / literal_column("86400", Integer)), Integer)


def _int(value: Any) -> int:
    return int(value or 0)


def _count_if(*conditions: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)


async def totals(session: AsyncSession, *, community_id: int, now: datetime, days: int) -> Totals:
    """Every scalar figure, a dozen aggregate statements in all."""
    since = now - timedelta(days=days)
    figures: dict[str, Any] = {}
    for part in (_funnel, _requests, _accept_times, _pairs, _checkins, _feedback, _activity,
                 _mentors, _recognition):  # fmt: skip
        figures.update(await part(session, community_id, now, since))
    figures.update(await _concentration(session, community_id, now, since, figures["mentors"]))
    return Totals(**figures)


async def _one(session: AsyncSession, stmt: Any, *names: str) -> dict[str, Any]:
    row = (await session.execute(stmt)).one()
    return dict(zip(names, (_int(v) for v in row), strict=True))


async def _funnel(s: AsyncSession, cid: int, now: datetime, since: datetime) -> dict[str, Any]:
    m = MEMBERS
    asked = exists().where(REQUESTS.c.mentee_id == m.c.id)
    matched = exists().where(PAIRS.c.mentee_id == m.c.id)
    stmt = select(func.count(), _count_if(asked), _count_if(matched)).where(
        m.c.community_id == cid, m.c.is_bot.is_(False), m.c.joined_at >= since,
        m.c.joined_at <= now,
    )  # fmt: skip
    return await _one(s, stmt, "newcomers", "newcomers_asked", "newcomers_matched")


async def _requests(s: AsyncSession, cid: int, now: datetime, since: datetime) -> dict[str, Any]:
    r = REQUESTS
    recent = r.c.created_at >= since
    stmt = select(
        _count_if(recent), _count_if(recent, r.c.accepted_at.is_not(None)),
        _count_if(r.c.status.in_(OPEN)), _count_if(r.c.status == "waitlisted"),
    ).where(r.c.community_id == cid)  # fmt: skip
    return await _one(s, stmt, "requests", "matched", "open_requests", "waitlisted")


async def _accept_times(
    s: AsyncSession, cid: int, now: datetime, since: datetime
) -> dict[str, Any]:
    """Median and p90 of request-to-accept seconds, interpolated like percentile_cont."""
    d, r = dialect(s), REQUESTS
    spans = (
        select((_seconds(d, r.c.accepted_at) - _seconds(d, r.c.created_at)).label("s"))
        .where(r.c.community_id == cid, r.c.created_at >= since, r.c.accepted_at.is_not(None))
        .subquery()
    )
    ranked = select(
        spans.c.s,
        (func.row_number().over(order_by=spans.c.s) - 1).label("i"),
        func.count().over().label("n"),
    ).subquery()
    n1 = ranked.c.n - 1
    wanted = [n1 // 2, n1 // 2 + 1, (n1 * 9) // 10, (n1 * 9) // 10 + 1]
    stmt = select(ranked.c.i, ranked.c.s, ranked.c.n).where(ranked.c.i.in_(wanted))
    rows = (await s.execute(stmt)).all()
    if not rows:
        return {"accept_median_s": None, "accept_p90_s": None}
    by_index = {int(i): float(v) for i, v, _ in rows}
    n = int(rows[0][2])

    def cont(tenths: int) -> float:
        lo, frac = divmod(tenths * (n - 1), 10)
        low = by_index[lo]
        return low + (by_index.get(lo + 1, low) - low) * frac / 10

    return {"accept_median_s": cont(5), "accept_p90_s": cont(9)}


async def _pairs(s: AsyncSession, cid: int, now: datetime, since: datetime) -> dict[str, Any]:
    p = PAIRS
    active = p.c.status == "active"
    # A pair ended on request once its programme was over counts as completed, not early.
    early = and_(p.c.status == "ended", or_(p.c.ends_at.is_(None), p.c.ended_at < p.c.ends_at))
    stmt = select(
        _count_if(p.c.started_at >= since), _count_if(active),
        _count_if(p.c.status.in_(("completed", "ended")), ~early, p.c.ended_at >= since),
        _count_if(early, p.c.ended_at >= since),
        _count_if(active, p.c.unanswered_checkins >= 2),
    ).where(p.c.community_id == cid)  # fmt: skip
    names = ("pairs_started", "active_pairs", "completed_pairs", "ended_pairs", "stale_pairs")
    return await _one(s, stmt, *names)


async def _checkins(s: AsyncSession, cid: int, now: datetime, since: datetime) -> dict[str, Any]:
    c = CHECKINS
    stmt = (
        select(func.count(c.c.sent_at), func.count(c.c.answered_at))
        .select_from(c.join(PAIRS, PAIRS.c.id == c.c.pair_id))
        .where(PAIRS.c.community_id == cid, c.c.sent_at >= since)
    )
    return await _one(s, stmt, "checkins_sent", "checkins_answered")


async def _feedback(s: AsyncSession, cid: int, now: datetime, since: datetime) -> dict[str, Any]:
    f = FEEDBACK
    stmt = (
        select(func.count(), func.avg(f.c.rating))
        .select_from(f.join(MEMBERS, MEMBERS.c.id == f.c.member_id))
        .where(MEMBERS.c.community_id == cid, f.c.created_at >= since)
    )
    count, average = (await s.execute(stmt)).one()
    return {
        "feedback_count": _int(count),
        "feedback_average": None if average is None else float(average),
    }


async def _activity(s: AsyncSession, cid: int, now: datetime, since: datetime) -> dict[str, Any]:
    """Members who posted in the window: one seek per member in the activity primary key
    (member_id, day), which covers it; a range scan by (community_id, day) would have to read
    every activity row of the window."""
    m, a = MEMBERS, ACTIVITY
    posted = exists().where(a.c.member_id == m.c.id, a.c.day >= since.date(), a.c.day <= now.date())
    stmt = select(func.count()).where(m.c.community_id == cid, m.c.is_bot.is_(False), posted)
    return await _one(s, stmt, "active_members")


async def _mentors(s: AsyncSession, cid: int, now: datetime, since: datetime) -> dict[str, Any]:
    mp, p = PROFILES, PAIRS
    active = (
        select(func.count())
        .where(p.c.mentor_member_id == mp.c.member_id, p.c.status == "active")
        .scalar_subquery()
    )
    was_mentee = exists().where(p.c.mentee_id == mp.c.member_id, p.c.started_at < mp.c.created_at)
    load = select(
        mp.c.capacity, mp.c.approved, mp.c.created_at,
        (mp.c.status == "available").label("available"), active.label("active"),
        case((was_mentee, 1), else_=0).label("was_mentee"),
    ).where(mp.c.community_id == cid).subquery()  # fmt: skip
    ready = and_(load.c.available, load.c.approved)
    stmt = select(
        func.count(), _count_if(ready),
        func.coalesce(func.sum(case((load.c.approved, load.c.capacity), else_=0)), 0),
        func.coalesce(func.sum(load.c.active), 0),
        _count_if(load.c.active >= load.c.capacity), _count_if(load.c.active > load.c.capacity),
        _count_if(ready, load.c.active == 0),
        _count_if(load.c.was_mentee == 1, load.c.created_at >= since),
    )  # fmt: skip
    names = (
        "mentors", "available_mentors", "mentor_capacity", "mentees_active",
        "full_mentors", "overloaded_mentors", "idle_mentors", "mentees_became_mentors",
    )  # fmt: skip
    return await _one(s, stmt, *names)


async def _recognition(s: AsyncSession, cid: int, now: datetime, since: datetime) -> dict[str, Any]:
    k = KUDOS
    stmt = select(func.count()).where(k.c.community_id == cid, k.c.created_at >= since)
    return await _one(s, stmt, "thanks")


async def _concentration(
    s: AsyncSession, cid: int, now: datetime, since: datetime, mentors: int
) -> dict[str, Any]:
    """Pairs running during the window, and the share held by the busiest tenth of mentors."""
    p = PAIRS
    per = (
        select(func.count().label("n"))
        .where(
            p.c.community_id == cid, p.c.started_at <= now,
            or_(p.c.ended_at.is_(None), p.c.ended_at >= since),
        )
        .group_by(p.c.mentor_member_id)
        .subquery()
    )  # fmt: skip
    ranked = select(
        per.c.n,
        func.row_number().over(order_by=per.c.n.desc()).label("rn"),
        func.count().over().label("k"),
    ).subquery()
    pool = case((literal(mentors) > ranked.c.k, literal(mentors)), else_=ranked.c.k)
    top = (pool + 9) // 10  # ceil(10 % of the mentors), at least one
    stmt = select(
        func.coalesce(func.sum(ranked.c.n), 0),
        func.coalesce(func.sum(case((ranked.c.rn <= top, ranked.c.n), else_=0)), 0),
        func.coalesce(func.max(top), 0),
    )
    return await _one(s, stmt, "pairs_held", "pairs_held_by_top", "top_mentors")


async def retention_curve(
    session: AsyncSession, *, community_id: int, now: datetime, days: int
) -> list[RetentionPoint]:
    """Day k = 0..30: of the members who joined in the window or the 30 days before it and
    have been members for k days or more, how many posted on or after day k after joining;
    split by whether they were ever a mentee."""
    d, m, a = dialect(session), MEMBERS, ACTIVITY
    today = (now.date() - EPOCH).days
    joined = _day(d, m.c.joined_at)
    cohort = (
        select(
            (literal(today) - joined).label("age"),
            joined.label("joined"),
            case((exists().where(PAIRS.c.mentee_id == m.c.id), 1), else_=0).label("mentored"),
            select(func.max(a.c.day)).where(a.c.member_id == m.c.id).scalar_subquery()
            .label("last"),
        )
        .where(
            m.c.community_id == community_id, m.c.is_bot.is_(False), m.c.joined_at <= now,
            m.c.joined_at >= now - timedelta(days=days + CURVE_DAYS + 1),
        )
        .cte("cohort")
        .prefix_with("MATERIALIZED")  # else SQLite inlines it and runs each subquery 3 times
    )  # fmt: skip
    offset = _day(d, cohort.c["last"]) - cohort.c.joined
    capped = case(
        (cohort.c["last"].is_(None), -1),
        (offset > CURVE_DAYS, CURVE_DAYS),
        else_=offset,
    )
    per = select(cohort.c.age, cohort.c.mentored, capped.label("reach")).cte("per")
    hist = (
        select(per.c.age, per.c.mentored, per.c.reach, func.count().label("n"))
        .group_by(per.c.age, per.c.mentored, per.c.reach)
        .cte("hist")
    )
    ks = union_all(*(select(literal_column(str(k)).label("k")) for k in range(CURVE_DAYS + 1))).cte(
        "ks"
    )
    stmt = (
        select(
            ks.c.k, hist.c.mentored, func.sum(hist.c.n),
            func.sum(case((hist.c.reach >= ks.c.k, hist.c.n), else_=0)),
        )
        .select_from(hist.join(ks, hist.c.age >= ks.c.k))
        .where(hist.c.age <= days + CURVE_DAYS)
        .group_by(ks.c.k, hist.c.mentored)
    )  # fmt: skip
    found: dict[int, dict[str, int]] = {}
    for k, mentored, base, active in (await session.execute(stmt)).all():
        group = "mentored" if mentored else "others"
        found.setdefault(int(k), {})
        found[int(k)].update({group: _int(base), f"{group}_active": _int(active)})
    return [RetentionPoint(k, **found.get(k, {})) for k in range(CURVE_DAYS + 1)]


async def weekly(
    session: AsyncSession, *, community_id: int, now: datetime, days: int
) -> list[Week]:
    """Requests and matches per 7-day bucket counted from the window's start."""
    d, r = dialect(session), REQUESTS
    since = now - timedelta(days=days)
    origin = int(since.timestamp())

    def bucket(stamp: Any) -> ColumnElement[Any]:
        shifted = _seconds(d, stamp) - literal_column(str(origin), Integer)
        if d == "sqlite":  # shifted >= 0, so truncation is floor
            return cast(shifted / literal_column(str(WEEK), Float), Integer)
        return cast(func.floor(shifted / literal_column(str(WEEK), Integer)), Integer)

    counts: dict[int, list[int]] = {}
    for slot, stamp in enumerate((r.c.created_at, r.c.accepted_at)):
        inner = (
            select(bucket(stamp).label("w"))
            .where(r.c.community_id == community_id, stamp >= since, stamp <= now)
            .subquery()
        )
        stmt = select(inner.c.w, func.count()).group_by(inner.c.w)
        for week, n in (await session.execute(stmt)).all():
            counts.setdefault(int(week), [0, 0])[slot] = int(n)
    weeks = (days + 6) // 7
    return [
        Week((since + timedelta(days=7 * w)).date(), *counts.get(w, [0, 0])) for w in range(weeks)
    ]
