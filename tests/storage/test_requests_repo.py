"""The requests repository on SQLite and PostgreSQL: answering an offer is a claim."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FakeClock
from storage.db import session_factory
from storage.models import MentorProfile, MentorRequest, RequestOffer
from storage.repositories import members, requests


async def _offer(engine: AsyncEngine) -> tuple[int, int, int]:
    """A community with a mentee, a mentor and one pending offer: (community, request, offer)."""
    now = FakeClock().now()
    async with session_factory(engine).begin() as s:
        community = await members.ensure_community(
            s, platform="t", external_id="g", name="g", locale="en", now=now
        )
        assert community.id is not None
        mentee = await members.ensure_member(
            s, community_id=community.id, user_id="alice", display_name="Alice", now=now
        )
        mentor = await members.ensure_member(
            s, community_id=community.id, user_id="bob", display_name="Bob", now=now
        )
        profile = MentorProfile(community_id=community.id, member_id=mentor.id or 0)
        request = MentorRequest(community_id=community.id, mentee_id=mentee.id or 0,
                                status="offered", created_at=now)  # fmt: skip
        s.add_all([profile, request])
        await s.flush()
        offer = RequestOffer(request_id=request.id or 0, mentor_id=profile.id or 0,
                             offered_at=now, expires_at=now + timedelta(hours=48))  # fmt: skip
        s.add(offer)
        await s.flush()
        return community.id, request.id or 0, offer.id or 0


async def test_only_one_answer_to_an_offer_wins(engine: AsyncEngine) -> None:
    _, _, offer_id = await _offer(engine)
    factory, now = session_factory(engine), FakeClock().now()

    async def answer(status: str) -> bool:
        async with factory.begin() as s:
            return await requests.answer_offer(s, offer_id=offer_id, status=status, now=now)

    results = await asyncio.gather(*(answer(st) for st in ["accepted", "declined"] * 4))
    assert sum(results) == 1
    winner = ["accepted", "declined"][results.index(True) % 2]
    async with factory() as s:
        assert await requests.offer_status(s, offer_id=offer_id) == winner
        assert not await requests.answer_offer(s, offer_id=offer_id, status="timed_out", now=now)


async def test_due_offers_and_who_was_tried(engine: AsyncEngine) -> None:
    _, request_id, offer_id = await _offer(engine)
    now = FakeClock().now()
    async with session_factory(engine)() as s:
        assert await requests.due_offers(s, now=now) == []
        assert await requests.due_offers(s, now=now + timedelta(hours=48)) == [offer_id]
        offer = await requests.get_offer(s, offer_id=offer_id)
        assert offer is not None
        tried = await requests.offered_mentor_ids(s, request_id=request_id)
        assert tried == [offer.mentor_id]
        assert await requests.offer_status(s, offer_id=offer_id + 1000) is None


async def test_waiting_requests_name_the_mentee(engine: AsyncEngine) -> None:
    community_id, request_id, _ = await _offer(engine)
    async with session_factory(engine)() as s:
        rows = await requests.waiting_requests(s, community_id=community_id)
        assert [(r.id, name) for r, name in rows] == [(request_id, "Alice")]
        assert await requests.waiting_requests(s, community_id=community_id + 1) == []
        assert await requests.waitlisted(s, community_id=community_id) == []
