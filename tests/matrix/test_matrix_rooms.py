"""Invites the bot accepts or refuses, greetings of joins (not renames, rejoins or bots)."""

from __future__ import annotations

from bot.core.ports import CommunityRef, Message
from tests.matrix.botworld import BotWorld, body, settle
from tests.matrix.synapse import create_dm, create_room, join, sync_until


async def test_invites_only_to_configured_rooms_and_members_dms(world: BotWorld) -> None:
    stranger, stranger_c = await world.member("stranger", join_room=False)
    member, member_c = await world.member("member")
    bot = world.bot.user_id

    async def bot_membership(client, room: str) -> str | None:  # type: ignore[no-untyped-def]
        resp = await client.room_get_state_event(room, "m.room.member", bot)
        return getattr(resp, "content", {}).get("membership")

    strangers_dm = await create_dm(stranger_c, bot)
    members_group = await create_room(member_c, name="Side project", invite=[bot])
    members_dm = await create_dm(member_c, bot)
    await world.ask(member_c, members_dm, "!help", "Mentoring commands")
    await sync_until(stranger_c, lambda: stranger_c.rooms, what="stranger syncs")

    async def refused() -> bool:
        return (await bot_membership(stranger_c, strangers_dm) == "leave"
                and await bot_membership(member_c, members_group) == "leave")  # fmt: skip

    await sync_until(member_c, refused, what="the bot rejects both invites")
    assert await bot_membership(member_c, members_dm) == "join"
    assert stranger.user_id and member.user_id


async def test_pending_invite_to_a_configured_room_is_accepted_at_start(world: BotWorld) -> None:
    # The fixture invited the bot to both rooms before it started.
    assert world.frontend is not None
    assert world.room in world.frontend.client.nio.rooms
    assert world.moderation_room in world.frontend.client.nio.rooms


async def test_greetings_skip_renames_quick_rejoins_and_bots(world: BotWorld) -> None:
    person, person_c = await world.member("person")
    await world.bot_says(person_c, world.room, person.user_id, "Welcome")
    await person_c.set_displayname("Person Renamed")
    await person_c.room_leave(world.room)
    await join(person_c, world.room)
    _, bot_c = await world.member("helperbot")
    latecomer, latecomer_c = await world.member("latecomer")
    await world.bot_says(latecomer_c, world.room, latecomer.user_id, "Welcome")
    await settle(0.5)
    greetings = [m for m in await world.bot_messages(person_c, world.room) if "Welcome" in body(m)]
    greeted = [u for m in greetings for u in m["content"]["m.mentions"].get("user_ids", [])]
    assert greeted.count(person.user_id) == 1
    assert not any("helperbot" in u for u in greeted)
    assert bot_c.user_id not in greeted


async def test_an_idempotency_key_shows_a_message_once(world: BotWorld) -> None:
    assert world.frontend is not None
    platform = world.frontend.platform
    async with world.services.ctx.db() as s:
        from storage.repositories.members import ensure_community

        row = await ensure_community(s, platform="matrix", external_id=world.room, name="c",
                                     locale="en", now=world.services.ctx.clock.now())  # fmt: skip
        await s.commit()
    ref = CommunityRef(row.id or 0, "matrix", world.room)
    first = await platform.send_to_channel(ref, "welcome", Message("Once only"), key="k:1")
    again = await platform.send_to_channel(ref, "welcome", Message("Once only"), key="k:1")
    assert first.ref == again.ref
    moderators = await platform.send_to_channel(ref, "moderation", Message("Mods only"))
    assert moderators.extra["room_id"] == world.moderation_room
    assert (await platform.send_to_channel(ref, "help", Message("never"))).ref is None
    await settle(0.3)
    texts = [body(m) for m in await world.bot_messages(world.mod_client, world.room)]
    assert texts.count("Once only") == 1 and "Mods only" not in texts
