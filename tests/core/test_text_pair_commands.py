"""Pair commands in text (Matrix, console): check-in answers, goals, extension."""

from __future__ import annotations

from datetime import timedelta

from bot.core.i18n import unmark
from bot.core.services import Services
from bot.text.router import Incoming, TextRouter
from tests.conftest import actor, make_services


async def say(router: TextRouter, who: str, line: str, room: str | None = None) -> str:
    return "\n".join(unmark(m.text) for m in await router.handle(Incoming(actor(who), line, room)))


async def test_checkin_goals_and_extend_by_text(sqlite_engine, clock, platform) -> None:
    services: Services = make_services(
        sqlite_engine, clock, platform, program_length=timedelta(days=10)
    )
    router = TextRouter(services)
    await say(router, "bob", "!mentor-signup skills=python")
    await say(router, "alice", "!mentor python")
    await say(router, "alice", "!ask 1")
    await say(router, "bob", "!accept")
    assert "Use !checkin well" in await say(router, "alice", "!checkin maybe")
    assert "moderator has been told" in await say(router, "alice", "!checkin help", "space1")
    assert "could use help" in platform.to("channel", "moderation")[-1].text
    assert "Goal added" in await say(router, "alice", "!goals add Ship my first PR", "space1")
    assert "1. ⬜ Ship my first PR" in await say(router, "bob", "!goals", "space1")
    await say(router, "bob", "!goals done 1", "space1")
    assert "completed the goal" in platform.to("space", "space1")[-1].text
    assert "still running" in await say(router, "alice", "!extend", "space1")
    clock.advance(timedelta(days=11))
    await services.pairs.wrap_up_due()
    assert "another programme" in await say(router, "alice", "!extend 1")
    assert "still running" in await say(router, "bob", "!extend 1")
    clock.advance(timedelta(days=11))
    await services.pairs.wrap_up_due()
    assert "cannot be extended" in await say(router, "bob", "!extend 1")
    assert "Only the two partners" in await say(router, "mallory", "!extend 1")
