"""The newcomer -> mentor -> private thread flow on the loopback Discord server."""

from __future__ import annotations

from pathlib import Path

from tests.discord.env import bot_env
from tests.fakediscord import FakeDiscord
from tests.fakediscord.models import PRIVATE_THREAD


async def test_newcomer_finds_a_mentor_and_gets_a_private_thread(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        bob = await env.member("bob", global_name="Bob B")
        alice = await env.member("alice", nick="Ali")
        signup = await env.slash(
            bob,
            "mentor-signup",
            {
                "skills": "python, git",
                "languages": "en,de",
                "timezone": "Europe/Berlin",
                "capacity": 2,
            },
        )
        assert "You are now a mentor" in await env.text_of(signup)
        assert signup.ephemeral

        ask = await env.slash(alice, "mentor", {"topic": "python", "note": "packaging help"})
        suggestions = await env.answer_message(ask)
        assert "**Bob B** — shares: python" in suggestions.content
        assert "my-data" in suggestions.content  # first reply carries the privacy note
        labels = [c["label"] for row in suggestions.components for c in row["components"]]
        assert labels == ["Ask Bob B", "Ask any mentor"]

        ask_bob = next(
            c["custom_id"]
            for row in suggestions.components
            for c in row["components"]
            if c["label"] == "Ask Bob B"
        )
        assert "I've asked Bob B" in await env.click(suggestions, ask_bob, alice)

        dm = await env.server.wait_for_dm(bob.user.id, lambda m: "would like you" in m.content)
        assert f"<@{alice.user.id}>" in dm.content and "packaging help" in dm.content
        assert [c["label"] for row in dm.components for c in row["components"]] == [
            "Accept",
            "Decline",
        ]
        accept = next(
            c["custom_id"]
            for row in dm.components
            for c in row["components"]
            if c["label"] == "Accept"
        )
        assert "You are now mentoring Ali" in await env.click(dm, accept, bob)

        (thread,) = env.server.threads(env.c.mentoring.id)
        assert thread.type == PRIVATE_THREAD
        assert thread.name == "Mentoring: Ali & Bob B"
        assert {alice.user.id, bob.user.id} <= set(thread.thread_members)
        welcome = await env.server.wait_for_message(thread.id, lambda m: "Welcome" in m.content)
        assert f"<@{alice.user.id}>" in welcome.content and f"<@{bob.user.id}>" in welcome.content
        assert "Guidelines" in welcome.content
        assert not env.server.rate_limited
