"""Cohorts in core: moderators create, newcomers join (capacity held atomically), the sweep
opens the private group space, checks in, and closes with a feedback prompt."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.actions import run_action
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.i18n import unmark
from bot.core.services import Services
from bot.scheduler import Sweeper
from bot.text.router import Incoming, TextRouter
from storage.models import Feedback, Group
from tests.conftest import actor, make_services
from tests.groups.conftest import GroupPlatform

DAY = timedelta(days=1)


async def sweep(services: Services) -> None:
    await Sweeper(services).sweep()


async def say(router: TextRouter, who: str, line: str, room: str | None = None) -> str:
    return "\n".join(unmark(m.text) for m in await router.handle(Incoming(actor(who), line, room)))


async def test_only_moderators_create_and_the_announcement_has_a_join_button(
    services: Services, platform: GroupPlatform
) -> None:
    with pytest.raises(NotAllowed):
        await services.cohorts.create(actor("alice"), "Spring")
    with pytest.raises(NotFound):
        await services.cohorts.create(actor("mod"), "Spring", leaders=[("bob", "")], moderator=True)
    await services.profiles.member(actor("bob"))
    view = await services.cohorts.create(actor("mod"), "Spring", leaders=[("bob", "")],
                                         capacity=2, start="1d", end="2w", moderator=True)  # fmt: skip
    assert view.capacity == 2 and view.status == "open"
    (announcement,) = platform.to("channel", "welcome")
    assert "Spring" in announcement.text and "<@bob>" in announcement.text
    assert [b.action for b in announcement.buttons] == [f"cohort:join:{view.id}"]
    with pytest.raises(Conflict):
        await services.cohorts.create(actor("mod"), "spring", moderator=True)


async def test_capacity_is_a_hard_limit_and_leaving_frees_a_place(services: Services) -> None:
    view = await services.cohorts.create(actor("mod"), "Tiny", capacity=1, moderator=True)
    reply = await run_action(services, actor("alice"), f"cohort:join:{view.id}", "en")
    assert "You have a place in the cohort “Tiny” (1/1)" in unmark(reply[0].text)
    with pytest.raises(Conflict, match="already_member"):
        await services.cohorts.join(actor("alice"), "tiny")
    with pytest.raises(Conflict, match="full"):
        await services.cohorts.join(actor("carol"), view.id)
    await services.cohorts.leave(actor("alice"), "Tiny")
    await services.cohorts.join(actor("carol"), f"#{view.id}")
    assert [v.members for v in await services.cohorts.list_cohorts(actor("x"))] == [1]


async def test_two_joins_for_the_last_place_exactly_one_wins(
    services_on_each_db: Services,
) -> None:
    services = services_on_each_db
    view = await services.cohorts.create(actor("mod"), "Race", capacity=3, moderator=True)
    await services.cohorts.join(actor("first"), view.id)
    await services.cohorts.join(actor("second"), view.id)
    for name in ("p", "q", "r", "s"):  # members known before the race (rows exist)
        await services.profiles.member(actor(name))
    results = await asyncio.gather(
        *(services.cohorts.join(actor(n), view.id) for n in ("p", "q", "r", "s")),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    async with services.ctx.db() as s:
        group = await s.get(Group, view.id)
        assert group is not None and group.member_count == 3


async def test_life_of_a_cohort_space_checkins_close_and_feedback(
    sqlite_engine, clock, platform: GroupPlatform
) -> None:
    services = make_services(sqlite_engine, clock, platform, checkin_interval=timedelta(days=7))
    router = TextRouter(services, is_moderator=lambda a: _true(a.user_id == "mod"))
    await services.profiles.member(actor("bob"))
    created = await say(router, "mod", '!cohort create name="Spring 26" leaders=bob capacity=5 '
                                        "start=2026-01-06 end=3w")  # fmt: skip
    assert "Cohort “Spring 26” (#1) is open (places: 5)" in created
    assert "private group space opens" in await say(router, "alice", "!cohort join Spring 26")
    clock.advance(DAY)
    await sweep(services)
    space = platform.space_named("Cohort: Spring 26")
    assert set(platform.spaces[space][1]) == {"bob", "alice"}
    welcome = platform.to("space", space)[0].text
    assert "<@alice>" in welcome and "Guidelines" in welcome
    # A member who joins later is added to the space at once.
    joined = await say(router, "dave", "!cohort join 1")
    assert f"private group space: <{space}>" in joined
    assert "dave" in platform.spaces[space][1]
    clock.advance(timedelta(days=7))
    await sweep(services)
    await sweep(services)
    checkins = [m for m in platform.to("space", space) if "check-in" in m.text]
    assert len(checkins) == 1 and "<@bob>" in checkins[0].text
    assert "Feedback on “Spring 26” opens" in await say(router, "alice", "!cohort feedback 1 5")
    clock.advance(timedelta(days=14))
    await sweep(services)
    closing = platform.to("space", space)[-1]
    assert "has ended" in closing.text
    assert [b.label for b in closing.buttons] == ["1", "2", "3", "4", "5"]
    rated = await run_action(services, actor("alice"), closing.buttons[3].action, "en")
    assert "Thank you" in rated[0].text
    assert "Thank you" in await say(router, "dave", "!cohort feedback 1 3 a bit fast")
    assert "not in the cohort" in await say(router, "mallory", "!cohort feedback 1 5")
    assert "takes no new members" in await say(router, "zoe", "!cohort join 1")
    async with services.ctx.db() as s:
        rows = (await s.execute(select(Feedback).order_by(Feedback.id))).scalars().all()
    assert [(r.group_id, r.rating, r.comment) for r in rows] == [(1, 4, ""), (1, 3, "a bit fast")]
    assert "No cohorts are open" in await say(router, "alice", "!cohort list")


async def _true(value: bool) -> bool:
    return value


@pytest.mark.allow_error_logs
async def test_a_space_that_cannot_open_is_reported_to_moderators(
    services: Services, platform: GroupPlatform
) -> None:
    platform.fail_spaces = True
    await services.cohorts.create(actor("mod"), "Blocked", moderator=True)
    assert await services.cohorts.start_due() == 1
    assert "could not open the private space" in platform.to("channel", "moderation")[-1].text
