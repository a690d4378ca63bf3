"""Cohorts, office hours, topic circles, tandems and milestones on the loopback Discord server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from storage.models import Group, TandemIntro
from tests.discord.env import MANAGE_GUILD, Env, bot_env
from tests.discord.helpers import button, labels, signup
from tests.fakediscord import PRIVATE_THREAD, PUBLIC_THREAD, FakeDiscord
from tests.fakediscord.models import Member, Message


async def announcement(env: Env, needle: str) -> Message:
    return await env.server.wait_for_message(env.c.welcome.id, lambda m: needle in m.content)


async def say(env: Env, who: Member, name: str, options: dict | None = None, **kw) -> str:
    return await env.text_of(await env.slash(who, name, options or {}, **kw))


async def backdate(env: Env, model: type, **values: object) -> None:
    """Move a deadline into the past (the bot runs on the real clock)."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with env.services.ctx.db.begin() as s:
        await s.execute(update(model).values(**dict.fromkeys(values, past)))


async def test_cohort_join_button_capacity_private_thread_and_feedback(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        mod, bob = await env.member("mod"), await env.member("bob")
        alice, carol, dave = [await env.member(n) for n in ("alice", "carol", "dave")]
        refused = await say(env, alice, "cohort create", {"name": "Spring"})
        assert "Only moderators" in refused
        created = await say(env, mod, "cohort create", {"name": "Spring", "capacity": 2,
                                                        "start": "1h", "end": "8w",
                                                        "leader": bob.user.id},
                            permissions=MANAGE_GUILD)  # fmt: skip
        assert "Cohort “Spring” (#1) is open (places: 2)" in created
        post = await announcement(env, "New cohort “Spring”")
        assert f"<@{bob.user.id}>" in post.content and labels(post) == ["Join cohort"]
        join = button(post, "Join cohort")
        assert "You have a place in the cohort “Spring” (1/2)" in await env.click(post, join, alice)
        assert "already in the cohort" in await env.click(post, join, alice)
        assert "(2/2)" in await env.click(post, join, carol)
        assert "is full" in await env.click(post, join, dave)
        assert "left the cohort" in await say(env, carol, "cohort leave", {"cohort": "spring"})
        assert "(2/2)" in await env.click(post, join, dave)
        listed = await say(env, carol, "cohort list")
        assert "#1 Spring: 2/2 places taken" in listed
        # Start: the private group thread opens with leaders and members in it.
        await backdate(env, Group, starts_at=True)
        assert await env.services.cohorts.sweep() == 1
        (thread,) = fake_discord.threads(env.c.mentoring.id)
        assert thread.type == PRIVATE_THREAD and thread.name == "Cohort: Spring"
        assert {bob.user.id, alice.user.id, dave.user.id} <= set(thread.thread_members)
        assert carol.user.id not in thread.thread_members
        welcome = await fake_discord.wait_for_message(thread.id, lambda m: "Welcome" in m.content)
        assert f"<@{alice.user.id}>" in welcome.content and "Guidelines" in welcome.content
        # End: the cohort closes in its thread with a 1-5 rating.
        await backdate(env, Group, ends_at=True)
        assert await env.services.cohorts.sweep() == 1
        await env.services.postman.drain()
        closing = await fake_discord.wait_for_message(thread.id, lambda m: "has ended" in m.content)
        assert labels(closing) == ["1", "2", "3", "4", "5"]
        assert "Thank you for your feedback" in await env.click(closing, button(closing, "4"), alice)
        assert "not in the cohort" in await env.click(closing, button(closing, "5"), carol)
        rated = await say(env, dave, "cohort feedback", {"cohort": "1", "rating": 3,
                                                         "comment": "fast"})  # fmt: skip
        assert "Thank you for your feedback" in rated
        assert "takes no new members" in await env.click(post, join, carol)
        assert not fake_discord.rate_limited


async def test_a_member_joining_a_running_cohort_is_added_to_its_thread(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        mod, late = await env.member("mod"), await env.member("late")
        await say(env, mod, "cohort create", {"name": "Now"}, permissions=MANAGE_GUILD)
        await env.services.cohorts.sweep()
        (thread,) = fake_discord.threads(env.c.mentoring.id)
        joined = await say(env, late, "cohort join", {"cohort": "Now"})
        assert f"<#{thread.id}>" in joined and late.user.id in thread.thread_members


async def test_office_hours_rsvp_button_works_after_a_restart(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        community = env.c
        bob, alice = await env.member("bob"), await env.member("alice")
        assert "sign up as a mentor" in await say(env, alice, "office-hours schedule", {
            "weekday": "tuesday", "time": "18:00", "timezone": "Europe/Berlin",
            "topic": "Python Q&A"})  # fmt: skip
        await signup(env, bob)
        scheduled = await say(env, bob, "office-hours schedule", {
            "weekday": "tuesday", "time": "18:00", "timezone": "Europe/Berlin",
            "topic": "Python Q&A", "duration": 45})  # fmt: skip
        assert "office hours #1 “Python Q&A” are scheduled" in scheduled
        post = await announcement(env, "office hours on “Python Q&A”")
        assert "every Tue at 18:00 (Europe/Berlin), 45 minutes" in post.content
        assert labels(post) == ["RSVP"]
    async with bot_env(fake_discord, tmp_path, [community]) as env:
        assert "You're on the list for “Python Q&A”" in await env.click(
            post, button(post, "RSVP"), alice)  # fmt: skip
        assert "already on the list" in await env.click(post, button(post, "RSVP"), alice)
        handle = await env.slash(alice, "office-hours list", {})
        listed = await env.answer_message(handle)
        assert "“Python Q&A” with bob" in listed.content and "1 going ✓" in listed.content
        assert labels(listed) == ["RSVP #1"]
        german = await env.slash(bob, "office-hours list", {}, locale="de")
        assert "Kommende Sprechstunden" in await env.text_of(german)


async def test_topic_circle_has_an_open_thread(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        alice, bob = await env.member("alice"), await env.member("bob")
        created = await say(env, alice, "circle create", {"name": "Rustaceans",
                                                          "topic": "rust, wasm"})  # fmt: skip
        (thread,) = fake_discord.threads(env.c.mentoring.id)
        assert thread.type == PUBLIC_THREAD and thread.name == "Circle: Rustaceans"
        assert f"<#{thread.id}>" in created
        post = await announcement(env, "New topic circle “Rustaceans”")
        joined = await env.click(post, button(post, "Join circle"), bob)
        assert f"You joined the circle “Rustaceans”: <#{thread.id}>" in joined
        assert "2 members ✓" in await say(env, bob, "circle list")
        assert "left the circle" in await say(env, bob, "circle leave", {"circle": "rustaceans"})
        found = await env.services.circles.circles_for(1, ["WASM"])
        assert [c.name for c in found] == ["Rustaceans"]


async def test_tandem_only_one_confirms_then_both_confirm_with_milestones(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        alice, bob, carol = [await env.member(n) for n in ("alice", "bob", "carol")]
        waiting = await say(env, alice, "tandem", {"offer": "python", "seek": "german"})
        assert "No complementary partner yet" in waiting
        assert "possible tandem partner: alice" in await say(
            env, bob, "tandem", {"offer": "German", "seek": "py"})  # fmt: skip
        intro = await fake_discord.wait_for_dm(alice.user.id, lambda m: "Tandem introduction" in m.content)
        assert labels(intro) == ["Confirm", "Decline"]
        assert "begins as soon as they confirm" in await env.click(intro, button(intro, "Confirm"), alice)
        await fake_discord.wait_for_dm(bob.user.id, lambda m: "would like to start" in m.content)
        # bob never confirms: the introduction lapses and nothing starts.
        await backdate(env, TandemIntro, expires_at=True)
        assert await env.services.tandem.expire_due() == 1
        await fake_discord.wait_for_dm(alice.user.id, lambda m: "lapsed" in m.content)
        await fake_discord.wait_for_dm(bob.user.id, lambda m: "lapsed" in m.content)
        assert fake_discord.threads(env.c.mentoring.id) == []
        bob_intro = await fake_discord.wait_for_dm(bob.user.id, lambda m: "Tandem introduction" in m.content)
        assert "lapsed without both confirmations" in await env.click(bob_intro, button(bob_intro, "Confirm"), bob)
        # carol complements alice; both confirm and the tandem begins in a private thread.
        await say(env, carol, "tandem", {"offer": "german", "seek": "python"})
        intro2 = await fake_discord.wait_for_dm(carol.user.id, lambda m: "Tandem introduction" in m.content)
        alice2 = await fake_discord.wait_for_dm(
            alice.user.id, lambda m: "Tandem introduction" in m.content and m.id != intro.id)
        assert "Only" not in await env.click(intro2, button(intro2, "Confirm"), carol)
        started = await env.click(alice2, button(alice2, "Confirm"), alice)
        (thread,) = fake_discord.threads(env.c.mentoring.id)
        assert thread.type == PRIVATE_THREAD and thread.name == "Tandem: carol & alice"
        assert f"<#{thread.id}>" in started
        assert {alice.user.id, carol.user.id} <= set(thread.thread_members)
        # Shared goals and milestones inside the thread.
        await say(env, carol, "mentoring goals", {"action": "add", "text": "Conversational German"},
                  channel=thread)  # fmt: skip
        added = await say(env, alice, "milestone add", {"goal": 1, "text": "Order in a café"},
                          channel=thread)  # fmt: skip
        assert "Milestone 1.1 added" in added
        assert "✅" in await say(env, carol, "milestone complete", {"number": "1.1"}, channel=thread)
        await fake_discord.wait_for_message(thread.id, lambda m: "reached the milestone" in m.content)
        tree = await say(env, alice, "milestone list", channel=thread)
        assert "1.1 ✅ Order in a café" in tree
        await env.services.postman.drain()
        await fake_discord.wait_for_message(env.c.recognition.id, lambda m: "First milestone" in m.content)
