"""Starting it wrong: one line naming the setting and the fix, and a telling exit code.

Exit codes (PRODUCT.md "Operating"): 2 configuration, 3 connection or authentication,
1 anything else. SIGTERM ends the process within 5 s in any phase.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import core, open_database
from bot.config import Settings
from bot.platforms.discord.client import create_bot
from bot.startup import StartupError
from tests.fakediscord import FakeDiscord
from tests.pgdb import admin_url

MENTORBOT = [sys.executable, "-m", "bot.cli"]
PG = admin_url()


async def _mentorbot(*args: str, env: dict[str, str] | None = None, stdin: bytes = b"",
                     cwd: Path | None = None, timeout: float = 60) -> tuple[int, str, str]:  # fmt: skip
    """Run the CLI in a child process without blocking the loop (servers here keep serving)."""
    proc = await asyncio.create_subprocess_exec(
        *MENTORBOT, *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, cwd=cwd, env={**os.environ, **(env or {})},
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens here once the socket closes


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


async def test_version() -> None:
    code, out, _ = await _mentorbot("--version")
    assert code == 0 and re.fullmatch(r"mentorbot \d+\.\d+\.\d+\S*\n", out)


async def test_an_sqlite_file_in_a_missing_folder_gets_its_folder(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "mentorbot.db"
    code, out, err = await _mentorbot(
        "run", env={"MENTORBOT_BOT__DATABASE_URL": f"sqlite:///{db}"}, stdin=b"/join alice\n"
    )
    assert code == 0, err
    assert db.exists() and "alice" in out


async def test_an_sqlite_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    url = f"sqlite:///{blocker / 'sub' / 'mentorbot.db'}"
    code, _, err = await _mentorbot("run", env={"MENTORBOT_BOT__DATABASE_URL": url})
    assert code == 2
    line = _one_line(err)
    assert line.startswith("mentorbot: bot.database_url: cannot create the folder")


async def test_a_migration_that_fails_is_one_line_and_exit_1(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    with sqlite3.connect(db) as conn:  # a database from a newer (unknown) version
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    code, _, err = await _mentorbot("run", env={"MENTORBOT_BOT__DATABASE_URL": f"sqlite:///{db}"})
    assert code == 1
    assert _one_line(err).startswith("mentorbot: the database could not be migrated")


async def test_postgresql_unreachable_is_retried_then_exit_3(tmp_path: Path) -> None:
    port = _free_port()
    settings = Settings(bot={"database_url": f"postgresql://mentor:pw-9x@127.0.0.1:{port}/db"})
    started = time.monotonic()
    with pytest.raises(StartupError) as failed:
        await open_database(settings, patience=1.5)
    assert 1.4 <= time.monotonic() - started < 10
    assert failed.value.code == 3
    assert failed.value.line == (
        f"bot.database_url: cannot reach PostgreSQL at 127.0.0.1:{port} "
        "(ConnectionRefusedError) after 2 s; start it, or fix the host and port"
    )
    assert "pw-9x" not in failed.value.line


async def test_a_postgresql_database_that_does_not_exist_is_a_setting_to_fix() -> None:
    url = make_url(PG).set(database="no_such_mentorbot_db").render_as_string(hide_password=False)
    code, _, err = await _mentorbot("db", "upgrade", env={"MENTORBOT_BOT__DATABASE_URL": url})
    assert code == 2
    assert "has no database 'no_such_mentorbot_db'" in _one_line(err)


async def test_a_refused_postgresql_login_is_exit_3() -> None:
    url = make_url(PG).set(username="no_such_mentorbot_role").render_as_string(False)
    code, _, err = await _mentorbot("db", "upgrade", env={"MENTORBOT_BOT__DATABASE_URL": url})
    assert code == 3
    assert "refused the login of 'no_such_mentorbot_role'" in _one_line(err)


async def test_a_wrong_discord_token_is_exit_3_with_the_fix(tmp_path: Path) -> None:
    server = await FakeDiscord().start()
    try:
        env = {"MENTORBOT_BOT__DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
               "MENTORBOT_DISCORD__TOKEN": "not-the-token",
               "MENTORBOT_DISCORD__API_BASE_URL": server.api_base,
               "MENTORBOT_DISCORD__GATEWAY_URL": server.gateway_url}  # fmt: skip
        code, _, err = await _mentorbot("run", env=env)
    finally:
        await server.stop()
    assert code == 3
    line = _one_line(err)  # also: no "voice will NOT be supported" noise
    assert line.startswith("mentorbot: discord.token: Discord refused the token")
    assert "not-the-token" not in err


async def test_the_discord_api_unreachable_is_retried_then_exit_3(tmp_path: Path) -> None:
    port = _free_port()
    settings = Settings(
        bot={"database_url": f"sqlite:///{tmp_path / 'bot.db'}"},
        discord={"token": "t0k3n", "api_base_url": f"http://127.0.0.1:{port}/api/v10",
                 "gateway_url": f"ws://127.0.0.1:{port}/gateway"},
    )  # fmt: skip
    async with core(settings) as services:
        bot = create_bot(settings, services, cogs=())
        try:
            with pytest.raises(StartupError) as failed:
                await bot.serve("t0k3n", patience=1.5)
        finally:
            await bot.close()
    assert failed.value.code == 3
    assert failed.value.line.startswith(f"discord: cannot reach the Discord API at http://127.0.0.1:{port}")


async def _silent_server() -> tuple[asyncio.Server, int]:
    """Accepts connections and never answers (a homeserver that hangs)."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    return server, int(server.sockets[0].getsockname()[1])


@pytest.mark.parametrize("phase", ["matrix connecting", "database retrying"])
async def test_sigterm_stops_it_within_5_s_in_any_phase(tmp_path: Path, phase: str) -> None:
    silent, port = await _silent_server()
    env = {"MENTORBOT_BOT__DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    if phase == "matrix connecting":
        env |= {"MENTORBOT_MATRIX__HOMESERVER": f"http://127.0.0.1:{port}",
                "MENTORBOT_MATRIX__USER_ID": "@bot:localhost",
                "MENTORBOT_MATRIX__ACCESS_TOKEN": "tok",
                "MENTORBOT_MATRIX__STORE_PATH": str(tmp_path / "store")}  # fmt: skip
    else:
        env["MENTORBOT_BOT__DATABASE_URL"] = f"postgresql://u@127.0.0.1:{_free_port()}/db"
    proc = await asyncio.create_subprocess_exec(
        *MENTORBOT, "run", "--log-level", "INFO", stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )  # fmt: skip
    try:
        await asyncio.sleep(2.5)  # well inside the phase: both last up to 30 s
        assert proc.returncode is None
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        await asyncio.wait_for(proc.wait(), 10)
        assert time.monotonic() - started < 5
        assert proc.returncode == 0
    finally:
        if proc.returncode is None:
            proc.kill()
        silent.close()
