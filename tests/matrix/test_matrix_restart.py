"""Restarts: nothing replayed, nothing lost, buttons (reactions) still work."""

from __future__ import annotations

from pathlib import Path

from tests.matrix.botworld import BotWorld, body, settle
from tests.matrix.synapse import send_reaction


async def test_restart_keeps_the_request_and_greets_nobody_twice(world: BotWorld) -> None:
    mentor, mentor_c = await world.member("mentor")
    newcomer, newcomer_c = await world.member("newcomer")
    await world.bot_says(newcomer_c, world.room, newcomer.user_id, "!mentor")
    await world.ask(mentor_c, world.room, "!mentor-signup skills=haskell", "haskell")
    await world.ask(newcomer_c, world.room, "!mentor haskell", "!ask 1")
    await world.ask(newcomer_c, world.room, "!ask 1", mentor.localpart)
    dm = await world.accept_invite(mentor_c)
    request = await world.bot_says(mentor_c, dm, newcomer.user_id, "❌")

    await world.stop()
    assert (Path(world.settings.matrix.store_path) / "mentorbot-sync-token").exists()
    await world.start()

    await send_reaction(mentor_c, dm, request["event_id"], "❌")
    confirmation = await world.bot_says(mentor_c, dm, "waitlist")
    assert newcomer.localpart in body(confirmation)
    await world.bot_says(world.mod_client, world.moderation_room, newcomer.user_id)

    await settle(0.5)
    greetings = [
        m for m in await world.bot_messages(newcomer_c, world.room)
        if newcomer.user_id in body(m) and "!mentor" in body(m) and "Welcome" in body(m)
    ]  # fmt: skip
    assert len(greetings) == 1
    signups = [
        m for m in await world.bot_messages(mentor_c, world.room) if "now a mentor" in body(m)
    ]
    assert len(signups) == 1, "a command was answered twice after the restart"


async def test_command_sent_while_down_is_handled_once(world: BotWorld) -> None:
    _, member_c = await world.member("member")
    await world.ask(member_c, world.room, "!help", "Mentoring commands")
    await world.stop()
    while_down = await world.say(member_c, world.room, "!mentor-status available")
    await world.start()
    reply = await world.bot_says(member_c, world.room, "mentor-signup",
                                 where=lambda e: _replies_to(e, while_down))  # fmt: skip
    assert "not signed up as a mentor" in body(reply)

    await world.stop()
    await world.start()
    await settle(1.0)
    assert len(await world.replies_to(member_c, world.room, while_down)) == 1
    helps = [
        m for m in await world.bot_messages(member_c, world.room) if "Mentoring commands" in body(m)
    ]
    assert len(helps) == 1


def _replies_to(ev: dict, event_id: str) -> bool:
    rel = (ev.get("content") or {}).get("m.relates_to") or {}
    return (rel.get("m.in_reply_to") or {}).get("event_id") == event_id
