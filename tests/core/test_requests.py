"""The request lifecycle through the real services, SQLite, a fake platform and clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.core.actions import run_action
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.i18n import unmark
from bot.core.services import Services
from storage.models import MentorRequest, Pair, RequestOffer
from tests.conftest import actor, make_services


async def signup(services: Services, name: str, skills: str = "python, git", **kw: object) -> None:
    await services.mentors.signup(actor(name), skills=skills, **kw)  # type: ignore[arg-type]


async def rows(services: Services, model: type) -> list:
    from sqlalchemy import select

    async with services.ctx.db() as s:
        return list((await s.execute(select(model))).scalars())


async def test_full_flow_opens_a_pair_space_with_welcome(services: Services, platform) -> None:
    await signup(services, "bob", languages="en,de", timezone="Europe/Berlin", capacity=2)
    result = await services.requests.request_mentor(actor("alice"), "python")
    assert [s.name for s in result.suggestions] == ["bob"]
    assert "shares: python" in result.suggestions[0].reasons
    offered = await services.requests.ask(actor("alice"), 1)
    assert offered.mentor_name == "bob"
    dm = platform.to("dm", "bob")[-1]
    assert "<@alice>" in dm.text and "Topic: python" in dm.text
    assert [b.label for b in dm.buttons] == ["Accept", "Decline"]

    pair_id = await services.requests.accept(actor("bob"), offered.offer_id)
    ((name, members),) = platform.spaces.values()
    assert name == "Mentoring: alice & bob"
    assert members == ["alice", "bob"]
    welcome = platform.to("space", "space1")[0]
    assert "<@alice>" in welcome.text and "<@bob>" in welcome.text and "Guidelines" in welcome.text
    assert "bob accepted" in platform.to("dm", "alice")[-1].text
    (pair,) = await rows(services, Pair)
    assert pair.id == pair_id and pair.space_ref == "space1" and pair.status == "active"


async def test_language_pause_capacity_and_self_are_hard_constraints(services: Services) -> None:
    await signup(services, "de_only", languages="de")
    await signup(services, "paused")
    await services.mentors.set_status(actor("paused"), "paused")
    await signup(services, "full", capacity=1)
    await services.profiles.update_profile(actor("alice"), languages="en")
    await services.profiles.update_profile(actor("carol"), languages="en")
    await signup(services, "alice")  # alice is a mentor too, but never her own
    carol = await services.requests.request_mentor(actor("carol"), "python")
    names = {s.name for s in carol.suggestions}
    assert names == {"full", "alice"}
    idx = [s.name for s in carol.suggestions].index("full") + 1
    await services.requests.ask(actor("carol"), idx)
    await services.requests.accept(actor("full"))
    result = await services.requests.request_mentor(actor("alice"), "python")
    assert result.suggestions == [] and result.waitlisted


async def test_decline_passes_on_then_waitlists_and_tells_moderators(
    services: Services, platform
) -> None:
    await signup(services, "bob")
    await signup(services, "dana")
    await services.requests.request_mentor(actor("alice"), "python")
    first = await services.requests.ask(actor("alice"), None)
    declined = await services.requests.decline(actor(first.mentor_name))
    assert declined.outcome == "passed_on"
    other = "dana" if first.mentor_name == "bob" else "bob"
    assert platform.actions("dm", other)[0].startswith("offer:accept:")
    declined = await services.requests.decline(actor(other))
    assert declined.outcome == "waitlisted"
    assert "waitlist" in platform.to("dm", "alice")[-1].text
    assert "<@alice>" in platform.to("channel", "moderation")[-1].text
    (request,) = await rows(services, MentorRequest)
    assert request.status == "waitlisted"


async def test_timeout_passes_on_and_auto_pauses_after_repeated_timeouts(
    sqlite_engine, clock, platform
) -> None:
    services = make_services(sqlite_engine, clock, platform, auto_pause_after=2,
                             request_timeout=timedelta(hours=1))  # fmt: skip
    await signup(services, "bob", skills="python")
    await signup(services, "dana", skills="rust")
    await services.requests.request_mentor(actor("alice"), "python")
    offered = await services.requests.ask(actor("alice"), 1)
    assert offered.mentor_name == "bob"
    clock.advance(timedelta(minutes=59))
    assert await services.requests.expire_due() == 0
    clock.advance(timedelta(minutes=2))
    assert await services.requests.expire_due() == 1
    assert platform.actions("dm", "dana")  # passed on to the next-best mentor
    # bob times out on a second newcomer too -> paused and told
    await services.requests.request_mentor(actor("erin"), "python")
    assert (await services.requests.ask(actor("erin"), 1)).mentor_name == "bob"
    clock.advance(timedelta(hours=2))
    await services.requests.expire_due()
    assert "paused" in platform.to("dm", "bob")[-1].text
    profile = await services.mentors.profile(actor("bob"))
    assert profile is not None and profile.status == "paused" and profile.offers_timed_out == 2
    # a button pressed after the time-out says what happened
    with pytest.raises(Conflict) as err:
        await services.requests.accept(actor("bob"), offered.offer_id)
    assert err.value.key == "offer.passed_on"


async def test_max_offer_attempts_then_waitlist(sqlite_engine, clock, platform) -> None:
    services = make_services(sqlite_engine, clock, platform, max_offer_attempts=1)
    await signup(services, "bob")
    await signup(services, "dana")
    await services.requests.request_mentor(actor("alice"), "python")
    first = await services.requests.ask(actor("alice"), None)
    assert (await services.requests.decline(actor(first.mentor_name))).outcome == "waitlisted"


async def test_one_open_request_per_newcomer(services: Services) -> None:
    await signup(services, "bob")
    await services.requests.request_mentor(actor("alice"), "python")
    await services.requests.request_mentor(actor("alice"), "git")  # refresh is fine
    await services.requests.ask(actor("alice"), 1)
    with pytest.raises(Conflict) as err:
        await services.requests.request_mentor(actor("alice"), "rust")
    assert err.value.key == "request.already_offered"
    assert len(await rows(services, MentorRequest)) == 1


async def test_wrong_mentor_and_answered_offers_change_nothing(services: Services) -> None:
    await signup(services, "bob")
    await signup(services, "dana", skills="cooking")
    await services.requests.request_mentor(actor("alice"), "python")
    offered = await services.requests.ask(actor("alice"), 1)
    for intruder in ("dana", "mallory"):
        with pytest.raises(NotAllowed):
            await services.requests.accept(actor(intruder), offered.offer_id)
    (offer,) = await rows(services, RequestOffer)
    assert offer.status == "pending"
    await services.requests.accept(actor("bob"), offered.offer_id)
    with pytest.raises(Conflict) as err:
        await services.requests.decline(actor("bob"), offered.offer_id)
    assert err.value.key == "offer.already_accepted"
    with pytest.raises(NotFound):
        await services.requests.accept(actor("bob"), 999)


async def test_two_simultaneous_accepts_cannot_exceed_capacity(
    services_on_each_db: Services,
) -> None:
    services = services_on_each_db
    await signup(services, "bob", capacity=1)
    offers = []
    for mentee in ("alice", "carol", "erin"):
        await services.requests.request_mentor(actor(mentee), "python")
        offers.append((await services.requests.ask(actor(mentee), 1)).offer_id)
    results = await asyncio.gather(
        *(services.requests.accept(actor("bob"), o) for o in offers), return_exceptions=True
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, int))
    assert len(await rows(services, Pair)) == 1
    profile = await services.mentors.profile(actor("bob"))
    assert profile is not None and profile.active_mentees == 1


async def test_the_same_offer_accepted_twice_at_once_makes_one_pair(
    services_on_each_db: Services,
) -> None:
    services = services_on_each_db
    await signup(services, "bob", capacity=3)
    await services.requests.request_mentor(actor("alice"), "python")
    offer_id = (await services.requests.ask(actor("alice"), 1)).offer_id
    results = await asyncio.gather(
        *(services.requests.accept(actor("bob"), offer_id) for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert len(await rows(services, Pair)) == 1


async def test_waitlisted_newcomer_is_offered_a_mentor_when_one_is_free(
    services: Services, platform
) -> None:
    result = await services.requests.request_mentor(actor("alice"), "python")
    assert result.waitlisted
    await signup(services, "bob")
    community_id = (await rows(services, MentorRequest))[0].community_id
    assert await services.requests.serve_waitlist(community_id) == 1
    assert platform.actions("dm", "bob")[0].startswith("offer:accept:")


async def test_ending_a_pair_frees_capacity_and_collects_feedback(
    services: Services, platform
) -> None:
    await signup(services, "bob", capacity=1)
    await services.requests.request_mentor(actor("alice"), "python")
    await services.requests.ask(actor("alice"), 1)
    pair_id = await services.requests.accept(actor("bob"))
    with pytest.raises(NotAllowed):
        await services.pairs.end(actor("mallory"), pair_id)
    await services.pairs.end(actor("alice"), pair_id)
    assert "ended" in platform.to("space", "space1")[-1].text
    await services.pairs.feedback(actor("alice"), pair_id, 5, "great")
    await services.pairs.feedback(actor("bob"), pair_id, 4)
    profile = await services.mentors.profile(actor("bob"))
    assert profile is not None and profile.active_mentees == 0
    with pytest.raises(Conflict):
        await services.pairs.end(actor("bob"), pair_id)


async def test_closed_dm_falls_back_to_the_mentors_channel(services: Services, platform) -> None:
    platform.closed_dms.add("bob")
    await signup(services, "bob")
    await services.requests.request_mentor(actor("alice"), "python")
    await services.requests.ask(actor("alice"), 1)
    (msg,) = platform.to("channel", "mentors")
    assert "<@alice>" in msg.text and msg.buttons


async def test_space_failure_keeps_the_pair_and_tells_both(services: Services, platform) -> None:
    platform.fail_spaces = True
    await signup(services, "bob")
    await services.requests.request_mentor(actor("alice"), "python")
    await services.requests.ask(actor("alice"), 1)
    await services.requests.accept(actor("bob"))
    assert "could not open" in platform.to("dm", "alice")[-1].text
    (pair,) = await rows(services, Pair)
    assert pair.status == "active" and pair.space_ref is None


async def test_buttons_keep_their_public_ids_and_run_through_the_registry(
    services: Services, platform
) -> None:
    await signup(services, "bob")
    await signup(services, "dana", skills="rust")
    result = await services.requests.request_mentor(actor("alice"), "python")
    (reply,) = await run_action(services, actor("alice"), f"ask:{result.request_id}:1", "en")
    assert unmark(reply.text).startswith("I've asked bob.")
    (offer,) = await rows(services, RequestOffer)
    assert platform.actions("dm", "bob") == [
        f"offer:accept:{offer.id}",
        f"offer:decline:{offer.id}",
    ]
    (reply,) = await run_action(services, actor("bob"), f"offer:decline:{offer.id}", "en")
    assert "passed alice's request on" in unmark(reply.text)
    (reply,) = await run_action(services, actor("dana"), "offer:accept:", "en")  # newest
    assert unmark(reply.text).startswith("You are now mentoring alice.")
    with pytest.raises(Conflict, match=r"request\.already_accepted"):
        await run_action(services, actor("alice"), f"ask:{result.request_id}:any", "en")
