"""Scheduled messages on the loopback Discord server, with short intervals."""

from __future__ import annotations

from pathlib import Path

from tests.discord.env import bot_env, make_community
from tests.discord.helpers import ask, button, request_dm, signup
from tests.fakediscord import FakeDiscord


async def test_checkin_arrives_in_the_thread_and_help_alerts_moderators(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path, sweeps=True,
                       mentoring={"checkin_interval": "2s"}) as env:  # fmt: skip
        bob, alice = await env.member("bob"), await env.member("alice")
        await signup(env, bob)
        await ask(env, alice)
        dm = await request_dm(env, bob, alice)
        await env.click(dm, button(dm, "Accept"), bob)
        thread = await env.wait(lambda: next(iter(fake_discord.threads(env.c.mentoring.id)), None))
        checkin = await fake_discord.wait_for_message(thread.id, lambda m: "Check-in #1" in m.content,
                                                      timeout=8)  # fmt: skip
        assert f"<@{alice.user.id}>" in checkin.content
        reply = await env.click(checkin, button(checkin, "Could use help"), alice)
        assert "moderator has been told" in reply
        alert = await fake_discord.wait_for_message(env.c.moderation.id, lambda m: "could use help" in m.content)
        assert str(thread.id) in alert.content
        refused = await env.click(checkin, button(checkin, "Going well"), await env.member("mallory"))
        assert "Only the two partners" in refused
        assert fake_discord.deduplicated == 0 and not fake_discord.rate_limited


async def test_programme_end_feedback_modal_and_badge_role(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    community = await make_community(fake_discord)
    role = await fake_discord.add_role(community.guild.id, "Mentor Lead")
    guilds = {community.guild.id: {**community.guild_config(), "badge_roles": {"first_pair": role.id}}}
    async with bot_env(fake_discord, tmp_path, [community], sweeps=True, discord={"guilds": guilds},
                       mentoring={"program_length": "3s", "checkin_interval": "1h"}) as env:  # fmt: skip
        bob, alice = await env.member("bob"), await env.member("alice")
        await signup(env, bob)
        await ask(env, alice)
        dm = await request_dm(env, bob, alice)
        await env.click(dm, button(dm, "Accept"), bob)
        thread = await env.wait(lambda: next(iter(fake_discord.threads(community.mentoring.id)), None))
        wrap = await fake_discord.wait_for_message(thread.id, lambda m: "complete" in m.content, timeout=10)
        form = await fake_discord.click_button(wrap, button(wrap, "Give feedback"), alice.user.id)
        await form.response()
        assert form.response_type == 9
        done = await fake_discord.submit_modal(form, {"Rating 1-5": "5", "Comment (optional)": "great"})
        await done.response()
        assert "Thank you for your feedback" in await env.text_of(done)
        invite = await fake_discord.wait_for_dm(alice.user.id, lambda m: "great mentor" in m.content)
        assert "Become a mentor" in [c["label"] for row in invite.components for c in row["components"]]
        badge = await fake_discord.wait_for_message(community.recognition.id,
                                                    lambda m: "First pair completed" in m.content)  # fmt: skip
        assert f"<@{bob.user.id}>" in badge.content
        await env.wait(lambda: role.id in fake_discord.member(community.guild.id, bob.user.id).roles)
