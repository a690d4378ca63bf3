"""my-data export/delete, mentoring-setup and mentoring-report through the text router."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from bot.core.services import Services
from bot.text.router import Incoming, TextRouter
from tests.conftest import actor

MODS = {"mod"}


@pytest.fixture
def router(services: Services) -> TextRouter:
    async def is_mod(who) -> bool:
        return who.user_id in MODS

    return TextRouter(services, is_moderator=is_mod)


async def say(router: TextRouter, who: str, line: str) -> str:
    replies = await router.handle(Incoming(actor(who), line))
    return "\n".join(r.text for r in replies)


async def paired(router: TextRouter) -> None:
    await say(router, "bob", "!mentor-signup skills=python tz=Europe/Berlin")
    await say(router, "alice", '!profile tz=America/New_York goals="ship a PR"')
    await say(router, "alice", "!mentor python -- I am stuck on packaging")
    await say(router, "alice", "!ask 1")
    await say(router, "bob", "!accept")
    await say(router, "alice", "!thanks bob you rock")


async def test_export_contains_every_table_that_references_the_member(router: TextRouter) -> None:
    await paired(router)
    (reply,) = await router.handle(Incoming(actor("alice"), "!my-data export"))
    (file,) = reply.files
    data = json.loads(file.data)
    assert data["member"]["platform_user_id"] == "alice"
    assert data["member"]["goals"] == "ship a PR"
    assert data["mentor_requests"][0]["note"] == "I am stuck on packaging"
    assert len(data["pairs"]) == 1 and data["kudos"][0]["message"] == "you rock"


async def test_delete_needs_confirmation_and_leaves_no_identity(
    router: TextRouter, services: Services
) -> None:
    await paired(router)
    (ask,) = await router.handle(Incoming(actor("alice"), "!my-data delete"))
    assert ask.buttons[0].action == "privacy:delete:confirm"
    async with services.ctx.db() as s:
        assert (
            await s.execute(text("SELECT count(*) FROM members WHERE platform_user_id='alice'"))
        ).scalar() == 1
    (done,) = await router.press(actor("alice"), "privacy:delete:confirm")
    assert "deleted" in done.text
    async with services.ctx.db() as s:
        for table in ("members", "mentor_requests", "kudos", "request_offers", "pairs", "feedback"):
            rows = (await s.execute(text(f"SELECT * FROM {table}"))).all()
            dump = repr(rows)
            assert "'alice'" not in dump and "packaging" not in dump and "you rock" not in dump, (
                table
            )
        pair = (await s.execute(text("SELECT status FROM pairs"))).scalar()
        assert pair == "ended"
    profile = await services.mentors.profile(actor("bob"))
    assert profile is not None and profile.active_mentees == 0


async def test_setup_is_for_moderators_and_validated(
    router: TextRouter, services: Services
) -> None:
    assert "Only moderators" in await say(router, "alice", "!mentoring-setup checkin_interval 14d")
    assert "use a duration" in await say(router, "mod", "!mentoring-setup checkin_interval soon")
    assert "1 to 10" in await say(router, "mod", "!mentoring-setup default_capacity 0")
    assert "Unknown setting" in await say(router, "mod", "!mentoring-setup colour blue")
    assert "Saved" in await say(
        router, "mod", "!mentoring-setup default_capacity=5 checkin_interval=14d"
    )
    await say(router, "bob", "!mentor-signup skills=python")
    profile = await services.mentors.profile(actor("bob"))
    assert profile is not None and profile.capacity == 5
    assert "checkin_interval=2w" in await say(router, "mod", "!mentoring-setup")


async def test_report_only_for_moderators(router: TextRouter) -> None:
    await paired(router)
    assert "Only moderators" in await say(router, "alice", "!mentoring-report")
    report = await say(router, "mod", "!mentoring-report 7")
    assert "last 7 days" in report
    assert (
        "Active pairs: 1" in report
        and "Requests matched: 1" in report
        and "Thanks given: 1" in report
    )
    assert "Use !mentoring-report" in await say(router, "mod", "!mentoring-report soon")
    assert "from 1 to 3650" in await say(router, "mod", "!mentoring-report 99999")
