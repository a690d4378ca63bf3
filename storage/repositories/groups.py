"""Groups (cohorts, office hours, topic circles), their members, RSVPs and feedback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Community, Feedback, Group, GroupMember, Member, Rsvp
from storage.repositories._sql import changed, claim, insert_ignore

DUE_LIMIT = 200


# ----- groups ------------------------------------------------------------------------------
async def get_group(tx: AsyncSession, *, group_id: int) -> Group | None:
    """A group by id."""
    return await tx.get(Group, group_id)


async def find_group(tx: AsyncSession, *, community_id: int, kind: str, text: str
                     ) -> Group | None:  # fmt: skip
    """A group of this kind by id ('3') or case-insensitive name (the newest not cancelled)."""
    group: Group | None = None
    if text.isdigit():
        group = await tx.get(Group, int(text))
        if group is not None and (group.community_id != community_id or group.kind != kind):
            group = None
    if group is None and text:
        group = (await tx.execute(
            select(Group).where(col(Group.community_id) == community_id, col(Group.kind) == kind,
                                func.lower(col(Group.name)) == text.lower(),
                                col(Group.status) != "cancelled")
            .order_by(col(Group.id).desc()).limit(1)
        )).scalar_one_or_none()  # fmt: skip
    return group


async def name_taken(tx: AsyncSession, *, community_id: int, kind: str, name: str,
                     statuses: Sequence[str]) -> bool:  # fmt: skip
    """Whether a group of this kind in one of `statuses` has this name (case-insensitive)."""
    found = (await tx.execute(
        select(col(Group.id)).where(
            col(Group.community_id) == community_id, col(Group.kind) == kind,
            col(Group.status).in_(list(statuses)), func.lower(col(Group.name)) == name.lower())
    )).first()  # fmt: skip
    return found is not None


async def community_of(tx: AsyncSession, *, group: Group) -> Community:
    """The community a group belongs to."""
    community = await tx.get(Community, group.community_id)
    assert community is not None  # a foreign key
    return community


async def reload_group(tx: AsyncSession, *, group: Group) -> None:
    """Read a group's row again (after an UPDATE that changed it in the database)."""
    await tx.refresh(group)


async def open_circles(tx: AsyncSession, *, community_id: int, limit: int | None = None
                       ) -> list[Group]:  # fmt: skip
    """Open circles of a community, biggest first."""
    stmt = (
        select(Group).where(col(Group.community_id) == community_id,
                            col(Group.kind) == "circle", col(Group.status) == "open")
        .order_by(col(Group.member_count).desc(), col(Group.id)).limit(limit)
    )  # fmt: skip
    return list((await tx.execute(stmt)).scalars())


async def cohorts_in(tx: AsyncSession, *, community_id: int, statuses: Sequence[str],
                     limit: int) -> list[Group]:  # fmt: skip
    """Cohorts of a community in one of `statuses`, soonest start first."""
    stmt = (
        select(Group).where(col(Group.community_id) == community_id,
                            col(Group.kind) == "cohort", col(Group.status).in_(list(statuses)))
        .order_by(col(Group.starts_at), col(Group.id)).limit(limit)
    )  # fmt: skip
    return list((await tx.execute(stmt)).scalars())


async def open_office_hours(tx: AsyncSession, *, community_id: int, limit: int) -> list[Group]:
    """Office-hours series of a community that are not cancelled."""
    stmt = (
        select(Group)
        .where(
            col(Group.community_id) == community_id,
            col(Group.kind) == "office_hours",
            col(Group.status) == "open",
        )
        .limit(limit)
    )
    return list((await tx.execute(stmt)).scalars())


# ----- members and places ------------------------------------------------------------------
async def membership(tx: AsyncSession, *, group_id: int, member_id: int) -> GroupMember | None:
    """The member's membership row in a group."""
    return await tx.get(GroupMember, (group_id, member_id))


async def group_ids_of(tx: AsyncSession, *, member_id: int) -> set[int]:
    """Ids of the groups a member belongs to."""
    stmt = select(col(GroupMember.group_id)).where(col(GroupMember.member_id) == member_id)
    return set((await tx.execute(stmt)).scalars())


async def members_of(tx: AsyncSession, *, group_id: int,
                     roles: Sequence[str] = ("leader", "member")) -> list[Member]:  # fmt: skip
    """Members of a group (leaders first), oldest first."""
    stmt = (
        select(Member).join(GroupMember, col(GroupMember.member_id) == col(Member.id))
        .where(col(GroupMember.group_id) == group_id, col(GroupMember.role).in_(list(roles)))
        .order_by(col(GroupMember.role), col(GroupMember.joined_at))
    )  # fmt: skip
    return list((await tx.execute(stmt)).scalars())


async def remove_member(tx: AsyncSession, *, group_id: int, member_id: int) -> bool:
    """Delete a membership; False when there was none."""
    stmt = delete(GroupMember).where(
        col(GroupMember.group_id) == group_id, col(GroupMember.member_id) == member_id
    )
    return await changed(tx, stmt) > 0


async def add_to_count(tx: AsyncSession, *, group_id: int, by: int) -> None:
    """Change a group's member count in the database (safe against concurrent joins)."""
    await tx.execute(update(Group).where(col(Group.id) == group_id)
                     .values(member_count=col(Group.member_count) + by))  # fmt: skip


