"""A member's data across tables: find it to export, scrub it to delete, find who left."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, and_, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from storage.models import (
    CheckIn,
    Feedback,
    Goal,
    Kudos,
    Member,
    MentorRequest,
    Outbox,
    RequestOffer,
    Rsvp,
    TandemIntro,
    TandemProfile,
)

Row = dict[str, Any]


def member_tables() -> list[tuple[Table, list[str]]]:
    """Every table with a column that references members.id, and those columns."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [
            c.name for c in table.columns
            if any(fk.column.table.name == "members" for fk in c.foreign_keys)
        ]  # fmt: skip
        if columns and table.name != "members":
            found.append((table, columns))
    return found


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


async def _rows(tx: AsyncSession, table: Table, *where: Any) -> list[Row]:
    result = await tx.execute(select(table).where(*where))
    return [dict(row._mapping) for row in result]


async def rows_referencing(tx: AsyncSession, *, member_id: int) -> dict[str, list[Row]]:
    """Every row of every table that references the member, by table name."""
    return {
        table.name: await _rows(tx, table, or_(*(table.c[c] == member_id for c in columns)))
        for table, columns in member_tables()
    }


async def offer_rows(
    tx: AsyncSession, *, mentor_id: int | None, request_ids: Sequence[int]
) -> list[Row]:
    """Offers made to the mentor or made for any of these requests."""
    offers = _table(RequestOffer)
    mine = offers.c.mentor_id == (mentor_id if mentor_id is not None else -1)
    return await _rows(tx, offers, or_(mine, offers.c.request_id.in_(list(request_ids))))


async def checkin_rows(tx: AsyncSession, *, pair_ids: Sequence[int]) -> list[Row]:
    """Check-ins of these pairs."""
    checkins = _table(CheckIn)
    return await _rows(tx, checkins, checkins.c.pair_id.in_(list(pair_ids)))


async def goal_rows(tx: AsyncSession, *, pair_ids: Sequence[int]) -> list[Row]:
    """Goals of these pairs."""
    goals = _table(Goal)
    return await _rows(tx, goals, goals.c.pair_id.in_(list(pair_ids)))


async def scheduled_rows(tx: AsyncSession, *, member_id: int) -> list[Row]:
    """Scheduled messages addressed to the member."""
    box = _table(Outbox)
    return await _rows(tx, box, box.c.target_kind == "member", box.c.target == str(member_id))


async def scrub_requests(tx: AsyncSession, *, mentee_id: int, cancel: Sequence[str]) -> None:
    """Cancel the member's requests in `cancel` states; blank their text and their offers'."""
    of_member = col(MentorRequest.mentee_id) == mentee_id
    await tx.execute(
        update(MentorRequest)
        .where(of_member, col(MentorRequest.status).in_(list(cancel)))
        .values(status="cancelled")
    )
    await tx.execute(
        update(MentorRequest).where(of_member).values(note="", topic="", suggested_mentor_ids=[])
    )
    mine = select(col(MentorRequest.id)).where(of_member)
    await tx.execute(
        update(RequestOffer)
        .where(col(RequestOffer.request_id).in_(mine))
        .values(reasons="", message_ref=None)
    )


async def scrub_offers_to(tx: AsyncSession, *, mentor_id: int, now: datetime) -> None:
    """Decline the mentor's pending offers and blank the text of all offers made to them."""
    to_mentor = col(RequestOffer.mentor_id) == mentor_id
    await tx.execute(
        update(RequestOffer)
        .where(to_mentor, col(RequestOffer.status) == "pending")
        .values(status="declined", answered_at=now)
    )
    await tx.execute(update(RequestOffer).where(to_mentor).values(reasons="", message_ref=None))


async def scrub_writing(tx: AsyncSession, *, member_id: int) -> None:
    """Blank what the member wrote: feedback comments, thank-you messages, goal titles."""
    await tx.execute(
        update(Feedback).where(col(Feedback.member_id) == member_id).values(comment="")
    )
    await tx.execute(update(Kudos).where(col(Kudos.from_member_id) == member_id).values(message=""))
    await tx.execute(
        update(Goal).where(col(Goal.created_by) == member_id).values(created_by=None, title="")
    )


async def leave_groups(tx: AsyncSession, *, member_id: int) -> None:
    """Drop the member's RSVPs, switch their tandem profile off, decline pending intros."""
    await tx.execute(delete(Rsvp).where(col(Rsvp.member_id) == member_id))
    await tx.execute(
        update(TandemProfile)
        .where(col(TandemProfile.member_id) == member_id)
        .values(offers=[], seeks=[], status="off")
    )
    await tx.execute(
        update(TandemIntro)
        .where(
            col(TandemIntro.status) == "proposed",
            or_(col(TandemIntro.first_id) == member_id, col(TandemIntro.second_id) == member_id),
        )
        .values(status="declined")
    )


async def delete_scheduled(tx: AsyncSession, *, member_id: int, user_id: str) -> None:
    """Delete scheduled messages (sent or not) addressed to the member or naming them."""
    await tx.execute(
        delete(Outbox).where(
            or_(
                and_(col(Outbox.target_kind) == "member", col(Outbox.target) == str(member_id)),
                cast(col(Outbox.mentions), String).contains(user_id),
                cast(col(Outbox.params), String).contains(user_id),
            )
        )
    )


async def departed_member_ids(tx: AsyncSession, *, limit: int) -> list[int]:
    """Members who left and are not erased yet."""
    stmt = (
        select(col(Member.id))
        .where(
            col(Member.left_at).is_not(None),
            ~col(Member.platform_user_id).startswith("deleted:"),
        )
        .limit(limit)
    )
    return [int(i) for i in (await tx.execute(stmt)).scalars() if i is not None]
