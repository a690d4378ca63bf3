"""`/mentor` and `!mentor` point to matching topic circles when no mentor fits."""

from __future__ import annotations

from pathlib import Path

from bot.text.router import Incoming, TextRouter
from tests.conftest import actor
from tests.discord.env import bot_env
from tests.fakediscord import FakeDiscord


async def test_text_mentor_lists_matching_circles_when_nobody_fits(services, platform) -> None:
    await services.circles.create(actor("carol"), "Pythonistas", "python")
    await services.circles.create(actor("carol"), "Rust", "rust")
    router = TextRouter(services)
    replies = await router.handle(Incoming(actor("alice"), "!mentor py3"))
    text = replies[0].text
    assert "waitlist" in text and "these topic circles might" in text
    assert "Pythonistas" in text and "Rust" not in text and "!circle join" in text


async def test_discord_mentor_offers_circle_buttons(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        carol, alice = await env.member("carol"), await env.member("alice")
        created = await env.slash(carol, "circle create", {"name": "Pythonistas", "topic": "python"})
        assert "is open" in await env.text_of(created)
        answer = await env.answer_message(await env.slash(alice, "mentor", {"topic": "python"}))
        assert "Pythonistas" in answer.content
        (custom_id,) = answer.custom_ids()
        assert "You joined the circle" in await env.click(answer, custom_id, alice)
