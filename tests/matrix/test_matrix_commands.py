"""Every other Matrix command of PRODUCT.md, moderators, and odd input."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from nio import MemoryDownloadResponse

from tests.matrix.botworld import BotWorld, body, make_world, settle
from tests.matrix.synapse import MakeUserClient, SynapseServer, send_event, send_reaction


async def test_mentor_status_profile_help_and_unknown(world: BotWorld) -> None:
    _, mentor_c = await world.member("mentor")
    await world.ask(mentor_c, world.room, "!mentor-signup skills=python tz=Europe/Berlin", "python")
    await world.ask(mentor_c, world.room, "!mentor-status paused 7d", "paused until")
    await world.ask(mentor_c, world.room, "!mentor-status available", "available")
    await world.ask(mentor_c, world.room, "!profile tz=Europe/Berlin languages=en,de", "saved")
    help_text = body(await world.ask(mentor_c, world.room, "!help", "Mentoring commands"))
    for command in ("!mentor", "!ask", "!my-data", "!mentoring-report", "!thanks"):
        assert command in help_text
    await world.ask(mentor_c, world.room, "!frobnicate", "frobnicate", "!help")


async def test_thanks_is_posted_publicly_with_pills(world: BotWorld) -> None:
    helper, helper_c = await world.member("helper")
    thanker, thanker_c = await world.member("thanker")
    await world.bot_says(thanker_c, world.room, thanker.user_id, "Welcome")
    reply = await world.ask(thanker_c, world.room, f"!thanks {helper.user_id} great review",
                            "posted")  # fmt: skip
    assert helper.localpart in body(reply)
    public = await world.bot_says(helper_c, world.room, "great review", helper.user_id)
    assert f'href="https://matrix.to/#/{helper.user_id}"' in public["content"]["formatted_body"]
    assert helper.user_id in public["content"]["m.mentions"]["user_ids"]


async def test_my_data_export_file_and_delete_with_reaction(world: BotWorld) -> None:
    member, member_c = await world.member("member")
    other, other_c = await world.member("other")
    await world.ask(member_c, world.room, "!profile languages=de", "saved")
    dm = await _dm_with_bot(world, member_c)
    await world.ask(member_c, dm, "!my-data export", "everything I store")
    file_event = await _wait_for_file(world, member_c, dm)
    content = file_event["content"]
    assert content["msgtype"] == "m.file" and content["body"] == "my-data.json"
    download = await member_c.download(content["url"])
    assert isinstance(download, MemoryDownloadResponse), download
    exported = json.loads(download.body)
    assert exported["member"]["platform_user_id"] == member.user_id

    # In the public room the confirmation can be seen, but only its asker may press it.
    confirm = await world.ask(member_c, world.room, "!my-data delete", "✅", "delete confirm")
    await send_reaction(other_c, world.room, confirm["event_id"], "✅")
    await settle(1.0)
    assert not [m for m in await world.bot_messages(other_c, world.room) if "deleted" in body(m)]
    await send_reaction(member_c, world.room, confirm["event_id"], "✅")
    await world.bot_says(member_c, world.room, "Your data has been deleted")
    assert other.user_id


async def test_moderators_setup_and_report(world: BotWorld) -> None:
    _, member_c = await world.member("member")
    refused = await world.ask(member_c, world.room, "!mentoring-report", "Only moderators")
    assert "Newcomers" not in body(refused)
    await world.ask(
        member_c, world.room, "!mentoring-setup checkin_interval 14d", "Only moderators"
    )
    # The community room is version 12: its creator moderates without being in power levels.
    mod = world.mod_client
    await world.ask(mod, world.room, "!mentoring-setup checkin_interval 14d", "Saved")
    report = await world.ask(
        mod, world.room, "!mentoring-report 7", "Mentoring report, last 7 days"
    )
    assert "Newcomers joined: " in body(report)
    await world.ask(mod, world.moderation_room, "!mentoring-report", "Mentoring report")


async def test_power_level_moderator_in_an_old_room_version(
    synapse: SynapseServer, tmp_path: Path, make_user_client: MakeUserClient
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        world = await make_world(synapse, tmp_path, make_user_client, stack, room_version="10")
        await world.start()
        try:
            deputy, deputy_c = await world.member("deputy")
            await world.ask(deputy_c, world.room, "!mentoring-report", "Only moderators")
            levels = await world.mod_client.room_get_state_event(world.room, "m.room.power_levels")
            content = dict(levels.content)
            content["users"] = {**content["users"], deputy.user_id: 50}
            await world.mod_client.room_put_state(world.room, "m.room.power_levels", content)
            await settle(0.2)
            world.frontend.client._power.clear()  # the 10 s cache would hide the promotion
            await world.ask(deputy_c, world.room, "!mentoring-report", "Mentoring report")
        finally:
            await world.stop()


async def test_odd_input_never_stops_the_bot(world: BotWorld) -> None:
    _, member_c = await world.member("member")
    await send_event(member_c, world.room, "org.example.odd", {"body": {"nested": [1, 2]}})
    await send_event(member_c, world.room, "m.room.message",
                     {"msgtype": "m.text", "body": "!help", "m.relates_to": "garbage"})  # fmt: skip
    await send_event(
        member_c, world.room, "m.room.message", {"msgtype": "m.notice", "body": "!help"}
    )
    await send_event(
        member_c, world.room, "m.reaction", {"m.relates_to": {"rel_type": "m.annotation"}}
    )
    await send_event(member_c, world.room, "m.room.message",
                     {"msgtype": "m.text", "body": "!mentor " + "x" * 50_000})  # fmt: skip
    await world.bot_says(member_c, world.room, "too long")
    await world.ask(member_c, world.room, "!help", "Mentoring commands")
    helps = [
        m for m in await world.bot_messages(member_c, world.room) if "Mentoring commands" in body(m)
    ]
    assert len(helps) == 2, "a notice was answered, or the odd reply relation stopped a command"


async def _dm_with_bot(world: BotWorld, client) -> str:  # type: ignore[no-untyped-def]
    from tests.matrix.synapse import create_dm

    room = await create_dm(client, world.bot.user_id)
    await world.ask(client, room, "!help", "Mentoring commands")
    return room


async def _wait_for_file(world: BotWorld, client, room: str) -> dict:  # type: ignore[no-untyped-def]
    from tests.matrix.synapse import wait_for_message

    return await wait_for_message(
        client, room,
        lambda e: e.get("sender") == world.bot.user_id
        and (e.get("content") or {}).get("msgtype") == "m.file",
    )  # fmt: skip
