"""Buttons already posted in servers keep working: the custom id format `mb:<guild>:<action>`.

The ids below are written out literally, as a release before the action registry posted
them; if a refactoring changes the format, these tests fail instead of members' buttons.
"""

from __future__ import annotations

from pathlib import Path

from tests.discord.env import bot_env
from tests.discord.helpers import ask, labels, request_dm, signup
from tests.fakediscord import FakeDiscord


def _only_button(label: str, custom_id: str, style: int = 1) -> list[dict[str, object]]:
    button = {"type": 2, "style": style, "label": label, "custom_id": custom_id}
    return [{"type": 1, "components": [button]}]


async def test_an_offer_button_in_the_old_format_still_accepts(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        guild = env.c.guild.id
        bob, alice = await env.member("bob"), await env.member("alice")
        await signup(env, bob)
        await ask(env, alice)
        dm = await request_dm(env, bob, alice)
        assert labels(dm) == ["Accept", "Decline"]
        # This release posts exactly the format earlier releases did (first offer: id 1).
        posted = [c["custom_id"] for row in dm.components for c in row["components"]]
        assert posted == [f"mb:{guild}:offer:accept:1", f"mb:{guild}:offer:decline:1"]

        # A DM an earlier release posted, pressed after the upgrade.
        old = f"mb:{guild}:offer:accept:1"
        dm.components = _only_button("Accept", old, style=3)
        assert "You are now mentoring alice" in await env.click(dm, old, bob)
        assert env.server.threads(env.c.mentoring.id)


async def test_an_unknown_or_odd_old_id_gets_a_clear_answer_and_changes_nothing(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        guild = env.c.guild.id
        bob, alice = await env.member("bob"), await env.member("alice")
        await signup(env, bob)
        await ask(env, alice)
        dm = await request_dm(env, bob, alice)
        for odd in (f"mb:{guild}:offer:accept:x", f"mb:{guild}:offer:maybe:1"):
            dm.components = _only_button("Accept", odd)
            assert "That button is not known" in await env.click(dm, odd, bob)
        assert not env.server.threads(env.c.mentoring.id)
