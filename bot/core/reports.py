"""The moderators' report: outcome figures of one community over a window, by SQL aggregation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.context import Actor, Context
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.i18n import normalize_locale, t
from storage.db import Tx
from storage.models import Community
from storage.repositories import communities as community_repo
from storage.repositories import members as member_repo
from storage.repositories import reports as repo
from storage.repositories.reports import RetentionPoint, Totals, Week

MAX_DAYS = 3650
SECTIONS = ("newcomers", "requests", "pairs", "retention", "mentors", "recognition")
UNITS = ("count", "share", "hours", "rating")


@dataclass(frozen=True)
class Figure:
    """One figure: `value` is a count, a share (0..1), hours or a rating; None = no data."""

    section: str
    key: str
    value: float | None
    unit: str = "count"
    numerator: int | None = None
    denominator: int | None = None

    def label(self, locale: str | None) -> str:
        """The localized name of this figure."""
        return t(locale, f"report.label_{self.key}")

    def text(self, locale: str | None) -> str:
        """The value as people read it: '60% (6 of 10)', '3.5 h', '4.2 / 5 (5)', '—'."""
        if self.value is None:
            return t(locale, "report.no_data")
        if self.unit == "share":
            return t(locale, "report.fmt_share", percent=percent(locale, self.value),
                     part=self.numerator, whole=self.denominator)  # fmt: skip
        if self.unit == "hours":
            return t(locale, "report.fmt_hours", value=number(locale, self.value))
        if self.unit == "rating":
            return t(locale, "report.fmt_rating", value=number(locale, self.value),
                     count=self.denominator)  # fmt: skip
        return str(int(self.value))


def number(locale: str | None, value: float, digits: int = 1) -> str:
    """A decimal in the locale's notation (German uses a decimal comma)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if normalize_locale(locale) == "de" else text


def percent(locale: str | None, share: float) -> str:
    """A share as a whole percentage in the locale's notation."""
    return t(locale, "report.fmt_percent", value=round(share * 100))


def _share(section: str, key: str, part: int, whole: int) -> Figure:
    return Figure(section, key, part / whole if whole else None, "share", part, whole)


def _hours(key: str, seconds: float | None) -> Figure:
    return Figure("requests", key, None if seconds is None else seconds / 3600, "hours")


@dataclass(frozen=True)
class Report:
    """Figures of one community over `days` ending at `end`, plus the chart series."""

    days: int
    platform: str
    community: str
    end: datetime
    totals: Totals
    retention: tuple[RetentionPoint, ...]
    weeks: tuple[Week, ...]

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=self.days)

    def point(self, day: int) -> RetentionPoint:
        """The retention curve at `day` days after joining."""
        return next((p for p in self.retention if p.day == day), RetentionPoint(day))

    def figures(self) -> list[Figure]:
        """Every figure, in display order."""
        s = self.totals
        d7, d30 = self.point(7), self.point(30)
        return [
            Figure("newcomers", "newcomers", s.newcomers),
            _share("newcomers", "asked_share", s.newcomers_asked, s.newcomers),
            _share("newcomers", "matched_share", s.newcomers_matched, s.newcomers),
            Figure("requests", "requests", s.requests),
            Figure("requests", "matched", s.matched),
            _hours("accept_median_hours", s.accept_median_s),
            _hours("accept_p90_hours", s.accept_p90_s),
            Figure("requests", "waiting", s.open_requests + s.waitlisted),
            Figure("requests", "waitlisted", s.waitlisted),
            Figure("pairs", "pairs_started", s.pairs_started),
            Figure("pairs", "active_pairs", s.active_pairs),
            Figure("pairs", "completed_pairs", s.completed_pairs),
            Figure("pairs", "ended_pairs", s.ended_pairs),
            Figure("pairs", "stale_pairs", s.stale_pairs),
            _share("pairs", "checkin_response_rate", s.checkins_answered, s.checkins_sent),
            Figure(
                "pairs",
                "feedback_average",
                s.feedback_average,
                "rating",
                denominator=s.feedback_count,
            ),
            _share("retention", "retention_7d_mentored", d7.mentored_active, d7.mentored),
            _share("retention", "retention_7d_not_mentored", d7.others_active, d7.others),
            _share("retention", "retention_30d_mentored", d30.mentored_active, d30.mentored),
            _share("retention", "retention_30d_not_mentored", d30.others_active, d30.others),
            Figure("retention", "active_members", s.active_members),
            Figure("mentors", "mentors", s.mentors),
            Figure("mentors", "available_mentors", s.available_mentors),
            _share("mentors", "mentor_load", s.mentees_active, s.mentor_capacity),
            Figure("mentors", "full_mentors", s.full_mentors),
            Figure("mentors", "overloaded_mentors", s.overloaded_mentors),
            Figure("mentors", "idle_mentors", s.idle_mentors),
            Figure("mentors", "mentees_became_mentors", s.mentees_became_mentors),
            Figure("mentors", "top_mentors", s.top_mentors),
            _share("mentors", "concentration", s.pairs_held_by_top, s.pairs_held),
            Figure("recognition", "thanks", s.thanks),
        ]

    def figure(self, key: str) -> Figure:
        """One figure by key."""
        return next(f for f in self.figures() if f.key == key)

    def title(self, locale: str | None) -> str:
        """'Mentoring report, last N days'."""
        return t(locale, "report.title", days=self.days)

    def lines(self, locale: str | None) -> list[str]:
        """Localized 'label: value' lines, one per figure."""
        return [f"{f.label(locale)}: {f.text(locale)}" for f in self.figures()]


class ReportService:
    """Moderator figures."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def report(self, actor: Actor, days: int = 30, *, moderator: bool) -> Report:
        """The report of the actor's community, for moderators only."""
        if not moderator:
            raise NotAllowed("report.not_allowed")
        _check_days(days)
        async with self.ctx.db() as s:
            # Only the community: creating the moderator's member row here would count them
            # as a newcomer of today.
            community = await member_repo.ensure_community(
                s, platform=actor.platform, external_id=actor.community, name=actor.community,
                locale=self.ctx.locale, now=self.ctx.clock.now(),
            )  # fmt: skip
            await s.commit()
            return await self._build(s, community, days)

    async def for_community(self, external_id: str, days: int = 30,
                            platform: str | None = None) -> Report:  # fmt: skip
        """The report of a community by platform id, for operators; never creates anything."""
        _check_days(days)
        async with self.ctx.db() as s:
            found = await community_repo.find_communities(
                s, external_id=external_id, platform=platform
            )
            if not found:
                raise NotFound("report.unknown_community", community=external_id)
            if len(found) > 1:
                names = ", ".join(sorted(c.platform for c in found))
                raise InvalidInput("report.ambiguous_community", community=external_id,
                                   platforms=names)  # fmt: skip
            return await self._build(s, found[0], days)

    async def _build(self, s: Tx, community: Community, days: int) -> Report:
        assert community.id is not None
        now, cid = self.ctx.clock.now(), community.id
        await repo.tune(s)
        totals = await repo.totals(s, community_id=cid, now=now, days=days)
        curve = await repo.retention_curve(s, community_id=cid, now=now, days=days)
        weeks = await repo.weekly(s, community_id=cid, now=now, days=days)
        return Report(days, community.platform, community.external_id, now, totals,
                      tuple(curve), tuple(weeks))  # fmt: skip


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput("report.bad_days", value=days, limit=MAX_DAYS)
