"""A member's data across tables: find it to export, scrub it to delete, find who left."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from storage.models import (
    CheckIn,
    Feedback,
    Goal,
    Group,
    GroupMember,
    Kudos,
    Member,
    MentorRequest,
    Outbox,
    RequestOffer,
    Rsvp,
    TandemIntro,
    TandemProfile,
)
from storage.repositories._sql import changed

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


async def scrub_requests(tx: AsyncSession, *, mentee_id: int, cancel: Sequence[str]) -> int:
    """Cancel the member's requests in `cancel` states; blank their text and their offers'.

    Returns how many requests the member had.
    """
    of_member = col(MentorRequest.mentee_id) == mentee_id
    await tx.execute(
        update(MentorRequest)
        .where(of_member, col(MentorRequest.status).in_(list(cancel)))
        .values(status="cancelled")
    )
    count = await changed(
        tx,
        update(MentorRequest).where(of_member).values(note="", topic="", suggested_mentor_ids=[]),
    )
    mine = select(col(MentorRequest.id)).where(of_member)
    await tx.execute(
        update(RequestOffer)
        .where(col(RequestOffer.request_id).in_(mine))
        .values(reasons="", message_ref=None)
    )
    return count


async def scrub_offers_to(tx: AsyncSession, *, mentor_id: int, now: datetime) -> None:
    """Decline the mentor's pending offers and blank the text of all offers made to them."""
    to_mentor = col(RequestOffer.mentor_id) == mentor_id
    await tx.execute(
        update(RequestOffer)
        .where(to_mentor, col(RequestOffer.status) == "pending")
        .values(status="declined", answered_at=now)
    )
    await tx.execute(update(RequestOffer).where(to_mentor).values(reasons="", message_ref=None))


async def erase_feedback(tx: AsyncSession, *, member_id: int) -> int:
    """Blank the comments of the member's feedback (the ratings stay, anonymous)."""
    stmt = update(Feedback).where(col(Feedback.member_id) == member_id).values(comment="")
    return await changed(tx, stmt)


async def erase_thanks(tx: AsyncSession, *, member_id: int) -> int:
    """Blank the messages of the thank-yous the member wrote (the recipients keep the count)."""
    stmt = update(Kudos).where(col(Kudos.from_member_id) == member_id).values(message="")
    return await changed(tx, stmt)


async def erase_goals(tx: AsyncSession, *, member_id: int, placeholder: str) -> int:
    """Replace the titles of the goals and milestones the member wrote and drop the author."""
    stmt = (
        update(Goal)
        .where(col(Goal.created_by) == member_id)
        .values(created_by=None, title=placeholder)
    )
    return await changed(tx, stmt)


async def erase_tandem(tx: AsyncSession, *, member_id: int) -> int:
    """Switch the member's tandem profile off and blank what they offer and seek; 0 or 1."""
    stmt = (
        update(TandemProfile)
        .where(col(TandemProfile.member_id) == member_id)
        .values(offers=[], seeks=[], status="off")
    )
    count = await changed(tx, stmt)
    await tx.execute(
        update(TandemIntro)
        .where(
            col(TandemIntro.status) == "proposed",
            or_(col(TandemIntro.first_id) == member_id, col(TandemIntro.second_id) == member_id),
        )
        .values(status="declined")
    )
    return count


async def delete_rsvps(tx: AsyncSession, *, member_id: int) -> int:
    """Delete the member's office-hours RSVPs."""
    return await changed(tx, delete(Rsvp).where(col(Rsvp.member_id) == member_id))


async def memberships(tx: AsyncSession, *, member_id: int) -> list[tuple[int, str, str]]:
    """(group id, role, group kind) of every group the member belongs to."""
    stmt = (
        select(col(GroupMember.group_id), col(GroupMember.role), col(Group.kind))
        .join(Group, col(Group.id) == col(GroupMember.group_id))
        .where(col(GroupMember.member_id) == member_id)
        .order_by(col(GroupMember.group_id))
    )
    return [(int(g), str(r), str(k)) for g, r, k in (await tx.execute(stmt)).all()]


async def delete_memberships(tx: AsyncSession, *, member_id: int) -> int:
    """Delete every group membership of the member."""
    return await changed(tx, delete(GroupMember).where(col(GroupMember.member_id) == member_id))


async def groups_created_by(tx: AsyncSession, *, member_id: int) -> list[Group]:
    """The cohorts, circles and office-hours series the member created."""
    stmt = select(Group).where(col(Group.owner_id) == member_id).order_by(col(Group.id))
    return list((await tx.execute(stmt)).scalars())


async def delete_scheduled(tx: AsyncSession, *, community_id: int, member_id: int) -> int:
    """Delete the scheduled messages for the member in this community (by their own columns;
    messages for anyone else stay)."""
    stmt = delete(Outbox).where(
        col(Outbox.community_id) == community_id, col(Outbox.recipient_member_id) == member_id
    )
    return await changed(tx, stmt)


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
