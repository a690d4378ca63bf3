"""The mentoring flow on Matrix, as newcomer, mentor, bystander and moderator see it."""

from __future__ import annotations

from tests.matrix.botworld import BotWorld, body, settle
from tests.matrix.synapse import (
    create_room,
    power_levels,
    room_creators,
    room_state,
    send_reaction,
    sync_until,
)


async def test_full_flow_join_greet_signup_ask_accept(world: BotWorld) -> None:
    mentor, mentor_c = await world.member("mentor")
    newcomer, newcomer_c = await world.member("newcomer")
    _, bystander_c = await world.member("bystander")

    # Greeting: a pill and m.mentions for the newcomer, pointing to !mentor.
    greeting = await world.bot_says(newcomer_c, world.room, newcomer.user_id, "!mentor")
    content = greeting["content"]
    assert newcomer.user_id in content["m.mentions"]["user_ids"]
    assert f'href="https://matrix.to/#/{newcomer.user_id}"' in content["formatted_body"]
    assert content["format"] == "org.matrix.custom.html"

    reply = await world.ask(
        mentor_c, world.room, "!mentor-signup skills=python,git languages=en capacity=2",
        "python",
    )  # fmt: skip
    assert mentor.user_id in reply["content"]["m.mentions"]["user_ids"]

    suggestions = await world.ask(newcomer_c, world.room, "!mentor python", "1.", "!ask 1")
    assert mentor.localpart in body(suggestions)
    await world.ask(newcomer_c, world.room, "!ask 1", mentor.localpart)

    # The request reaches the mentor in a direct room, with ✅/❌ to answer.
    dm = await world.accept_invite(mentor_c)
    request = await world.bot_says(mentor_c, dm, newcomer.user_id, "✅", "❌")
    assert f'href="https://matrix.to/#/{newcomer.user_id}"' in request["content"]["formatted_body"]
    assert "!accept" in body(request)

    # A bystander's !accept does nothing harmful.
    refusal = await world.ask(bystander_c, world.room, "!accept", "no request waiting")
    assert "Mentoring" not in body(refusal)

    await send_reaction(mentor_c, dm, request["event_id"], "✅\ufe0f")
    await world.bot_says(mentor_c, dm, "You are now mentoring", newcomer.localpart)

    name = f"Mentoring: {newcomer.localpart} & {mentor.localpart}"
    pair_room = await world.accept_invite(newcomer_c, name=name)
    assert await world.accept_invite(mentor_c, name=name) == pair_room
    welcome = await world.bot_says(newcomer_c, pair_room, "Welcome", "Guidelines")
    assert set(welcome["content"]["m.mentions"]["user_ids"]) >= {newcomer.user_id, mentor.user_id}

    state = await room_state(newcomer_c, pair_room)
    join_rule = next(e for e in state if e["type"] == "m.room.join_rules")
    assert join_rule["content"]["join_rule"] == "invite"
    assert not any(e["type"] == "m.room.encryption" for e in state)
    levels = await power_levels(newcomer_c, pair_room)
    creators = await room_creators(newcomer_c, pair_room)
    assert creators == [world.bot.user_id]
    # The bot is the creator: listed at 100 before room version 12, unlimited from 12 on.
    assert levels["users"].get(world.bot.user_id, 100) == 100
    assert levels["users"].get(newcomer.user_id, levels.get("users_default", 0)) == 0
    assert levels["events"]["m.room.encryption"] == 100

    # The newcomer hears about it in their own direct room with the bot.
    newcomer_dm = await world.accept_invite(newcomer_c)
    await world.bot_says(newcomer_c, newcomer_dm, "accepted your request", name)

    # A command in the pair room is answered there.
    await world.ask(newcomer_c, pair_room, "!help", "Mentoring commands")


async def test_reactions_count_only_from_the_addressed_mentor(world: BotWorld) -> None:
    mentor, mentor_c = await world.member("mentor")
    newcomer, newcomer_c = await world.member("newcomer")
    bystander, bystander_c = await world.member("bystander")
    # The mentor's own direct room with the bot, which a bystander can also see.
    shared = await create_room(
        mentor_c, is_direct=True, invite=[world.bot.user_id, bystander.user_id]
    )
    await sync_until(bystander_c, lambda: shared in bystander_c.invited_rooms)
    await bystander_c.join(shared)
    await world.ask(mentor_c, shared, "!mentor-signup skills=rust", "rust")
    await world.ask(newcomer_c, world.room, "!mentor rust", "!ask 1")
    await world.ask(newcomer_c, world.room, "!ask 1", mentor.localpart)
    request = await world.bot_says(mentor_c, shared, newcomer.user_id, "✅")

    await send_reaction(bystander_c, shared, request["event_id"], "✅")
    await send_reaction(mentor_c, shared, request["event_id"], "🎉")  # not a choice
    await settle(1.5)
    assert not [m for m in await world.bot_messages(mentor_c, shared) if "now mentoring" in body(m)]
    assert not mentor_c.invited_rooms

    await send_reaction(mentor_c, shared, request["event_id"], "👍")
    await world.bot_says(mentor_c, shared, "You are now mentoring")


async def test_decline_without_other_mentor_waitlists(world: BotWorld) -> None:
    mentor, mentor_c = await world.member("mentor")
    newcomer, newcomer_c = await world.member("newcomer")
    await world.ask(mentor_c, world.room, "!mentor-signup skills=go", "go")
    await world.ask(newcomer_c, world.room, "!mentor go", "!ask 1")
    await world.ask(newcomer_c, world.room, "!ask any", mentor.localpart)
    dm = await world.accept_invite(mentor_c)
    await world.bot_says(mentor_c, dm, newcomer.user_id)

    confirmation = await world.ask(mentor_c, dm, "!decline", "waitlist")
    assert newcomer.localpart in body(confirmation)

    newcomer_dm = await world.accept_invite(newcomer_c)
    await world.bot_says(newcomer_c, newcomer_dm, "waitlist")
    note = await world.bot_says(world.mod_client, world.moderation_room, newcomer.user_id, "go")
    assert newcomer.user_id in note["content"]["m.mentions"]["user_ids"]
    # The public room never hears the moderators' note.
    assert not [
        m
        for m in await world.bot_messages(newcomer_c, world.room)
        if "Could someone help" in body(m)
    ]
