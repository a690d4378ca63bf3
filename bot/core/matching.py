"""Scoring mentors that passed the hard constraints, with reasons a person can read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core.i18n import t

DAY_START, DAY_END = 9, 21  # local "daytime" hours considered for overlap

W_SKILL = 3.0
W_LANGUAGE = 1.0
W_DAYTIME = 2.0
W_LOAD = 1.0
W_RECENT = 0.5
W_RESPONSIVE = 1.5


@dataclass(frozen=True)
class MentorFacts:
    """What scoring needs to know about a mentor."""

    mentor_id: int
    skills: list[str]
    languages: list[str]
    timezone: str | None
    active_mentees: int
    capacity: int
    recent_mentees: int
    accepted: int
    declined: int
    timed_out: int


@dataclass(frozen=True)
class MenteeWish:
    """What the mentee asked for."""

    terms: list[str]
    languages: list[str]
    timezone: str | None


@dataclass
class Score:
    """A mentor's score and the facts behind it."""

    mentor_id: int
    total: float
    shared_skills: list[str] = field(default_factory=list)
    shared_languages: list[str] = field(default_factory=list)
    daytime_overlap: int | None = None
    free_places: int = 0

    def reasons(self, locale: str | None) -> str:
        """'shares: python, git · both speak de · 5 h daytime overlap'."""
        parts = []
        if self.shared_skills:
            parts.append(t(locale, "match.shares", skills=", ".join(self.shared_skills)))
        if self.shared_languages:
            parts.append(t(locale, "match.speaks", languages=", ".join(self.shared_languages)))
        if self.daytime_overlap is not None:
            parts.append(t(locale, "match.daytime", hours=self.daytime_overlap))
        parts.append(t(locale, "match.free", free=self.free_places))
        return " · ".join(parts)


def daytime_hours(tz_a: str | None, tz_b: str | None, on: datetime) -> int | None:
    """Hours of the day `on` that are daytime (9-21 local) for both; DST-aware."""
    if not tz_a or not tz_b:
        return None
    return _daytime(tz_a, tz_b, on.astimezone(UTC).date())


@lru_cache(maxsize=4096)
def _daytime(tz_a: str, tz_b: str, day: date) -> int:
    zone_a, zone_b = ZoneInfo(tz_a), ZoneInfo(tz_b)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    hours = 0
    for h in range(24):
        moment = start + timedelta(hours=h, minutes=30)
        la, lb = moment.astimezone(zone_a).hour, moment.astimezone(zone_b).hour
        if DAY_START <= la < DAY_END and DAY_START <= lb < DAY_END:
            hours += 1
    return hours


def score(mentor: MentorFacts, wish: MenteeWish, now: datetime) -> Score:
    """Soft score: skill overlap, daytime overlap, fairness and responsiveness."""
    skills = set(mentor.skills)
    shared = [s for s in wish.terms if s in skills]
    langs = [lang for lang in wish.languages if lang in mentor.languages]
    overlap = daytime_hours(wish.timezone, mentor.timezone, now)
    answered = mentor.accepted + mentor.declined + mentor.timed_out
    responsiveness = (mentor.accepted + 1) / (answered + 2) - 0.1 * mentor.timed_out / (
        answered + 1
    )
    total = (
        W_SKILL * len(shared)
        + W_LANGUAGE * min(len(langs), 1)
        + (W_DAYTIME * overlap / (DAY_END - DAY_START) if overlap is not None else 0.0)
        - W_LOAD * mentor.active_mentees / max(mentor.capacity, 1)
        - W_RECENT * mentor.recent_mentees
        + W_RESPONSIVE * responsiveness
    )
    return Score(
        mentor_id=mentor.mentor_id,
        total=round(total, 4),
        shared_skills=shared,
        shared_languages=langs,
        daytime_overlap=overlap,
        free_places=max(mentor.capacity - mentor.active_mentees, 0),
    )


def rank(mentors: list[MentorFacts], wish: MenteeWish, now: datetime) -> list[Score]:
    """Mentors best first; ties go to the less loaded, then the older profile."""
    scored = [score(m, wish, now) for m in mentors]
    load = {m.mentor_id: m.active_mentees for m in mentors}
    return sorted(scored, key=lambda s: (-s.total, load[s.mentor_id], s.mentor_id))
