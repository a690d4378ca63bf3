"""One process serves the loopback Discord server and a real Synapse, communities apart."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from bot.app import run_chat
from bot.config import DiscordSection
from tests.discord.env import make_community
from tests.fakediscord import FakeDiscord, point_discord_at
from tests.matrix.botworld import make_world
from tests.matrix.synapse import MakeUserClient, SynapseServer


async def test_discord_and_matrix_in_one_process(
    synapse: SynapseServer, tmp_path: Path, make_user_client: MakeUserClient
) -> None:
    server = await FakeDiscord().start()
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(server.stop)
        stack.enter_context(point_discord_at(server))
        world = await make_world(synapse, tmp_path, make_user_client, stack)
        guild = await make_community(server)
        discord = DiscordSection(token=server.token, api_base_url=server.api_base,
                                 gateway_url=server.gateway_url,
                                 guilds={guild.guild.id: guild.guild_config()})  # fmt: skip
        settings = world.settings.model_copy(update={"discord": discord})
        stop = asyncio.Event()
        running = asyncio.create_task(run_chat(settings, world.services, stop))
        try:
            await server.wait_for(
                lambda: server.gateway.live_sessions and "mentor" in server.commands(), timeout=20
            )
            # Discord: a mentor signs up
            dmentor = await server.add_member(guild.guild.id, None, "discordmentor")
            handle = await server.send_slash(guild.guild.id, guild.general.id, dmentor.user.id,
                                             "mentor-signup", {"skills": "python"})  # fmt: skip
            await handle.response(timeout=10)
            # Matrix: a newcomer asks; only Matrix mentors may be suggested
            _, client = await world.member("newcomer")
            reply = await world.ask(client, world.room, "!mentor python", "waitlist")
            assert "discordmentor" not in reply["content"]["body"]
            _, mclient = await world.member("matrixmentor")
            await world.ask(mclient, world.room, "!mentor-signup skills=python", "mentor")
            # Discord: a newcomer sees the Discord mentor only
            newbie = await server.add_member(guild.guild.id, None, "discordnewbie")
            ask = await server.send_slash(guild.guild.id, guild.general.id, newbie.user.id,
                                          "mentor", {"topic": "python"})  # fmt: skip
            await ask.response(timeout=10)
            (answer,) = await ask.wait_followups(1, timeout=10)
            assert "discordmentor" in answer.content and "matrixmentor" not in answer.content
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=30)
