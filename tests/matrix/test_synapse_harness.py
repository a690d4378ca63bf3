"""The real-Synapse harness works with real matrix-nio clients."""

from __future__ import annotations

import asyncio

import pytest
from nio import RoomSendError

from tests.matrix.synapse import (
    RELAXED_RATELIMIT_CONFIG,
    EventRecorder,
    MakeUserClient,
    SynapseServer,
    create_dm,
    create_room,
    join,
    power_levels,
    reactions_to,
    room_creators,
    room_messages,
    room_state,
    send_reaction,
    send_text,
    sync_until,
    wait_for_message,
)


async def test_invite_join_and_message(make_user_client: MakeUserClient) -> None:
    alice, alice_c = await make_user_client("alice")
    bob, bob_c = await make_user_client("bob")

    room_id = await create_room(alice_c, invite=[bob.user_id], name="mentoring")
    join_rules = next(
        e for e in await room_state(alice_c, room_id) if e["type"] == "m.room.join_rules"
    )
    assert join_rules["content"]["join_rule"] == "invite"

    await sync_until(bob_c, lambda: room_id in bob_c.invited_rooms, what="bob sees the invite")
    await join(bob_c, room_id)
    await sync_until(bob_c, lambda: room_id in bob_c.rooms, what="bob's sync shows the join")

    event_id = await send_text(alice_c, room_id, "hello bob")

    # Read back via /messages (no sync needed) ...
    ev = await wait_for_message(bob_c, room_id, lambda e: e.get("event_id") == event_id)
    assert ev["sender"] == alice.user_id
    assert ev["content"] == {"msgtype": "m.text", "body": "hello bob"}
    # ... and via bob's sync.
    recorder = EventRecorder(bob_c)
    synced = await sync_until(
        bob_c,
        lambda: recorder.find(type="m.room.message", room_id=room_id, sender=alice.user_id),
        what="bob syncs alice's message",
    )
    assert synced["event_id"] == event_id
    assert synced["content"]["body"] == "hello bob"

    members = [
        e["state_key"]
        for e in await room_state(alice_c, room_id)
        if e["type"] == "m.room.member" and e["content"]["membership"] == "join"
    ]
    assert sorted(members) == sorted([alice.user_id, bob.user_id])


async def test_direct_message_room(make_user_client: MakeUserClient) -> None:
    alice, alice_c = await make_user_client("alice")
    bob, bob_c = await make_user_client("bob")
    recorder = EventRecorder(bob_c)

    room_id = await create_dm(alice_c, bob.user_id)

    # The invitee learns it is a DM from is_direct on its invite member event.
    invite = await sync_until(
        bob_c,
        lambda: recorder.find(
            type="m.room.member", room_id=room_id, where=lambda e: e["state_key"] == bob.user_id
        ),
        what="bob's DM invite",
    )
    assert invite["sender"] == alice.user_id
    assert invite["content"]["membership"] == "invite"
    assert invite["content"]["is_direct"] is True

    await join(bob_c, room_id)
    await send_text(bob_c, room_id, "hi alice")
    ev = await wait_for_message(
        alice_c, room_id, lambda e: e.get("sender") == bob.user_id and e["type"] == "m.room.message"
    )
    assert ev["content"]["body"] == "hi alice"


async def test_admin_override_ratelimit(
    synapse: SynapseServer, make_user_client: MakeUserClient
) -> None:
    user, _ = await make_user_client("bot")
    result = await synapse.override_ratelimit(user.user_id)
    assert result == {"messages_per_second": 0, "burst_count": 0}
    assert await synapse.get_ratelimit_override(user.user_id) == result
    await synapse.delete_ratelimit_override(user.user_id)
    assert await synapse.get_ratelimit_override(user.user_id) == {}


