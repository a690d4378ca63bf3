"""Scheduled life of a pair with the injected clock: check-ins, nudges, programme end,
badges, digests, and exactly-once delivery across crashes and concurrent processes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text

from bot.core.actions import run_action
from bot.core.errors import Conflict
from bot.core.recognition import anniversaries, weekly_digests
from bot.core.services import Services
from bot.core.settings import Programme
from bot.scheduler import Sweeper, sweep_interval
from storage.db import create_engine
from storage.models import Outbox, Pair
from tests.conftest import actor, make_services
from tests.fakes import FakePlatform

WEEK = timedelta(days=7)


async def pair_up(services: Services, mentee: str = "alice", mentor: str = "bob") -> int:
    await services.mentors.signup(actor(mentor), skills="python")
    await services.requests.request_mentor(actor(mentee), "python")
    await services.requests.ask(actor(mentee), 1)
    return await services.requests.accept(actor(mentor))


async def sweep(services: Services) -> None:
    await Sweeper(services).sweep()


def checkins(platform: FakePlatform, space: str = "space1") -> list:
    return [m for m in platform.to("space", space) if "Check-in" in m.text]


async def test_checkin_arrives_after_one_interval_with_three_buttons(
    services, clock, platform
) -> None:
    await pair_up(services)
    clock.advance(WEEK - timedelta(minutes=1))
    await sweep(services)
    assert checkins(platform) == []
    clock.advance(timedelta(minutes=2))
    await sweep(services)
    (checkin,) = checkins(platform)
    assert "<@alice>" in checkin.text and "<@bob>" in checkin.text
    assert [b.label for b in checkin.buttons] == ["Going well", "Could use help", "Let's wrap up"]
    await sweep(services)
    assert len(checkins(platform)) == 1  # nothing twice


async def test_could_use_help_alerts_moderators_with_a_link_only(services, clock, platform) -> None:
    await pair_up(services)
    await services.pairs.pair_for(actor("alice"), None, None)
    clock.advance(WEEK)
    await sweep(services)
    action = checkins(platform)[0].buttons[1].action
    (reply,) = await run_action(services, actor("alice"), action, "en")
    assert "moderator has been told" in reply.text
    (alert,) = platform.to("channel", "moderation")
    assert "space1" in alert.text and "<@alice>" in alert.text
    (refused,) = await _guarded(services, actor("mallory"), action)
    assert "Only the two partners" in refused


async def _guarded(services, who, action) -> list[str]:
    from bot.text.router import TextRouter

    return [m.text for m in await TextRouter(services).press(who, action)]


async def test_two_silent_checkins_nudge_both_once_and_every_fourth_reflects(
    services, clock, platform
) -> None:
    await pair_up(services)
    for _ in range(4):
        clock.advance(WEEK)
        await sweep(services)
    texts = [m.text for m in checkins(platform)]
    assert len(texts) == 4 and "reflect" in texts[3] and "reflect" not in texts[2]
    nudges = [
        m.text for who in ("alice", "bob") for m in platform.to("dm", who) if "quiet" in m.text
    ]
    assert len(nudges) == 2
    async with services.ctx.db() as s:
        assert (await s.execute(text("SELECT unanswered_checkins FROM pairs"))).scalar() == 3
    await run_action(services, actor("bob"), checkins(platform)[-1].buttons[0].action, "en")
    async with services.ctx.db() as s:
        assert (await s.execute(text("SELECT unanswered_checkins FROM pairs"))).scalar() == 0


async def test_programme_end_wraps_up_invites_to_mentor_and_allows_one_extension(
    sqlite_engine, clock, platform
) -> None:
    services = make_services(sqlite_engine, clock, platform, program_length=timedelta(days=30),
                             checkin_interval=timedelta(days=60))  # fmt: skip
    pair_id = await pair_up(services)
    clock.advance(timedelta(days=30))
    await sweep(services)
    wrap = platform.to("space", "space1")[-1]
    assert "programme is complete" in wrap.text
    assert [b.label for b in wrap.buttons] == ["Give feedback", "Extend once"]
    invite = platform.to("dm", "alice")[-1]
    assert "great mentor" in invite.text and invite.buttons[0].label == "Become a mentor"
    profile = await services.mentors.profile(actor("bob"))
    assert profile is not None and profile.active_mentees == 0
    badge = platform.to("channel", "recognition")[-1]
    assert "First pair completed" in badge.text and "<@bob>" in badge.text

    (reply,) = await run_action(services, actor("alice"), f"pair:extend:{pair_id}", "en")
    assert "another programme" in reply.text
    with pytest.raises(Conflict):
        await services.pairs.extend(actor("bob"), pair_id)
    clock.advance(timedelta(days=30))
    await sweep(services)
    assert len([m for m in platform.to("space", "space1") if "complete" in m.text]) == 2
    assert len([m for m in platform.to("channel", "recognition") if "First pair" in m.text]) == 1
    with pytest.raises(Conflict):
        await services.pairs.extend(actor("bob"), pair_id)
    await services.pairs.feedback(actor("alice"), pair_id, 5, "thanks")


async def test_badges_for_thanks_and_a_year_are_announced_once(services, clock, platform) -> None:
    await services.mentors.signup(actor("bob"), skills="python")
    for i in range(11):
        await services.recognition.thank(actor(f"fan{i}"), "bob", "")
    assert len([m for m in platform.to("channel", "recognition") if "Ten thanks" in m.text]) == 0
    await services.postman.drain()
    assert len([m for m in platform.to("channel", "recognition") if "Ten thanks" in m.text]) == 1
    clock.advance(timedelta(days=366))
    assert await anniversaries(services.ctx) == 1
    assert await anniversaries(services.ctx) == 0
    await services.postman.drain()
    assert [m.text for m in platform.to("channel", "recognition") if "A year" in m.text]


async def test_weekly_digest_thanks_active_mentors_except_opt_outs(
    services, clock, platform
) -> None:
    await pair_up(services, "alice", "bob")
    await pair_up(services, "carol", "dave")
    await services.mentors.set_digest(actor("dave"), False)
    clock.advance(WEEK)
    assert await weekly_digests(services.ctx) == 1
    assert await weekly_digests(services.ctx) == 0  # once per week
    await services.postman.drain()
    (digest,) = [
        m for m in platform.to("channel", "recognition") if "This week's mentors" in m.text
    ]
    assert "<@bob>" in digest.text and "<@dave>" not in digest.text


async def test_crash_between_claim_and_send_sends_exactly_once(
    sqlite_engine, clock, platform
) -> None:
    services = make_services(sqlite_engine, clock, platform)
    await pair_up(services)
    clock.advance(WEEK)
    await services.checkins.schedule_checkins()
    claimed = await services.postman.claim()  # ... and the process dies here
    assert len(claimed) == 1
    restarted = make_services(sqlite_engine, clock, platform)
    assert await restarted.postman.drain() == 0  # the lease still holds
    clock.advance(timedelta(minutes=3))
    assert await restarted.postman.drain() == 1
    assert len(checkins(platform)) == 1


async def test_crash_between_send_and_mark_shows_once_via_the_idempotency_key(
    sqlite_engine, clock, platform
) -> None:
    services = make_services(sqlite_engine, clock, platform)
    await pair_up(services)
    clock.advance(WEEK)
    await services.checkins.schedule_checkins()
    first = services.postman
    (outbox_id,) = await first.claim()
    mark = first._mark_sent

    async def die(_: int) -> None:
        raise SystemExit  # killed right after the platform accepted the message

    first._mark_sent = die  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        await first.send(outbox_id)
    first._mark_sent = mark  # type: ignore[method-assign]
    clock.advance(timedelta(minutes=3))
    assert await make_services(sqlite_engine, clock, platform).postman.drain() == 1
    assert len(checkins(platform)) == 1 and platform.duplicates == 1


async def test_two_processes_send_1000_due_checkins_exactly_once(database_url, clock) -> None:
    platform = FakePlatform()
    engines = [create_engine(database_url), create_engine(database_url)]
    from storage.migrate import upgrade

    await upgrade(engines[0])
    one, two = (make_services(e, clock, platform) for e in engines)
    async with one.ctx.db.begin() as s:
        await s.execute(text(
            "INSERT INTO communities (platform, external_id, name, locale, settings) "
            "VALUES ('fake', 'g', 'g', 'en', '{}')"))  # fmt: skip
        await s.execute(text(
            "INSERT INTO members (community_id, platform_user_id, display_name, languages, "
            "interests, goals, bio, is_bot) VALUES (1, 'm', 'm', '[]', '[]', '', '', false), "
            "(1, 'n', 'n', '[]', '[]', '', '', false)"))  # fmt: skip
        await s.execute(insert(Pair), [
            {"community_id": 1, "mentor_member_id": 1, "mentee_id": 2, "space_ref": f"s{i}",
             "next_checkin_at": clock.now()} for i in range(1000)
        ])  # fmt: skip
    clock.advance(timedelta(seconds=1))
    try:
        await asyncio.gather(Sweeper(one).sweep(), Sweeper(two).sweep())
        await asyncio.gather(one.postman.drain(), two.postman.drain())
    finally:
        for e in engines:
            await e.dispose()
    spaces = [d.target for d in platform.deliveries if d.kind == "space"]
    assert len(spaces) == 1000 and len(set(spaces)) == 1000
    assert platform.duplicates == 0


async def test_sub_minute_intervals_sweep_often_enough() -> None:
    fast = Programme(checkin_interval=timedelta(seconds=15))
    assert sweep_interval([Programme(), fast]) == 3.75
    assert sweep_interval([Programme()]) == 30.0
    assert sweep_interval([Programme(request_timeout=timedelta(seconds=2))]) == 1.0


async def test_outbox_rows_are_unique_per_key(services, clock) -> None:
    await pair_up(services)
    clock.advance(WEEK)
    await services.checkins.schedule_checkins()
    await services.checkins.schedule_checkins()
    async with services.ctx.db() as s:
        assert (await s.execute(select(func.count()).select_from(Outbox))).scalar() == 1


async def test_a_tandem_ends_without_graduation_or_mentor_badge(services, clock, platform) -> None:
    first = await services.profiles.member(actor("ann"))
    second = await services.profiles.member(actor("ben"))
    async with services.ctx.db.begin() as s:
        s.add(Pair(community_id=first.community_id, kind="tandem", mentor_member_id=second.id,
                   mentee_id=first.id, space_ref="tandem1", started_at=clock.now(),
                   ends_at=clock.now() + timedelta(days=1), next_checkin_at=clock.now() + WEEK))  # fmt: skip
    clock.advance(timedelta(days=2))
    await sweep(services)
    assert "programme is complete" in platform.to("space", "tandem1")[-1].text
    assert not platform.to("dm", "ann") and not platform.to("channel", "recognition")
