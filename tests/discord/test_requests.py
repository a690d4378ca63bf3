"""Accept/Decline buttons: wrong member, closed DMs, decline and timeout, answered buttons."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from tests.discord.env import bot_env
from tests.discord.helpers import ask, button, request_dm, signup
from tests.fakediscord import FakeDiscord


async def pairs(env) -> list:
    async with env.services.ctx.db() as s:
        return (await s.execute(text("SELECT status FROM pairs"))).all()


async def test_only_the_addressed_mentor_can_accept(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        bob, mallory, alice = (
            await env.member("bob"),
            await env.member("mallory"),
            await env.member("alice"),
        )
        await signup(env, bob)
        await ask(env, alice)
        dm = await request_dm(env, bob, alice)
        refusal = await env.click(dm, button(dm, "Accept"), mallory)
        assert "only they can answer" in refusal
        assert await pairs(env) == []
        assert env.server.threads(env.c.mentoring.id) == []
        assert "You are now mentoring alice" in await env.click(dm, button(dm, "Accept"), bob)
        assert "already been accepted" in await env.click(dm, button(dm, "Decline"), bob)
        assert len(await pairs(env)) == 1


async def test_closed_dms_go_to_the_mentors_channel(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        bob = await env.member("bob", dm_closed=True)
        alice = await env.member("alice")
        await signup(env, bob)
        await ask(env, alice)
        note = await env.server.wait_for_message(
            env.c.mentors.id, lambda m: "would like you" in m.content
        )
        assert note.content.startswith(f"<@{bob.user.id}>")
        assert "You are now mentoring" in await env.click(note, button(note, "Accept"), bob)


async def test_decline_then_timeout_fall_through_to_the_next_mentor(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path, mentoring={"request_timeout": "1h"}) as env:
        bob = await env.member("bob")
        carol = await env.member("carol")
        dave = await env.member("dave")
        alice = await env.member("alice")
        for mentor in (bob, carol, dave):
            await signup(env, mentor)
        await ask(env, alice, choice="Ask any mentor")
        first = next(m for m in (bob, carol, dave) if env.server.dm_messages(m.user.id))
        dm = await request_dm(env, first, alice)
        assert "passed alice's request on" in await env.click(dm, button(dm, "Decline"), first)
        second = await env.wait(
            lambda: next(
                (
                    m
                    for m in (bob, carol, dave)
                    if m is not first and env.server.dm_messages(m.user.id)
                ),
                None,
            )
        )
        # nobody answers: an hour later the sweep hands it to the third mentor
        env.services.ctx.clock = _Later(env.services.ctx.clock, timedelta(hours=2))
        assert await env.services.requests.expire_due() == 1
        third = next(m for m in (bob, carol, dave) if m not in (first, second))
        dm3 = await request_dm(env, third, alice)
        old = await request_dm(env, second, alice)
        assert "timed out and was passed on" in await env.click(old, button(old, "Accept"), second)
        assert "You are now mentoring alice" in await env.click(dm3, button(dm3, "Accept"), third)


class _Later:
    def __init__(self, clock, delta) -> None:
        self.clock, self.delta = clock, delta

    def now(self):
        return self.clock.now() + self.delta


async def test_a_button_from_before_a_restart_still_works(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        community = env.c
        bob, alice = await env.member("bob"), await env.member("alice")
        await signup(env, bob)
        await ask(env, alice)
        dm = await request_dm(env, bob, alice)
    async with bot_env(fake_discord, tmp_path, [community]) as env:
        assert "You are now mentoring alice" in await env.click(dm, button(dm, "Accept"), bob)
        (thread,) = env.server.threads(community.mentoring.id)
        assert thread.name == "Mentoring: alice & bob"


async def test_nobody_free_means_waitlist_and_moderators_told(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        alice = await env.member("alice")
        handle = await env.slash(alice, "mentor", {"topic": "haskell"})
        assert "waitlist" in await env.text_of(handle)
        alert = await env.server.wait_for_message(
            env.c.moderation.id, lambda m: "waiting" in m.content
        )
        assert f"<@{alice.user.id}>" in alert.content
