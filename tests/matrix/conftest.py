"""Fixtures for tests against a real Synapse homeserver.

* ``synapse`` (session): one homeserver for the whole pytest session, every
  rate limit opened.  Tests share it, so use ``unique_name()`` / ``make_user``
  for user names and room aliases.
* ``synapse_default_ratelimits`` (session, started only if a test asks for
  it): a second, separate homeserver with Synapse's default rate limits.
* ``make_user``, ``make_client``, ``make_user_client`` (function): factories;
  clients are closed when the test ends.
* ``world`` (function): a community room (created by a moderator, room version
  12), a moderation room and mentorbot's Matrix front-end running on both, on a
  fresh SQLite database; see :class:`tests.matrix.botworld.BotWorld`.

When a test in tests/matrix fails, the tail of the Synapse log is appended to
its report (section "Synapse log").
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient

from tests.matrix.botworld import BotWorld, make_world
from tests.matrix.synapse import (
    MakeClient,
    MakeUser,
    MakeUserClient,
    RegisteredUser,
    SynapseServer,
    unique_name,
)

_used_servers: list[SynapseServer] = []


def _start_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, *, relaxed_ratelimits: bool
) -> SynapseServer:
    if importlib.util.find_spec("synapse") is None:  # a dev dependency: missing means broken
        pytest.fail("matrix-synapse is not installed: run `make test` (pip install -e '.[dev]')")
    server = SynapseServer(tmp_path_factory.mktemp(name), relaxed_ratelimits=relaxed_ratelimits)
    server.start()
    _used_servers.append(server)
    return server


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """The session's homeserver (rate limits relaxed).  Sync fixture: the
    subprocess needs no event loop."""
    server = _start_server(tmp_path_factory, "synapse", relaxed_ratelimits=True)
    yield server
    # The directory (db, log) stays under pytest's basetemp for post-mortems.
    server.stop(remove_dir=False)


@pytest.fixture(scope="session")
def synapse_default_ratelimits(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SynapseServer]:
    """A second homeserver with Synapse's *default* rate limits
    (rc_message 0.2/s burst 10, rc_room_creation burst 10, ...)."""
    server = _start_server(tmp_path_factory, "synapse-ratelimited", relaxed_ratelimits=False)
    yield server
    server.stop(remove_dir=False)


@pytest.fixture
def make_user(synapse: SynapseServer) -> MakeUser:
    """``await make_user("alice", admin=False, server=None)`` -> RegisteredUser
    with a unique localpart starting with the prefix."""

    async def _make(
        prefix: str = "user", *, admin: bool = False, server: SynapseServer | None = None
    ) -> RegisteredUser:
        return await (server or synapse).register(unique_name(prefix), admin=admin)

    return _make


@pytest.fixture
async def make_client(synapse: SynapseServer) -> AsyncIterator[MakeClient]:
    """``await make_client(user, server=None, **AsyncClientConfig kwargs)`` ->
    logged-in nio AsyncClient, closed at teardown."""
    clients: list[AsyncClient] = []

    async def _make(
        user: RegisteredUser, *, server: SynapseServer | None = None, **config_kwargs: Any
    ) -> AsyncClient:
        client = await (server or synapse).client(user, **config_kwargs)
        clients.append(client)
        return client

    yield _make
    for client in clients:
        await client.close()


@pytest.fixture
def make_user_client(make_user: MakeUser, make_client: MakeClient) -> MakeUserClient:
    """``user, client = await make_user_client("alice")`` (same keyword
    arguments as make_user plus AsyncClientConfig kwargs)."""

    async def _make(
        prefix: str = "user",
        *,
        admin: bool = False,
        server: SynapseServer | None = None,
        **config_kwargs: Any,
    ) -> tuple[RegisteredUser, AsyncClient]:
        user = await make_user(prefix, admin=admin, server=server)
        return user, await make_client(user, server=server, **config_kwargs)

    return _make


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Append the Synapse log tail to the report of a failed test in here."""
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        servers = [v for v in funcargs.values() if isinstance(v, SynapseServer)]
        for server in servers or SynapseServer.running_servers():
            report.sections.append((f"Synapse log ({server.base_dir})", server.log_tail()))
    return report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if exitstatus != 0 and _used_servers:
        terminalreporter.write_sep("-", "Synapse logs")
        for server in _used_servers:
            terminalreporter.write_line(f"{server.log_path} (start {server.startup_seconds:.2f}s)")


@pytest.fixture
async def world(
    synapse: SynapseServer, tmp_path: Path, make_user_client: MakeUserClient
) -> AsyncIterator[BotWorld]:
    """A community room with mentorbot running on it (see tests/matrix/botworld.py)."""
    async with contextlib.AsyncExitStack() as stack:
        w = await make_world(synapse, tmp_path, make_user_client, stack)
        try:
            await w.start()
            yield w
        finally:
            await w.stop()
