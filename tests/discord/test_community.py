"""Greeting raids, two guilds in one process, moderators, German."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.discord.env import MANAGE_GUILD, bot_env, make_community
from tests.discord.helpers import ask, signup
from tests.fakediscord import FakeDiscord


async def test_100_joins_in_2s_are_greeted_in_at_most_5_messages(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path, greeting_window=1.0) as env:
        start = time.monotonic()
        for i in range(100):
            await env.member(f"newbie{i}", wait=False)  # a join raid: no pause between joins
            await asyncio.sleep(0.015)
        await env.member("helperbot", bot=True)
        assert time.monotonic() - start < 2.5

        def greeted() -> set[str]:
            return {m for msg in fake_discord.messages(env.c.welcome.id) for m in msg.content.split()
                    if m.startswith("<@")}  # fmt: skip

        await env.wait(lambda: len(greeted()) >= 100, timeout=15)
        welcomes = fake_discord.messages(env.c.welcome.id)
        assert len(welcomes) <= 5
        assert all(msg.content.count("<@") <= 20 for msg in welcomes)
        assert "/mentor" in welcomes[0].content
        bot_id = env.c.members["helperbot"].user.id
        assert f"<@{bot_id}>" not in " ".join(m.content for m in welcomes)
        assert time.monotonic() - start < 10
        assert not fake_discord.rate_limited


async def test_two_guilds_in_one_process_do_not_share_data(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    one, two = await make_community(fake_discord, "One"), await make_community(fake_discord, "Two")
    async with bot_env(fake_discord, tmp_path, [one, two]) as env:
        bob = await env.member("bob", one)
        await signup(env, bob)
        alice2 = await env.member("alice", two)
        handle = await env.slash(alice2, "mentor", {"topic": "python"}, community=two)
        text = await env.text_of(handle)
        assert "waitlist" in text and "bob" not in text
        await env.server.wait_for_message(two.moderation.id, lambda m: "waiting" in m.content)
        assert env.server.messages(one.moderation.id) == []
        mod = await env.member("mod", two)
        report = await env.slash(
            mod, "mentoring-report", {}, community=two, permissions=MANAGE_GUILD
        )
        body = await env.text_of(report)
        assert "Mentors: 0" in body and "Open requests and waitlist: 1" in body


async def test_report_is_for_moderators_only(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        bob, alice = await env.member("bob"), await env.member("alice")
        await signup(env, bob)
        await ask(env, alice)
        refused = await env.slash(alice, "mentoring-report", {"days": 30})
        assert refused.ephemeral
        assert "Only moderators" in await env.text_of(refused)
        assert not refused.followups or not refused.followups[0].attachments
        mod = await env.member("mod")
        report = await env.slash(mod, "mentoring-report", {"days": 7}, permissions=MANAGE_GUILD)
        msg = await env.answer_message(report)
        assert "last 7 days" in msg.content and "Mentor requests: 1" in msg.content
        (csv_file,) = msg.attachments
        assert csv_file.filename == "mentoring-report-7d.csv"
        assert csv_file.data.decode().startswith("metric,value")
        assert report.ephemeral


async def test_german_locale(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        commands = fake_discord.commands()
        assert commands["mentor-signup"]["name_localizations"]["de"] == "mentor-werden"
        assert commands["mentor"]["description_localizations"]["de"].startswith("Finde")
        bob = await env.member("bob")
        handle = await env.slash(
            bob, "mentor-signup", {"skills": "python", "capacity": 0}, locale="de"
        )
        assert "Kapazität „0“ ist nicht möglich" in await env.text_of(handle)
        handle = await env.slash(bob, "mentor-signup", {"skills": "python"}, locale="de")
        assert "Du bist jetzt Mentor*in" in await env.text_of(handle)
