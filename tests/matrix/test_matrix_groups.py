"""Cohorts, circles, office hours and tandems on a real Synapse (few tests: each costs seconds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from storage.models import Group, TandemIntro
from tests.matrix.botworld import BotWorld, body
from tests.matrix.synapse import join, room_state, send_reaction

ONE = "1\ufe0f\u20e3"


async def backdate(world: BotWorld, model: type, column: str) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with world.services.ctx.db.begin() as s:
        await s.execute(update(model).values({column: past}))


async def test_cohort_by_reaction_capacity_room_and_an_open_circle_room(world: BotWorld) -> None:
    _newcomer, newcomer_c = await world.member("newcomer")
    _late, late_c = await world.member("late")
    await world.ask(world.mod_client, world.room,
                    "!cohort create name=Spring capacity=1 start=1h end=8w",
                    "Cohort “Spring” (#1) is open (places: 1)")  # fmt: skip
    refused = await world.ask(newcomer_c, world.room, "!cohort create name=Mine", "Only moderators")
    assert "Mine" not in body(refused)
    post = await world.bot_says(newcomer_c, world.room, "New cohort “Spring”", ONE)
    await send_reaction(newcomer_c, world.room, post["event_id"], ONE)
    await world.bot_says(newcomer_c, world.room, "You have a place in the cohort “Spring” (1/1)")
    await world.ask(late_c, world.room, "!cohort join spring", "is full")
    await backdate(world, Group, "starts_at")
    assert await world.services.cohorts.sweep() == 1
    cohort_room = await world.accept_invite(newcomer_c, name="Cohort: Spring")
    await world.bot_says(newcomer_c, cohort_room, "Welcome to the cohort “Spring”", "Guidelines")

    # A topic circle: an open room that members join on their own.
    reply = await world.ask(newcomer_c, world.room, '!circle create name=Rust topic="rust, wasm"',
                            "Circle “Rust” (#2) is open")  # fmt: skip
    circle_room = body(reply).split("https://matrix.to/#/")[1].split()[0]
    joined = await world.ask(late_c, world.room, "!circle join rust", "You joined the circle")
    assert circle_room in body(joined)
    await join(late_c, circle_room)
    state = await room_state(late_c, circle_room)
    rule = next(e for e in state if e["type"] == "m.room.join_rules")
    assert rule["content"]["join_rule"] == "public"
    await world.bot_says(late_c, circle_room, "Welcome to the topic circle “Rust”")


async def test_rsvp_after_restart_and_a_tandem_only_one_confirms(world: BotWorld) -> None:
    _mentor, mentor_c = await world.member("mentor")
    _member, member_c = await world.member("member")
    await world.ask(mentor_c, world.room, "!mentor-signup skills=python", "python")
    await world.ask(mentor_c, world.room, "!office-hours schedule day=tue time=18:00 "
                    'tz=Europe/Berlin topic="Python Q&A"', "are scheduled")  # fmt: skip
    post = await world.bot_says(member_c, world.room, "office hours on “Python Q&A”", ONE)
    await world.stop()
    await world.start()
    await send_reaction(member_c, world.room, post["event_id"], ONE)
    await world.bot_says(member_c, world.room, "You're on the list for “Python Q&A”")
    await world.ask(member_c, world.room, "!office-hours", "1 going ✓")

    # Tandem: introduced in DMs with ✅ to confirm; only one side confirms; nothing starts.
    await world.ask(mentor_c, world.room, "!tandem offer=python seek=german", "No complementary")
    await world.ask(member_c, world.room, "!tandem offer=deutsch,german seek=py", "possible tandem")
    mentor_dm = await world.accept_invite(mentor_c)
    intro = await world.bot_says(mentor_c, mentor_dm, "Tandem introduction", "✅")
    await send_reaction(mentor_c, mentor_dm, intro["event_id"], "✅")
    await world.bot_says(mentor_c, mentor_dm, "begins as soon as they confirm")
    member_dm = await world.accept_invite(member_c)
    await world.bot_says(member_c, member_dm, "would like to start")
    await backdate(world, TandemIntro, "expires_at")
    assert await world.services.tandem.expire_due() == 1
    await world.bot_says(member_c, member_dm, "lapsed")
    await world.bot_says(mentor_c, mentor_dm, "lapsed")
    await world.ask(member_c, member_dm, "!tandem confirm 1", "lapsed without both")
    assert not [r for r in mentor_c.invited_rooms.values() if (r.name or "").startswith("Tandem")]
