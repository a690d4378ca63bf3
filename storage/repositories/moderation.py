"""What moderators read: the programme export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Feedback, Member, Pair


@dataclass(frozen=True)
class ExportRow:
    """One pair as the programme export lists it."""

    pair_id: int
    kind: str
    mentee: str
    mentor: str
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    average_rating: float | Decimal | None  # as the database computed it (PostgreSQL: Decimal)


async def export_rows(tx: AsyncSession, *, community_id: int) -> list[ExportRow]:
    """Every pair of a community with both names and its average rating, by id."""
    ratings = (
        select(col(Feedback.pair_id), func.avg(Feedback.rating).label("rating"))
        .group_by(col(Feedback.pair_id))
        .subquery()
    )
    members: Any = Member.__table__  # type: ignore[attr-defined]
    mentee, mentor = members.alias("mentee"), members.alias("mentor")
    columns = (
        col(Pair.id), col(Pair.kind), mentee.c.display_name, mentor.c.display_name,
        col(Pair.status), col(Pair.started_at), col(Pair.ended_at), ratings.c.rating,
    )  # fmt: skip
    stmt = (
        select(*columns)
        .join(mentee, mentee.c.id == col(Pair.mentee_id))
        .join(mentor, mentor.c.id == col(Pair.mentor_member_id))
        .outerjoin(ratings, ratings.c.pair_id == col(Pair.id))
        .where(col(Pair.community_id) == community_id)
        .order_by(col(Pair.id))
    )
    return [ExportRow(*row) for row in (await tx.execute(stmt)).all()]
