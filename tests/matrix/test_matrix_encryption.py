"""Encrypted rooms: answered with the e2e extra; without it, one clear notice per room."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, MatrixRoom, RoomMessageText
from nio.crypto import ENCRYPTION_ENABLED

from tests.matrix.botworld import BotWorld, body, make_world, settle
from tests.matrix.synapse import (
    MakeUserClient,
    SynapseServer,
    create_room,
    send_event,
    sync_until,
)

ENCRYPTION_STATE = [
    {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
]
needs_e2e = pytest.mark.skipif(
    not ENCRYPTION_ENABLED,
    reason="matrix-nio[e2e] is not installed (pip install -e '.[e2e]'): "
    "the encrypted-DM test needs vodozemac",
)


class Decrypted:
    """Plain-text messages a client could read (decrypted ones included)."""

    def __init__(self, client: AsyncClient) -> None:
        self.seen: list[tuple[str, str, str, bool]] = []
        client.add_event_callback(self._on, RoomMessageText)

    async def _on(self, room: MatrixRoom, event: RoomMessageText) -> None:
        self.seen.append((room.room_id, event.sender, event.body, event.decrypted))

    def find(self, room_id: str, sender: str, needle: str) -> list[bool]:
        """For each matching message: whether it arrived encrypted."""
        return [d for r, s, b, d in self.seen if r == room_id and s == sender and needle in b]


async def _keys(client: AsyncClient) -> None:
    """What sync_forever would do for a test client's end-to-end keys."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()


@contextlib.asynccontextmanager
async def _world(synapse: SynapseServer, tmp: Path, make_user_client: MakeUserClient, **start: Any):
    async with contextlib.AsyncExitStack() as stack:
        world = await make_world(synapse, tmp, make_user_client, stack)
        await world.start(**start)
        try:
            yield world
        finally:
            await world.stop()


@needs_e2e
async def test_encrypted_dm_is_read_and_answered(world: BotWorld) -> None:
    assert world.frontend is not None and world.frontend.client.e2e
    member, client = await world.member("alice", encryption_enabled=True)
    readable = Decrypted(client)
    await client.sync(timeout=0)
    await _keys(client)
    dm = await create_room(client, is_direct=True, invite=[world.bot.user_id],
                           initial_state=ENCRYPTION_STATE)  # fmt: skip

    def bot_joined() -> bool:
        room = client.rooms.get(dm)
        return bool(room and room.encrypted and world.bot.user_id in room.users)

    await sync_until(client, bot_joined, what="the bot joins the encrypted DM")
    await _keys(client)
    resp = await client.room_send(
        dm, "m.room.message", {"msgtype": "m.text", "body": "!help"}, ignore_unverified_devices=True
    )
    assert hasattr(resp, "event_id"), resp

    async def answered() -> bool:
        await _keys(client)
        return readable.find(dm, world.bot.user_id, "Mentoring commands")

    await sync_until(client, answered, timeout=15, what="the bot's encrypted answer")
    assert readable.find(dm, world.bot.user_id, "Mentoring commands") == [True]
    assert member.user_id


async def test_without_e2e_the_bot_says_once_it_cannot_read(
    synapse: SynapseServer, tmp_path: Path, make_user_client: MakeUserClient
) -> None:
    async with _world(synapse, tmp_path, make_user_client, encryption=False) as world:
        _, client = await world.member("bob", encryption_enabled=False)
        dm = await create_room(client, is_direct=True, invite=[world.bot.user_id],
                               initial_state=ENCRYPTION_STATE)  # fmt: skip
        fake = {
            "algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEhAbc", "sender_key": "k" * 43,
            "session_id": "s" * 43, "device_id": "DEVICE",
        }  # fmt: skip
        await send_event(client, dm, "m.room.encrypted", fake)
        notice = await world.bot_says(client, dm, "can't read encrypted messages", "mentorbot[e2e]")
        assert "!help" in body(notice)
        await send_event(client, dm, "m.room.encrypted", fake)
        await settle(1.0)
        notices = [m for m in await world.bot_messages(client, dm) if "encrypted" in body(m)]
        assert len(notices) == 1
        # Unencrypted rooms keep working.
        await world.ask(client, world.room, "!help", "Mentoring commands")


@needs_e2e
async def test_encrypted_pair_room_when_configured(
    synapse: SynapseServer, tmp_path: Path, make_user_client: MakeUserClient
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        world = await make_world(synapse, tmp_path, make_user_client, stack,
                                 matrix={"encrypt_rooms": True})  # fmt: skip
        await world.start()
        try:
            mentor, mentor_c = await world.member("mentor", encryption_enabled=True)
            newcomer, newcomer_c = await world.member("newcomer", encryption_enabled=True)
            readable = Decrypted(newcomer_c)
            for client in (mentor_c, newcomer_c):
                await client.sync(timeout=0)
                await _keys(client)
            await world.ask(mentor_c, world.room, "!mentor-signup skills=ocaml", "ocaml")
            await world.ask(newcomer_c, world.room, "!mentor ocaml", "!ask 1")
            await world.ask(newcomer_c, world.room, "!ask 1", mentor.localpart)

            def dm_invite() -> str | None:
                rooms = mentor_c.invited_rooms.items()
                return next((r for r, room in rooms if room.inviter == world.bot.user_id), None)

            dm = await sync_until(mentor_c, dm_invite)
            await mentor_c.join(dm)
            await sync_until(mentor_c, lambda: dm in mentor_c.rooms)
            await _keys(mentor_c)
            await mentor_c.room_send(dm, "m.room.message", {"msgtype": "m.text", "body": "!accept"},
                                     ignore_unverified_devices=True)  # fmt: skip
            name = f"Mentoring: {newcomer.localpart} & {mentor.localpart}"

            def pair_invite() -> str | None:
                rooms = newcomer_c.invited_rooms.items()
                return next((r for r, room in rooms if room.name == name), None)

            pair = await sync_until(newcomer_c, pair_invite, what="pair room invite")
            await newcomer_c.join(pair)

            async def welcome() -> list[bool]:
                await _keys(newcomer_c)
                return readable.find(pair, world.bot.user_id, "Welcome")

            assert await sync_until(newcomer_c, welcome, timeout=15) == [True]
            assert newcomer_c.rooms[pair].encrypted
        finally:
            await world.stop()
