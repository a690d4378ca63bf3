"""Mentor requests, the offers made for them and the waitlist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import OPEN_REQUEST_STATES, Member, MentorRequest, RequestOffer
from storage.repositories._sql import claim


async def open_request_of(tx: AsyncSession, *, mentee_id: int) -> MentorRequest | None:
    """The member's one open request, if any."""
    stmt = select(MentorRequest).where(
        col(MentorRequest.mentee_id) == mentee_id,
        col(MentorRequest.status).in_(OPEN_REQUEST_STATES),
    )
    return (await tx.execute(stmt)).scalar_one_or_none()


async def get_request(tx: AsyncSession, *, request_id: int) -> MentorRequest | None:
    """A request by id."""
    return await tx.get(MentorRequest, request_id)


async def waiting_requests(
    tx: AsyncSession, *, community_id: int, limit: int = 50
) -> list[tuple[MentorRequest, str]]:
    """Requests still waiting (open, offered, waitlisted) with the mentee's name, oldest first."""
    stmt = (
        select(MentorRequest, col(Member.display_name))
        .join(Member, col(Member.id) == col(MentorRequest.mentee_id))
        .where(
            col(MentorRequest.community_id) == community_id,
            col(MentorRequest.status).in_(OPEN_REQUEST_STATES),
        )
        .order_by(col(MentorRequest.id))
        .limit(limit)
    )
    return [(request, name) for request, name in (await tx.execute(stmt)).all()]


async def waitlisted(tx: AsyncSession, *, community_id: int) -> list[MentorRequest]:
    """Waitlisted requests of a community, oldest first."""
    stmt = (
        select(MentorRequest)
        .where(
            col(MentorRequest.community_id) == community_id,
            col(MentorRequest.status) == "waitlisted",
        )
        .order_by(col(MentorRequest.id))
    )
    return list((await tx.execute(stmt)).scalars())


async def get_offer(tx: AsyncSession, *, offer_id: int) -> RequestOffer | None:
    """An offer by id."""
    return await tx.get(RequestOffer, offer_id)


async def offer_status(tx: AsyncSession, *, offer_id: int) -> str | None:
    """An offer's status as stored now (after someone else may have answered it)."""
    stmt = select(col(RequestOffer.status)).where(col(RequestOffer.id) == offer_id)
    return (await tx.execute(stmt)).scalar_one_or_none()


async def offered_mentor_ids(tx: AsyncSession, *, request_id: int) -> list[int]:
    """The mentors a request was offered to so far, oldest offer first."""
    stmt = (
        select(col(RequestOffer.mentor_id))
        .where(col(RequestOffer.request_id) == request_id)
        .order_by(col(RequestOffer.id))
    )
    return list((await tx.execute(stmt)).scalars())


async def newest_pending_offer(tx: AsyncSession, *, mentor_id: int) -> RequestOffer | None:
    """The most recent unanswered offer addressed to a mentor."""
    stmt = (
        select(RequestOffer)
        .where(col(RequestOffer.mentor_id) == mentor_id, col(RequestOffer.status) == "pending")
        .order_by(col(RequestOffer.id).desc())
        .limit(1)
    )
    return (await tx.execute(stmt)).scalar_one_or_none()


async def answer_offer(tx: AsyncSession, *, offer_id: int, status: str, now: datetime) -> bool:
    """Move an offer from pending to `status`; False if someone answered it first."""
    stmt = (
        update(RequestOffer)
        .where(col(RequestOffer.id) == offer_id, col(RequestOffer.status) == "pending")
        .values(status=status, answered_at=now)
    )
    return await claim(tx, stmt)


async def due_offers(tx: AsyncSession, *, now: datetime, limit: int = 100) -> list[int]:
    """Ids of pending offers whose time is up."""
    stmt = (
        select(col(RequestOffer.id))
        .where(col(RequestOffer.status) == "pending", col(RequestOffer.expires_at) <= now)
        .order_by(col(RequestOffer.expires_at))
        .limit(limit)
    )
    return [int(i) for i in (await tx.execute(stmt)).scalars() if i is not None]