async def test_reactions(make_user_client: MakeUserClient) -> None:
    _, alice_c = await make_user_client("alice")
    bob, bob_c = await make_user_client("bob")
    room_id = await create_room(alice_c, invite=[bob.user_id])
    await join(bob_c, room_id)  # joining by id works without syncing the invite first

    recorder = EventRecorder(alice_c)
    msg_id = await send_text(alice_c, room_id, "Who wants to pair on this?")
    reaction_id = await send_reaction(bob_c, room_id, msg_id, "👍")

    seen = await sync_until(
        alice_c,
        lambda: recorder.find(type="m.reaction", room_id=room_id),
        what="alice syncs bob's reaction",
    )
    assert seen["event_id"] == reaction_id
    assert seen["sender"] == bob.user_id
    assert seen["content"]["m.relates_to"] == {
        "rel_type": "m.annotation",
        "event_id": msg_id,
        "key": "👍",
    }

    history = await room_messages(alice_c, room_id)
    assert [e["type"] for e in history[-2:]] == ["m.room.message", "m.reaction"]

    # The relations API lists the annotations of one message.
    related = await reactions_to(alice_c, room_id, msg_id)
    assert [(e["sender"], e["content"]["m.relates_to"]["key"]) for e in related] == [
        (bob.user_id, "👍")
    ]


async def test_room_v12_creators(make_user_client: MakeUserClient) -> None:
    alice, alice_c = await make_user_client("alice")
    bob, _ = await make_user_client("bob")

    # v12: creators have unlimited power and are not in m.room.power_levels.
    room_id = await create_room(
        alice_c,
        room_version="12",
        invite=[bob.user_id],
        creation_content={"additional_creators": [bob.user_id]},
    )
    create = next(e for e in await room_state(alice_c, room_id) if e["type"] == "m.room.create")
    assert create["content"]["room_version"] == "12"
    assert await room_creators(alice_c, room_id) == [alice.user_id, bob.user_id]
    users = (await power_levels(alice_c, room_id)).get("users", {})
    assert alice.user_id not in users
    assert bob.user_id not in users

    # Older versions: only the create sender, who is listed with PL 100.
    old_room = await create_room(alice_c, room_version="10")
    assert await room_creators(alice_c, old_room) == [alice.user_id]
    assert (await power_levels(alice_c, old_room))["users"][alice.user_id] == 100


def test_relaxed_ratelimits_cover_every_limiter() -> None:
    """Fails when a Synapse upgrade adds a limiter RELAXED_RATELIMIT_CONFIG misses."""
    rl = pytest.importorskip("synapse.config.ratelimiting")
    RatelimitConfig, RatelimitSettings = rl.RatelimitConfig, rl.RatelimitSettings
    cfg = RatelimitConfig(None)
    cfg.read_config(dict(RELAXED_RATELIMIT_CONFIG))
    settings = {k: v for k, v in vars(cfg).items() if isinstance(v, RatelimitSettings)}
    assert len(settings) >= 20
    slow = {k: v for k, v in settings.items() if v.per_second < 1000 or v.burst_count < 1000}
    assert not slow
    assert cfg.rc_federation.reject_limit >= 1000


async def test_default_ratelimits_server_rate_limits(
    synapse_default_ratelimits: SynapseServer, make_user_client: MakeUserClient
) -> None:
    """The second homeserver keeps Synapse's defaults (rc_message: burst 10)."""
    server = synapse_default_ratelimits
    _, client = await make_user_client("sender", server=server, max_limit_exceeded=0)
    room_id = await create_room(client)

    responses = await asyncio.gather(
        *(
            client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": f"{i}"})
            for i in range(15)
        )
    )
    limited = [r for r in responses if isinstance(r, RoomSendError)]
    assert limited, "expected M_LIMIT_EXCEEDED on the default-ratelimit homeserver"
    assert {r.status_code for r in limited} == {"M_LIMIT_EXCEEDED"}
    assert all(r.retry_after_ms and r.retry_after_ms > 0 for r in limited)

    # An admin override exempts the user (what a deployment would do for the bot).
    _, bot = await make_user_client("bot", server=server, max_limit_exceeded=0)
    bot_room = await create_room(bot)
    await server.override_ratelimit(bot.user_id)
    responses = await asyncio.gather(
        *(
            bot.room_send(bot_room, "m.room.message", {"msgtype": "m.text", "body": f"{i}"})
            for i in range(15)
        )
    )
    assert not [r for r in responses if isinstance(r, RoomSendError)]
