"""The moderators' report: programme figures over a window, by SQL aggregation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import col

from bot.core.context import Actor, Context
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.i18n import t
from storage.models import Kudos, Member, MentorProfile, MentorRequest, Pair

MAX_DAYS = 3650


@dataclass(frozen=True)
class Report:
    """Figures for one community over `days`."""

    days: int
    newcomers: int
    requests: int
    matched: int
    waiting: int
    active_pairs: int
    completed_pairs: int
    ended_pairs: int
    mentors: int
    available_mentors: int
    thanks: int

    def lines(self, locale: str | None) -> list[str]:
        """Localized 'label: value' lines."""
        return [t(locale, f"report.{key}", value=value) for key, value in asdict(self).items()]


class ReportService:
    """Moderator figures."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def report(self, actor: Actor, days: int = 30, *, moderator: bool) -> Report:
        """The report, for moderators only."""
        if not moderator:
            raise NotAllowed("report.not_allowed")
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput("report.bad_days", value=days, limit=MAX_DAYS)
        since = self.ctx.clock.now() - timedelta(days=days)
        async with self.ctx.db() as s:
            community, _ = await self.ctx.resolve(s, actor)
            await s.commit()
            cid = community.id

            async def count(*where: object, model: type = Member) -> int:
                stmt = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
                return int((await s.execute(stmt)).scalar_one())

            req = MentorRequest
            return Report(
                days=days,
                newcomers=await count(col(Member.community_id) == cid,
                                      col(Member.joined_at) >= since),
                requests=await count(col(req.community_id) == cid,
                                     col(req.created_at) >= since, model=req),
                matched=await count(col(req.community_id) == cid, col(req.created_at) >= since,
                                    col(req.status) == "accepted", model=req),
                waiting=await count(col(req.community_id) == cid,
                                    col(req.status).in_(("open", "offered", "waitlisted")),
                                    model=req),
                active_pairs=await count(col(Pair.community_id) == cid,
                                         col(Pair.status) == "active", model=Pair),
                completed_pairs=await count(col(Pair.community_id) == cid,
                                            col(Pair.status) == "completed",
                                            col(Pair.ended_at) >= since, model=Pair),
                ended_pairs=await count(col(Pair.community_id) == cid,
                                        col(Pair.status) == "ended",
                                        col(Pair.ended_at) >= since, model=Pair),
                mentors=await count(col(MentorProfile.community_id) == cid, model=MentorProfile),
                available_mentors=await count(col(MentorProfile.community_id) == cid,
                                              col(MentorProfile.status) == "available",
                                              col(MentorProfile.approved).is_(True),
                                              model=MentorProfile),
                thanks=await count(col(Kudos.community_id) == cid, col(Kudos.created_at) >= since,
                                   model=Kudos),
            )  # fmt: skip