async def claim_place(tx: AsyncSession, *, group_id: int, statuses: Sequence[str]) -> bool:
    """Take a place in a group in one of `statuses` that has room; False when full or over."""
    stmt = (
        update(Group)
        .where(col(Group.id) == group_id, col(Group.status).in_(list(statuses)),
               col(Group.member_count) < col(Group.capacity))
        .values(member_count=col(Group.member_count) + 1)
    )  # fmt: skip
    return await claim(tx, stmt)


# ----- sweeps ------------------------------------------------------------------------------
async def cohorts_to_start(tx: AsyncSession, *, now: datetime, limit: int = DUE_LIMIT
                           ) -> list[int]:  # fmt: skip
    """Ids of enrolling cohorts whose start has come (and whose end has not)."""
    stmt = select(col(Group.id)).where(
        col(Group.kind) == "cohort", col(Group.status) == "open",
        col(Group.starts_at) <= now, col(Group.ends_at) > now,
    ).limit(limit)  # fmt: skip
    return [int(i) for i in (await tx.execute(stmt)).scalars() if i is not None]


async def cohorts_to_check_in(tx: AsyncSession, *, now: datetime, limit: int = DUE_LIMIT
                              ) -> list[tuple[int, datetime | None]]:  # fmt: skip
    """(id, next_at) of running cohorts whose next check-in is due."""
    stmt = (
        select(col(Group.id), col(Group.next_at))
        .where(
            col(Group.kind) == "cohort", col(Group.status) == "running", col(Group.next_at) <= now
        )
        .limit(limit)
    )
    return [(int(i), at) for i, at in (await tx.execute(stmt)).all()]


async def cohorts_to_close(tx: AsyncSession, *, now: datetime, statuses: Sequence[str],
                           limit: int = DUE_LIMIT) -> list[int]:  # fmt: skip
    """Ids of cohorts in one of `statuses` whose end has come."""
    stmt = select(col(Group.id)).where(
        col(Group.kind) == "cohort", col(Group.status).in_(list(statuses)),
        col(Group.ends_at) <= now,
    ).limit(limit)  # fmt: skip
    return [int(i) for i in (await tx.execute(stmt)).scalars() if i is not None]


async def office_hours_due(tx: AsyncSession, *, before: datetime, limit: int = DUE_LIMIT
                           ) -> list[tuple[int, datetime | None]]:  # fmt: skip
    """(id, next_at) of open office-hours series whose next session starts before `before`."""
    stmt = select(col(Group.id), col(Group.next_at)).where(
        col(Group.kind) == "office_hours", col(Group.status) == "open",
        col(Group.next_at) <= before,
    ).limit(limit)  # fmt: skip
    return [(int(i), at) for i, at in (await tx.execute(stmt)).all()]


async def claim_start(tx: AsyncSession, *, group_id: int, next_at: datetime) -> bool:
    """Move an enrolling group to running; False when another process did it first."""
    stmt = (
        update(Group)
        .where(col(Group.id) == group_id, col(Group.status) == "open")
        .values(status="running", next_at=next_at)
    )
    return await claim(tx, stmt)


async def claim_next(tx: AsyncSession, *, group_id: int, old: datetime | None,
                     following: datetime) -> bool:  # fmt: skip
    """Move a group's next date from `old` to `following`; False when someone moved it first."""
    stmt = (
        update(Group)
        .where(col(Group.id) == group_id, col(Group.next_at) == old)
        .values(next_at=following)
    )
    return await claim(tx, stmt)


async def claim_close(tx: AsyncSession, *, group_id: int, statuses: Sequence[str]) -> bool:
    """Close a group still in one of `statuses`; False when another process did it first."""
    stmt = update(Group).where(
        col(Group.id) == group_id, col(Group.status).in_(list(statuses))
    ).values(status="closed", next_at=None)  # fmt: skip
    return await claim(tx, stmt)


# ----- RSVPs and feedback ------------------------------------------------------------------
async def add_rsvp(tx: AsyncSession, *, group_id: int, member_id: int, day: date,
                   now: datetime) -> bool:  # fmt: skip
    """Record an RSVP for the session on `day`; False when the member had already RSVPed."""
    row = {"group_id": group_id, "member_id": member_id, "occurs_on": day, "created_at": now}
    return await insert_ignore(tx, Rsvp, row, conflict=["group_id", "member_id", "occurs_on"]) > 0


async def rsvp_ids(tx: AsyncSession, *, group_id: int, day: date) -> set[int]:
    """Ids of the members going to the session on `day`."""
    stmt = select(col(Rsvp.member_id)).where(col(Rsvp.group_id) == group_id,
                                             col(Rsvp.occurs_on) == day)  # fmt: skip
    return set((await tx.execute(stmt)).scalars())


async def rsvped(tx: AsyncSession, *, group_id: int, day: date) -> list[Member]:
    """The members going to the session on `day`."""
    stmt = (
        select(Member).join(Rsvp, col(Rsvp.member_id) == col(Member.id))
        .where(col(Rsvp.group_id) == group_id, col(Rsvp.occurs_on) == day)
    )  # fmt: skip
    return list((await tx.execute(stmt)).scalars())


async def group_feedback_of(tx: AsyncSession, *, group_id: int, member_id: int
                            ) -> Feedback | None:  # fmt: skip
    """A member's feedback on a group, if given."""
    stmt = select(Feedback).where(
        col(Feedback.group_id) == group_id, col(Feedback.member_id) == member_id
    )
    return (await tx.execute(stmt)).scalar_one_or_none()
