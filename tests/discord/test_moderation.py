"""Permission matrix, moderator tools and private help requests on Discord."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.discord.env import MANAGE_GUILD, bot_env, make_community
from tests.discord.helpers import ask, button, request_dm, signup
from tests.fakediscord import FakeDiscord

MOD_COMMANDS = [
    ("mentoring-report", {}),
    ("mentoring-setup", {"setting": "default_capacity", "value": "4"}),
    ("mentoring-mod requests", {}),
    ("mentoring-mod export", {}),
]
MEMBER_COMMANDS = [("mentor", {"topic": "python"}), ("my-data", {"action": "export"})]


@pytest.mark.parametrize(("name", "options"), MOD_COMMANDS + MEMBER_COMMANDS)
async def test_permission_matrix(
    fake_discord: FakeDiscord, tmp_path: Path, name: str, options: dict
) -> None:
    home, other = (
        await make_community(fake_discord, "Home"),
        await make_community(fake_discord, "Other"),
    )
    async with bot_env(fake_discord, tmp_path, [home, other]) as env:
        mentor = await env.member("mentor", home)
        await signup(env, mentor)
        people = {
            "newcomer": (await env.member("newcomer", home), None),
            "mentor": (mentor, None),
            "moderator": (await env.member("mod", home), MANAGE_GUILD),
            # a moderator of another server is an ordinary member here
            "other community's moderator": (await env.member("othermod", home), None),
        }
        for role, (who, perms) in people.items():
            handle = await env.slash(who, name, options, permissions=perms)
            text = await env.text_of(handle)
            refused = "Only moderators" in text
            moderator_only = (name, options) in MOD_COMMANDS
            assert refused == (moderator_only and role != "moderator"), (role, name, text)
            assert "error id" not in text
            if refused:
                assert handle.ephemeral and not (
                    handle.followups and handle.followups[0].attachments
                )


async def test_moderator_tools_and_help_requests(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path, mentoring={"mentor_approval": True}) as env:
        bob, dana, alice = (
            await env.member("bob"),
            await env.member("dana"),
            await env.member("alice"),
        )
        mod = await env.member("mod")
        await signup(env, bob)
        await signup(env, dana)
        await fake_discord.wait_for_message(
            env.c.moderation.id, lambda m: "waiting for approval" in m.content
        )
        for who in (bob, dana):
            done = await env.slash(
                mod, "mentoring-mod approve", {"member": who.user.id}, permissions=MANAGE_GUILD
            )
            assert "is approved" in await env.text_of(done)
        await ask(env, alice, choice="Ask any mentor")
        first = next(
            m
            for m in (bob, dana)
            if fake_discord.dm_messages(m.user.id)
            and any("would like you" in x.content for x in fake_discord.dm_messages(m.user.id))
        )
        other = dana if first is bob else bob
        dm = await request_dm(env, first, alice)
        await env.click(dm, button(dm, "Accept"), first)
        thread = await env.wait(lambda: next(iter(fake_discord.threads(env.c.mentoring.id)), None))
        welcome = await fake_discord.wait_for_message(thread.id, lambda m: "Welcome" in m.content)
        form = await fake_discord.click_button(
            welcome, button(welcome, "Contact a moderator"), alice.user.id
        )
        await form.response()
        assert form.response_type == 9
        sent = await fake_discord.submit_modal(
            form, {"What is going on? (only moderators see this)": "I feel pressured"}
        )
        await sent.response()
        assert "told privately" in await env.text_of(sent)
        alert = await fake_discord.wait_for_message(
            env.c.moderation.id, lambda m: "I feel pressured" in m.content
        )
        assert f"<#{thread.id}>" in alert.content

        reassign = await env.slash(mod, "mentoring-mod reassign", {"pair": 1, "mentor": other.user.id},
                                   permissions=MANAGE_GUILD)  # fmt: skip
        assert "new mentor" in await env.text_of(reassign)
        await env.wait(lambda: len(fake_discord.threads(env.c.mentoring.id)) == 2)
        export = await env.answer_message(
            await env.slash(mod, "mentoring-mod export", {}, permissions=MANAGE_GUILD)
        )
        lines = export.attachments[0].data.decode().splitlines()
        assert lines[0].startswith("pair_id,kind,mentee,mentor") and len(lines) == 3
        stop = await env.slash(alice, "my-data", {"action": "stop-messages"})
        assert "no more private messages" in await env.text_of(stop)
