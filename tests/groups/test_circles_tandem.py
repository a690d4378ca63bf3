"""Topic circles, tandem partners and milestones in core (and by text command)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.actions import run_action
from bot.core.errors import Conflict, NotAllowed
from bot.core.i18n import unmark
from bot.core.services import Services
from bot.scheduler import Sweeper
from bot.text.router import Incoming, TextRouter
from storage.models import Badge, Pair, TandemIntro, TandemProfile
from tests.conftest import actor, make_services
from tests.groups.conftest import GroupPlatform


async def say(router: TextRouter, who: str, line: str, room: str | None = None) -> str:
    return "\n".join(unmark(m.text) for m in await router.handle(Incoming(actor(who), line, room)))


def intro_buttons(platform: GroupPlatform, who: str) -> list[str]:
    return [b.action for m in platform.to("dm", who) if "Tandem introduction" in m.text
            for b in m.buttons]  # fmt: skip


# ----- circles -----------------------------------------------------------------------------------
async def test_circles_open_space_join_leave_list_and_matching(
    services: Services, platform: GroupPlatform
) -> None:
    router = TextRouter(services)
    created = await say(router, "alice", '!circle create name="Pythonistas" topic="python, packaging"')
    space = platform.space_named("Circle: Pythonistas")
    assert space in platform.public and f"<{space}>" in created
    (announcement,) = platform.to("channel", "welcome")
    assert announcement.buttons[0].action == "circle:join:1"
    joined = await run_action(services, actor("bob"), "circle:join:1", "en")
    assert f"You joined the circle “Pythonistas”: <{space}>" in unmark(joined[0].text)
    assert platform.spaces[space][1] == ["alice", "bob"]
    assert "already in the circle" in await say(router, "bob", "!circle join pythonistas")
    await say(router, "carol", "!circle create Rustaceans")
    listing = await say(router, "bob", "!circle list")
    assert listing.index("Pythonistas") < listing.index("Rustaceans")
    assert "#1 Pythonistas — python, packaging · 2 members ✓" in listing
    assert "left the circle" in await say(router, "bob", "!circle leave 1")
    assert "not in the circle" in await say(router, "bob", "!circle leave 1")
    assert "already a circle" in await say(router, "dave", "!circle create pythonistas")
    community_id = 1
    found = await services.circles.circles_for(community_id, ["Py", "docker"])
    assert [c.name for c in found] == ["Pythonistas"]
    assert await services.circles.circles_for(community_id, ["haskell"]) == []
    assert [c.name for c in await services.circles.circles_for(community_id, ["RUSTACEANS"])] == [
        "Rustaceans"]  # fmt: skip


# ----- tandem --------------------------------------------------------------------------------
async def test_complementary_partners_are_introduced_and_begin_when_both_confirm(
    services: Services, platform: GroupPlatform
) -> None:
    router = TextRouter(services)
    waiting = await say(router, "alice", "!tandem offer=Python,git seek=German")
    assert "No complementary partner yet" in waiting
    # Offers what alice seeks, but seeks nothing she offers: no match.
    await say(router, "carol", "!tandem offer=deutsch,german seek=rust")
    assert intro_buttons(platform, "alice") == []
    introduced = await say(router, "bob", "!tandem offer=german seek=py3")  # alias of python
    assert "possible tandem partner: alice" in introduced
    assert intro_buttons(platform, "alice") == ["tandem:1:confirm", "tandem:1:decline"]
    dm = platform.to("dm", "bob")[-1].text
    assert "You offer german; they offer python" in dm and "non-binding" in dm
    assert "waiting for your answer" in await say(router, "bob", "!tandem")
    with pytest.raises(NotAllowed):
        await services.tandem.confirm(actor("carol"), 1)
    first = await run_action(services, actor("alice"), "tandem:1:confirm", "en")
    assert "begins as soon as they confirm" in first[0].text
    assert "would like to start" in platform.to("dm", "bob")[-1].text
    started = await say(router, "bob", "!tandem confirm")
    space = platform.space_named("Tandem: bob & alice")
    assert f"has begun: <{space}>" in started
    welcome = platform.to("space", space)[0]
    assert "bob offers german; alice offers python" in welcome.text
    assert welcome.buttons[0].action.startswith("pair:ack:")
    async with services.ctx.db() as s:
        (pair,) = (await s.execute(select(Pair))).scalars().all()
    assert (pair.kind, pair.mentor_id, pair.status) == ("tandem", None, "active")
    assert "already begun" in await say(router, "alice", "!tandem confirm 1")
    assert "already in an active tandem" in await say(router, "alice", "!tandem offer=x seek=y")
    # Shared goals and milestones in the tandem space; a milestone is celebrated and counts.
    await say(router, "alice", "!goals add Hold a conversation in German", space)
    assert "Milestone 1.1 added" in await say(router, "bob", "!milestone add 1 Order food", space)
    await say(router, "bob", "!milestone add 1 Small talk", space)
    await say(router, "alice", "!milestone done 1.1", space)
    assert "reached the milestone “Order food”" in platform.to("space", space)[-1].text
    tree = await say(router, "bob", "!milestone", space)
    assert "1. ⬜ Hold a conversation in German\n    1.1 ✅ Order food\n    1.2 ⬜ Small talk" in tree
    assert "already done" in await say(router, "alice", "!milestone done 1.1", space)
    assert "no milestone with that number" in await say(router, "alice", "!milestone done 1.7", space)
    await Sweeper(services).sweep()
    badges = [m.text for m in platform.to("channel", "recognition")]
    assert any("<@alice>" in b and "First milestone" in b for b in badges)
    assert any("<@bob>" in b and "First milestone" in b for b in badges)
    async with services.ctx.db() as s:
        assert len((await s.execute(select(Badge))).scalars().all()) == 2


async def test_a_tandem_where_only_one_side_confirms_never_starts(
    sqlite_engine, clock, platform: GroupPlatform
) -> None:
    services = make_services(sqlite_engine, clock, platform, request_timeout=timedelta(hours=48))
    await services.tandem.register(actor("alice"), "python", "german")
    result = await services.tandem.register(actor("bob"), "german", "python")
    assert result.status == "introduced"
    await services.tandem.confirm(actor("alice"))
    clock.advance(timedelta(hours=47))
    assert await services.tandem.expire_due() == 0
    clock.advance(timedelta(hours=2))
    await Sweeper(services).sweep()
    assert "lapsed" in platform.to("dm", "alice")[-1].text
    assert "lapsed" in platform.to("dm", "bob")[-1].text
    with pytest.raises(Conflict, match="already_expired"):
        await services.tandem.confirm(actor("bob"), 1)
    async with services.ctx.db() as s:
        assert (await s.execute(select(Pair))).scalars().all() == []
        profiles = (await s.execute(select(TandemProfile))).scalars().all()
    assert {p.status for p in profiles} == {"seeking"}
    assert platform.spaces == {}
    # Both can match again, with someone new (never re-introduced to each other).
    await services.tandem.register(actor("carol"), "german", "python")
    assert intro_buttons(platform, "carol") == ["tandem:2:confirm", "tandem:2:decline"]
    assert intro_buttons(platform, "alice")[-2:] == ["tandem:2:confirm", "tandem:2:decline"]


async def test_a_decline_frees_both_and_rematches(services: Services, platform: GroupPlatform) -> None:
    await services.tandem.register(actor("alice"), "python", "german")
    await services.tandem.register(actor("bob"), "german", "python")
    await services.tandem.register(actor("carol"), "german, french", "python")  # waits
    declined = await run_action(services, actor("bob"), "tandem:1:decline", "en")
    assert "Nothing starts" in declined[0].text
    assert "did not go ahead" in platform.to("dm", "alice")[-2].text
    # alice is introduced to carol at once; bob has nobody new.
    async with services.ctx.db() as s:
        intros = (await s.execute(select(TandemIntro).order_by(TandemIntro.id))).scalars().all()
    assert [(i.first_id, i.second_id, i.status) for i in intros] == [
        (2, 1, "declined"), (1, 3, "proposed")]  # fmt: skip
    with pytest.raises(Conflict, match="already_declined"):
        await run_action(services, actor("bob"), "tandem:1:confirm", "en")


async def test_every_group_feature_on_each_database(services_on_each_db: Services, clock) -> None:
    services = services_on_each_db
    await services.mentors.signup(actor("bob"), skills="python")
    session = await services.office_hours.schedule(actor("bob"), weekday="mon", at="10:00",
                                                   timezone="UTC", topic="Git")  # fmt: skip
    assert (await services.office_hours.rsvp(actor("alice"), session.id))[1] is True
    assert (await services.office_hours.rsvp(actor("alice"), session.id))[1] is False
    clock.set(session.starts_at - timedelta(minutes=30))
    assert await services.office_hours.remind_due() == 2
    assert await services.office_hours.remind_due() == 0
    await services.circles.create(actor("alice"), "Py", "python")
    await services.circles.join(actor("bob"), "py")
    assert [c.name for c in await services.circles.circles_for(1, ["python"])] == ["Py"]
    await services.tandem.register(actor("alice"), "python", "german")
    await services.tandem.register(actor("carol"), "german", "python")
    assert (await services.tandem.confirm(actor("alice"))).outcome == "waiting"
    assert (await services.tandem.confirm(actor("carol"))).outcome == "started"
    await services.goals.add(actor("alice"), "Speak German")
    await services.goals.add_milestone(actor("carol"), 1, "Order food")
    await services.goals.complete_milestone(actor("alice"), "1.1")
    cohort = await services.cohorts.create(actor("mod"), "C", end="3w", moderator=True)
    await services.cohorts.join(actor("dave"), cohort.id)
    assert await services.cohorts.start_due() == 1
    clock.advance(timedelta(days=7, minutes=1))
    assert await services.cohorts.checkins_due() == 1
    clock.advance(timedelta(days=15))
    assert await services.cohorts.close_due() == 1
    await services.cohorts.feedback(actor("dave"), "C", 5, "good")
    assert await services.postman.drain() >= 6
