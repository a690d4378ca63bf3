"""At DEBUG, the log shows what the bot does but never what members wrote nor the token."""

from __future__ import annotations

import io
from pathlib import Path

from bot import logs
from tests.discord.env import bot_env
from tests.discord.helpers import request_dm, signup
from tests.fakediscord import FakeDiscord

NOTE = "Nobody-should-read-this-note-7f3a"
THANKS = "Private-words-of-thanks-91c2"
NAME = "Distinctive-Display-4d1e"


async def test_debug_log_has_no_member_text_and_no_token(
    fake_discord: FakeDiscord, tmp_path: Path, restore_logging: None
) -> None:
    debug_log = io.StringIO()
    logs.configure("DEBUG", [fake_discord.token], stream=debug_log)
    async with bot_env(fake_discord, tmp_path) as env:
        bob = await env.member("bob")
        alice = await env.member("alice", global_name=NAME)
        await signup(env, bob)
        handle = await env.slash(alice, "mentor", {"topic": "python", "note": NOTE})
        suggestions = await env.answer_message(handle)
        await env.click(suggestions, suggestions.components[0]["components"][-1]["custom_id"],
                        alice)  # fmt: skip
        dm = await request_dm(env, bob, alice)
        assert NOTE in dm.content  # the mentor does get the note
        await env.slash(alice, "thanks", {"member": bob.user.id, "message": THANKS})
        await env.server.wait_for_message(env.c.recognition.id, lambda m: THANKS in m.content)
    written = debug_log.getvalue()
    assert "bot." in written or "discord." in written  # the log was on and wrote lines
    for private in (NOTE, THANKS, NAME, fake_discord.token):
        assert private not in written
