"""Every other slash command of PRODUCT.md's Discord section, as members use them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.discord.env import MANAGE_GUILD, Env, bot_env
from tests.discord.helpers import ask, button, request_dm, signup
from tests.fakediscord import FakeDiscord


async def paired(env: Env):
    bob, alice = await env.member("bob"), await env.member("alice")
    await signup(env, bob)
    await ask(env, alice)
    dm = await request_dm(env, bob, alice)
    await env.click(dm, button(dm, "Accept"), bob)
    thread = await env.wait(lambda: next(iter(env.server.threads(env.c.mentoring.id)), None))
    return bob, alice, thread


async def test_status_profile_and_autocomplete(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        bob = await env.member("bob")
        done = await fake_discord.autocomplete(env.c.guild.id, env.c.general.id, bob.user.id,
                                               "mentor-signup", {"skills": "py", "timezone": "europe/ber"},
                                               "timezone")  # fmt: skip
        await done.response()
        assert done.choices[0]["value"] == "Europe/Berlin"
        assert "not signed up" in await env.text_of(
            await env.slash(bob, "mentor-status", {"status": "paused"})
        )
        await signup(env, bob)
        paused = await env.slash(bob, "mentor-status", {"status": "paused", "until": "7d"})
        assert "paused until" in await env.text_of(paused)
        alice = await env.member("alice")
        assert "waitlist" in await env.text_of(
            await env.slash(alice, "mentor", {"topic": "python"})
        )
        back = await env.slash(bob, "mentor-status", {"status": "available"})
        assert "available for new mentees" in await env.text_of(back)

        form = await env.slash(alice, "profile")
        assert form.response_type == 9
        answer = await fake_discord.submit_modal(
            form,
            {
                "Interests (comma-separated)": "Rust, K8s",
                "Time zone (e.g. Europe/Berlin)": "Mars/Base",
            },
        )
        await answer.response()
        assert "Mars/Base" in await env.text_of(answer)
        form = await env.slash(alice, "profile")
        assert form.modal_fields()  # the form opens again, prefilled with what was stored
        answer = await fake_discord.submit_modal(
            form,
            {
                "Interests (comma-separated)": "Rust, K8s",
                "Time zone (e.g. Europe/Berlin)": "Asia/Tokyo",
            },
        )
        await answer.response()
        assert "profile is saved" in await env.text_of(answer)
        member = await env.services.profiles.member(_actor(env, alice))
        assert member.interests == ["rust", "kubernetes"] and member.timezone == "Asia/Tokyo"


def _actor(env: Env, m):
    from bot.core.context import Actor

    return Actor("discord", str(env.c.guild.id), str(m.user.id), "alice")


async def test_pair_tools_in_the_thread(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        bob, alice, thread = await paired(env)
        add = await env.slash(alice, "mentoring goals", {"action": "add", "text": "Publish a package"},
                              channel=thread)  # fmt: skip
        assert "Goal added" in await env.text_of(add)
        listed = await env.slash(bob, "mentoring goals", {"action": "list"}, channel=thread)
        assert "1. ⬜ Publish a package" in await env.text_of(listed)
        await env.slash(bob, "mentoring goals", {"action": "complete", "text": "1"}, channel=thread)
        await fake_discord.wait_for_message(thread.id, lambda m: "completed the goal" in m.content)

        help_ = await env.slash(
            alice, "mentoring checkin", {"answer": "could_use_help"}, channel=thread
        )
        assert "moderator has been told" in await env.text_of(help_)
        alert = await fake_discord.wait_for_message(
            env.c.moderation.id, lambda m: "could use help" in m.content
        )
        assert str(thread.id) in alert.content

        outsider = await env.member("mallory")
        refused = await env.slash(outsider, "mentoring end", channel=thread)
        assert "Only the two partners" in await env.text_of(refused)
        form = await env.slash(alice, "mentoring end", channel=thread)
        assert form.response_type == 9
        submitted = await fake_discord.submit_modal(
            form, {"Rating 1-5 (optional)": "5", "Comment (optional)": "Thanks!"}
        )
        await submitted.response()
        assert "Your pair has ended" in await env.text_of(submitted)
        rate = await fake_discord.wait_for_message(
            thread.id, lambda m: "ended this mentoring pair" in m.content
        )
        assert "Thank you for your feedback" in await env.click(rate, button(rate, "4"), bob)


async def test_thanks_my_data_and_setup(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        bob, alice, _ = await paired(env)
        thanks = await env.slash(alice, "thanks", {"member": bob.user.id, "message": "great help"})
        assert "has been posted" in await env.text_of(thanks)
        public = await fake_discord.wait_for_message(
            env.c.recognition.id, lambda m: "great help" in m.content
        )
        assert f"<@{bob.user.id}>" in public.content
        self_thanks = await env.slash(alice, "thanks", {"member": alice.user.id})
        assert "does not count" in await env.text_of(self_thanks)

        export = await env.answer_message(await env.slash(alice, "my-data", {"action": "export"}))
        (file,) = export.attachments
        data = json.loads(file.data)
        assert data["member"]["platform_user_id"] == str(alice.user.id)
        assert data["kudos"][0]["message"] == "great help"

        confirm = await env.answer_message(await env.slash(alice, "my-data", {"action": "delete"}))
        assert "Press the button" in confirm.content
        assert "has been deleted" in await env.click(
            confirm, button(confirm, "Delete my data"), alice
        )
        again = await env.slash(alice, "my-data", {"action": "export"})
        assert "I store nothing about you" in await env.text_of(again)

        refused = await env.slash(
            alice, "mentoring-setup", {"setting": "default_capacity", "value": "5"}
        )
        assert "Only moderators" in await env.text_of(refused)
        mod = await env.member("mod")
        bad = await env.slash(mod, "mentoring-setup", {"setting": "default_capacity", "value": "50"},
                              permissions=MANAGE_GUILD)  # fmt: skip
        assert "from 1 to 10" in await env.text_of(bad)
        ok = await env.slash(mod, "mentoring-setup", {"help_channel": env.c.general.id,
                                                      "setting": "checkin_interval", "value": "14d"},
                             permissions=MANAGE_GUILD)  # fmt: skip
        assert "Saved: help_channel, checkin_interval" in await env.text_of(ok)
        newcomer = await env.member("newcomer")
        greeting = await fake_discord.wait_for_message(
            env.c.welcome.id, lambda m: f"<@{newcomer.user.id}>" in m.content
        )
        assert f"<#{env.c.general.id}>" in greeting.content


async def test_mentor_role_gates_signup(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    from tests.discord.env import make_community

    community = await make_community(fake_discord)
    role = await fake_discord.add_role(community.guild.id, "Mentors")
    community_cfg = community.guild_config()

    async with bot_env(fake_discord, tmp_path, [community],
                       discord={"guilds": {community.guild.id: {**community_cfg, "mentor_role": role.id}}}) as env:  # fmt: skip
        newbie = await env.member("newbie")
        assert "Only members with the" in await signup(env, newbie)
        vet = await env.member("vet", roles=[role.id])
        assert "You are now a mentor" in await signup(env, vet)


async def test_sharded_bot_serves_commands(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path, discord={"shard_count": 1, "shard_ids": [0]}) as env:
        assert env.bot.shard_count == 1
        bob = await env.member("bob")
        assert "You are now a mentor" in await signup(env, bob)
