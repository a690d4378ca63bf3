"""Permission matrix and moderator tools on Matrix (moderators by power level / creator)."""

from __future__ import annotations

from nio import RoomPreset

from tests.matrix.botworld import BotWorld, body
from tests.matrix.synapse import create_room

MOD_ONLY = ["!mentoring-report", "!mentoring-setup default_capacity 4", "!mod requests",
            "!mod export"]  # fmt: skip
FOR_EVERYONE = {"!help": "Mentoring commands", "!my-data export": "everything I store"}


async def test_permission_matrix_and_tools(world: BotWorld) -> None:
    _, newcomer = await world.member("newcomer")
    _, mentor = await world.member("mentor")
    await world.ask(mentor, world.room, "!mentor-signup skills=python", "mentor")
    # A moderator (room creator) of another room is an ordinary member in this community.
    _, othermod = await world.member("othermod")
    await create_room(othermod, name="Elsewhere", preset=RoomPreset.public_chat)
    for client in (newcomer, mentor, othermod):
        for line in MOD_ONLY:
            reply = await world.ask(client, world.room, line, "Only moderators")
            assert "Mentors:" not in body(reply)
        for line, expected in FOR_EVERYONE.items():
            await world.ask(client, world.room, line, expected)
    mod = world.mod_client
    await world.ask(mod, world.room, "!mentoring-setup default_capacity 4", "Saved")
    await world.ask(mod, world.room, "!mentoring-report", "Mentors: 1")
    await world.ask(mod, world.room, "!mod requests", "Open requests: 0")
    await world.ask(mod, world.room, "!mod export", "CSV")
    files = [ev for ev in await world.bot_messages(mod, world.room)
             if (ev.get("content") or {}).get("msgtype") == "m.file"]  # fmt: skip
    assert any(ev["content"].get("body") == "programme.csv" for ev in files)
