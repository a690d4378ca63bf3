"""Start-up: login kinds, rate-limit and admin warnings, a homeserver that is away."""

from __future__ import annotations

import contextlib
import logging
import socket
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import core
from bot.config import MatrixSection, Settings
from bot.platforms.matrix import MatrixFrontend
from bot.platforms.matrix.client import MatrixClient
from bot.startup import StartupError
from tests.matrix.botworld import make_world
from tests.matrix.synapse import MakeUserClient, SynapseServer


def _section(server: SynapseServer, user, tmp: Path, **extra) -> MatrixSection:  # type: ignore[no-untyped-def]
    return MatrixSection(
        homeserver=server.base_url, user_id=user.user_id, access_token=user.access_token,
        device_id=user.device_id, store_path=str(tmp / "store"), **extra,
    )  # fmt: skip


async def _warnings(section: MatrixSection, caplog: pytest.LogCaptureFixture) -> str:
    client = MatrixClient(section)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.platforms.matrix"):
        try:
            await client.login()
            await client.check_rate_limits()
        finally:
            await client.close()
    return "\n".join(f"{r.levelname} {r.getMessage()}" for r in caplog.records)


async def test_rate_limit_and_admin_warnings(
    synapse: SynapseServer, make_user_client: MakeUserClient, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    plain, _ = await make_user_client("bot")
    text = await _warnings(_section(synapse, plain, tmp_path), caplog)
    assert "WARNING" in text and "no server admin rights" in text and "override_ratelimit" in text

    admin, _ = await make_user_client("adminbot", admin=True)
    text = await _warnings(_section(synapse, admin, tmp_path), caplog)
    assert "WARNING the bot account is rate-limited" in text

    await synapse.override_ratelimit(admin.user_id)
    text = await _warnings(_section(synapse, admin, tmp_path), caplog)
    assert "WARNING" not in text and "exempt" in text
    assert admin.access_token not in text and plain.access_token not in text


async def test_password_login_answers_commands(
    synapse: SynapseServer, tmp_path: Path, make_user_client: MakeUserClient
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        world = await make_world(synapse, tmp_path, make_user_client, stack)
        world.settings.matrix.access_token = SecretStr("")
        world.settings.matrix.password = SecretStr(world.bot.password)
        await world.start()
        try:
            _, member_c = await world.member("member")
            await world.ask(member_c, world.room, "!help", "Mentoring commands")
        finally:
            await world.stop()


async def test_homeserver_away_is_retried_then_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    settings = Settings(
        bot={"database_url": f"sqlite:///{tmp_path / 'x.db'}"},
        matrix={"homeserver": f"http://127.0.0.1:{port}", "user_id": "@bot:localhost",
                "access_token": "secret-token-value", "store_path": str(tmp_path / "s")},
    )  # fmt: skip
    async with core(settings) as services:
        frontend = MatrixFrontend(settings.matrix, services)
        services.attach(frontend.platform)
        with caplog.at_level(logging.WARNING, logger="bot.platforms.matrix"):
            with pytest.raises(StartupError) as failed:
                await frontend.start(ready_timeout=2.5)
            assert frontend._task is not None and frontend._task.done()
    assert "retrying" in caplog.text  # it said it was trying again before giving up
    assert failed.value.code == 3
    assert failed.value.line.startswith(f"matrix.homeserver: cannot reach http://127.0.0.1:{port}")
    assert "secret-token-value" not in caplog.text + failed.value.line


async def test_a_refused_token_is_fatal_at_once(
    synapse: SynapseServer, tmp_path: Path, make_user_client: MakeUserClient
) -> None:
    user, _ = await make_user_client("tokenbot")
    section = _section(synapse, user, tmp_path)
    section.access_token = SecretStr("syt_not_a_valid_token")
    settings = Settings(bot={"database_url": f"sqlite:///{tmp_path / 'x.db'}"}, matrix=section)
    async with core(settings) as services:
        frontend = MatrixFrontend(settings.matrix, services)
        services.attach(frontend.platform)
        with pytest.raises(StartupError) as failed:
            await frontend.start(ready_timeout=20)
    assert failed.value.code == 3
    assert failed.value.line.startswith("matrix.access_token: ")
    assert "M_UNKNOWN_TOKEN" in failed.value.line and "syt_not_a_valid_token" not in failed.value.line
