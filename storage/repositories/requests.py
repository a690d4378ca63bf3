"""Mentor requests and the offers made for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import OPEN_REQUEST_STATES, MentorRequest, RequestOffer


async def open_request_of(session: AsyncSession, *, mentee_id: int) -> MentorRequest | None:
    """The member's one open request, if any."""
    stmt = select(MentorRequest).where(
        col(MentorRequest.mentee_id) == mentee_id,
        col(MentorRequest.status).in_(OPEN_REQUEST_STATES),
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_request(session: AsyncSession, request_id: int) -> MentorRequest | None:
    """A request by id."""
    return await session.get(MentorRequest, request_id)


async def get_offer(session: AsyncSession, offer_id: int) -> RequestOffer | None:
    """An offer by id."""
    return await session.get(RequestOffer, offer_id)


async def offers_of(session: AsyncSession, request_id: int) -> list[RequestOffer]:
    """Every offer made for a request, oldest first."""
    stmt = (
        select(RequestOffer)
        .where(col(RequestOffer.request_id) == request_id)
        .order_by(col(RequestOffer.id))
    )
    return list((await session.execute(stmt)).scalars())


async def newest_pending_offer(session: AsyncSession, *, mentor_id: int) -> RequestOffer | None:
    """The most recent unanswered offer addressed to a mentor."""
    stmt = (
        select(RequestOffer)
        .where(col(RequestOffer.mentor_id) == mentor_id, col(RequestOffer.status) == "pending")
        .order_by(col(RequestOffer.id).desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def answer_offer(session: AsyncSession, offer_id: int, *, status: str, now: datetime) -> bool:
    """Move an offer from pending to `status`; False if someone answered it first."""
    stmt = (
        update(RequestOffer)
        .where(col(RequestOffer.id) == offer_id, col(RequestOffer.status) == "pending")
        .values(status=status, answered_at=now)
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0) == 1)


async def due_offers(session: AsyncSession, *, now: datetime, limit: int = 100) -> list[int]:
    """Ids of pending offers whose time is up."""
    stmt = (
        select(col(RequestOffer.id))
        .where(col(RequestOffer.status) == "pending", col(RequestOffer.expires_at) <= now)
        .order_by(col(RequestOffer.expires_at))
        .limit(limit)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars() if i is not None]


async def waitlisted(session: AsyncSession, *, community_id: int) -> list[MentorRequest]:
    """Waitlisted requests of a community, oldest first."""
    stmt = (
        select(MentorRequest)
        .where(
            col(MentorRequest.community_id) == community_id,
            col(MentorRequest.status) == "waitlisted",
        )
        .order_by(col(MentorRequest.id))
    )
    return list((await session.execute(stmt)).scalars())
