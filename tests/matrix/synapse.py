"""A real Synapse homeserver for tests, plus small matrix-nio helpers.

:class:`SynapseServer` writes a minimal homeserver config into a directory,
starts ``python -m synapse.app.homeserver`` as a subprocess (Twisted runs in
its own process, so it never touches the test's asyncio loop), waits for
``GET /_matrix/client/versions`` to answer, registers users through the
shared-secret admin API and stops the process with SIGTERM.

Start/stop are synchronous (so a session-scoped pytest fixture needs no event
loop); everything that talks to the server from a test is ``async`` and uses a
fresh aiohttp session per call, so it works from any function-scoped loop.

Usage outside pytest::

    server = SynapseServer(Path("/tmp/hs"))
    server.start()
    try:
        user = await server.register(unique_name("alice"))
        client = await server.client(user)
        room_id = await create_room(client, name="test")
        await send_text(client, room_id, "hello")
        await client.close()
    finally:
        server.stop()
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
)

from tests.matrix.nio_helpers import (
    EventRecorder,
    MatrixTestError,
    create_dm,
    create_room,
    join,
    power_levels,
    reactions_to,
    room_creators,
    room_messages,
    room_state,
    send_event,
    send_reaction,
    send_text,
    sync_until,
    wait_for_message,
)

__all__ = [
    "DEFAULT_RATELIMIT_CONFIG",
    "RELAXED_RATELIMIT_CONFIG",
    "EventRecorder",
    "MakeClient",
    "MakeUser",
    "MakeUserClient",
    "MatrixTestError",
    "RegisteredUser",
    "SynapseServer",
    "SynapseStartError",
    "create_dm",
    "create_room",
    "join",
    "power_levels",
    "reactions_to",
    "room_creators",
    "room_messages",
    "room_state",
    "send_event",
    "send_reaction",
    "send_text",
    "synapse_log_tail",
    "sync_until",
    "unique_name",
    "wait_for_message",
]

SERVER_NAME = "localhost"

# Every rate limiter that synapse/config/ratelimiting.py knows about (1.163),
# opened wide.  ``test_relaxed_ratelimits_cover_every_limiter`` loads this
# through Synapse's own config class and fails if a new limiter appears that
# is not listed here.
_WIDE_OPEN: dict[str, float] = {"per_second": 100_000, "burst_count": 1_000_000}
RELAXED_RATELIMIT_CONFIG: dict[str, Any] = {
    "rc_message": _WIDE_OPEN,
    "rc_registration": _WIDE_OPEN,
    "rc_registration_token_validity": _WIDE_OPEN,
    "rc_login": {
        "address": _WIDE_OPEN,
        "account": _WIDE_OPEN,
        "failed_attempts": _WIDE_OPEN,
    },
    "rc_admin_redaction": _WIDE_OPEN,
    "rc_joins": {"local": _WIDE_OPEN, "remote": _WIDE_OPEN},
    "rc_joins_per_room": _WIDE_OPEN,
    "rc_key_requests": _WIDE_OPEN,
    "rc_3pid_validation": _WIDE_OPEN,
    "rc_invites": {
        "per_room": _WIDE_OPEN,
        "per_user": _WIDE_OPEN,
        "per_issuer": _WIDE_OPEN,
    },
    "rc_third_party_invite": _WIDE_OPEN,
    "rc_media_create": _WIDE_OPEN,
    "rc_presence": {"per_user": _WIDE_OPEN},
    "rc_delayed_event_mgmt": _WIDE_OPEN,
    "rc_room_creation": _WIDE_OPEN,
    "rc_reports": _WIDE_OPEN,
    "rc_user_directory": _WIDE_OPEN,
    "rc_profile": _WIDE_OPEN,
    "rc_federation": {
        "window_size": 1000,
        "sleep_limit": 100_000,
        "sleep_delay": 1,
        "reject_limit": 1_000_000,
        "concurrent": 1000,
    },
    "federation_rr_transactions_per_room_per_second": 100_000,
    "remote_media_download_per_second": "1G",
    "remote_media_download_burst_count": "10G",
}
# Synapse's defaults: rc_message 0.2/s burst 10, rc_room_creation burst 10, ...
# Not configurable at all in Synapse: the room-summary limiter (5/s, burst 10)
# and the login-token-request limiter.
DEFAULT_RATELIMIT_CONFIG: dict[str, Any] = {}

_LOG_TAIL_LINES = 60


class SynapseStartError(RuntimeError):
    """Synapse did not come up."""


@dataclass(frozen=True)
class RegisteredUser:
    user_id: str
    access_token: str
    device_id: str
    password: str
    admin: bool = False

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]


# Types of the conftest factory fixtures, for annotating tests.
MakeUser = Callable[..., Awaitable[RegisteredUser]]
MakeClient = Callable[..., Awaitable[AsyncClient]]
MakeUserClient = Callable[..., Awaitable[tuple[RegisteredUser, AsyncClient]]]

_name_counter = itertools.count(1)


def unique_name(prefix: str = "user") -> str:
    """A name unique in this process and across runs against one server.

    Lower-case, so it is a valid Matrix localpart and room alias local part.
    """
    clean = "".join(c for c in prefix.lower() if c.isalnum() or c in "._=-/") or "x"
    return f"{clean}-{next(_name_counter)}-{secrets.token_hex(3)}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _set_pdeathsig() -> None:  # pragma: no cover - runs in the child
    """Have Linux SIGTERM Synapse if the test process dies without cleanup."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class SynapseServer:
    """One Synapse homeserver subprocess on 127.0.0.1.

    ``relaxed_ratelimits=True`` (the default) opens every rate limiter;
    ``False`` keeps Synapse's defaults, for tests of how the bot handles
    ``M_LIMIT_EXCEEDED``.  ``extra_config`` is merged over the generated
    config (top-level keys replace).
    """

    _running: set[SynapseServer] = set()  # noqa: RUF012 - registry on purpose

    def __init__(
        self,
        base_dir: Path | str | None = None,
        *,
        relaxed_ratelimits: bool = True,
        extra_config: dict[str, Any] | None = None,
        startup_timeout: float = 60.0,
        log_level: str = "INFO",
        python: str | None = None,
    ) -> None:
        self._own_dir = base_dir is None
        self.base_dir = Path(base_dir or tempfile.mkdtemp(prefix="synapse-test-"))
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.relaxed_ratelimits = relaxed_ratelimits
        self.extra_config = dict(extra_config or {})
        self.startup_timeout = startup_timeout
        self.log_level = log_level
        # The interpreter whose environment has matrix-synapse installed.
        self.python = python or sys.executable
        self.server_name = SERVER_NAME
        self.registration_shared_secret = secrets.token_hex(16)
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None
        self._admin: RegisteredUser | None = None
        self._admin_lock = threading.Lock()
        self._stdout_file: Any = None

    # ------------------------------------------------------------------ paths
    @property
    def config_path(self) -> Path:
        return self.base_dir / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "homeserver.log"

    @property
    def stdout_path(self) -> Path:
        return self.base_dir / "stdout.log"

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("Synapse is not started")
        return f"http://127.0.0.1:{self.port}"

    def __repr__(self) -> str:
        state = f"port={self.port}" if self.is_running() else "stopped"
        return f"<SynapseServer {state} relaxed={self.relaxed_ratelimits} dir={self.base_dir}>"

    # ----------------------------------------------------------------- config
    def config(self, port: int) -> dict[str, Any]:
        d = self.base_dir
        cfg: dict[str, Any] = {
            "server_name": self.server_name,
            "public_baseurl": f"http://127.0.0.1:{port}/",
            "pid_file": str(d / "homeserver.pid"),
            "listeners": [
                {
                    "port": port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(d / "homeserver.db")}},
            "log_config": str(d / "log.yaml"),
            "media_store_path": str(d / "media_store"),
            "signing_key_path": str(d / "signing.key"),  # generated on first start
            "registration_shared_secret": self.registration_shared_secret,
            "enable_registration": False,
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            "enable_metrics": False,
            "bcrypt_rounds": 4,
            "macaroon_secret_key": secrets.token_hex(16),
            "form_secret": secrets.token_hex(16),
        }
        cfg.update(
            RELAXED_RATELIMIT_CONFIG if self.relaxed_ratelimits else DEFAULT_RATELIMIT_CONFIG
        )
        cfg.update(self.extra_config)
        return cfg

    def _write_config(self, port: int) -> None:
        log_cfg = {
            "version": 1,
            "formatters": {
                "precise": {
                    "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s"
                    " - %(request)s - %(message)s"
                }
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "loggers": {
                "synapse.storage.SQL": {"level": "WARNING"},
                "synapse.storage.background_updates": {"level": "WARNING"},
                "twisted": {"level": "WARNING"},
                # Federation is off; its sender still logs every event at INFO.
                "synapse.federation.sender": {"level": "WARNING"},
            },
            "root": {"level": self.log_level, "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        # JSON is valid YAML and needs no yaml writer.
        (self.base_dir / "log.yaml").write_text(json.dumps(log_cfg, indent=2))
        self.config_path.write_text(json.dumps(self.config(port), indent=2))

    # -------------------------------------------------------------- lifecycle
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, attempts: int = 5) -> SynapseServer:
        """Start Synapse and block until it answers; retries on a port clash."""
        if self.is_running():
            return self
        last_error: Exception | None = None
        for _ in range(attempts):
            port = _free_port()
            try:
                self._start_once(port)
            except SynapseStartError as exc:
                last_error = exc
                if "Address already in use" in str(exc):
                    continue
                raise
            else:
                SynapseServer._running.add(self)
                atexit.register(self.stop)
                return self
        raise SynapseStartError(f"Synapse did not start after {attempts} attempts: {last_error}")

    def _start_once(self, port: int) -> None:
        self.port = port
        self._write_config(port)
        self.log_path.unlink(missing_ok=True)
        self._stdout_file = open(self.stdout_path, "wb")  # noqa: SIM115 - closed in stop()
        started = time.monotonic()
        self.process = subprocess.Popen(
            [self.python, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._stdout_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=_set_pdeathsig if sys.platform.startswith("linux") else None,
        )
        url = f"http://127.0.0.1:{port}/_matrix/client/versions"
        deadline = started + self.startup_timeout
        first_answer: float | None = None
        while True:
            code = self.process.poll()
            if code is not None:
                self._close_stdout()
                raise SynapseStartError(
                    f"Synapse exited with code {code} during startup\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    answered = resp.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                answered = False
            if answered:
                # Make sure it is *our* Synapse that answered, not another
                # process that won a race for the port (our Synapse then exits).
                now = time.monotonic()
                first_answer = first_answer or now
                if self._log_says_listening(port) or now - first_answer > 1.0:
                    break
            if time.monotonic() > deadline:
                self._terminate()
                raise SynapseStartError(
                    f"Synapse did not answer {url} within {self.startup_timeout}s\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.05)
        self.startup_seconds = time.monotonic() - started

    def _log_says_listening(self, port: int) -> bool:
        try:
            return f"now listening on TCP port {port}" in self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return False

    def _terminate(self, timeout: float = 10.0) -> None:
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout)
        self._close_stdout()

    def _close_stdout(self) -> None:
        if self._stdout_file is not None:
            self._stdout_file.close()
            self._stdout_file = None

    def stop(self, *, remove_dir: bool | None = None) -> None:
        """SIGTERM (kill after 10 s).  Removes a temp dir this object created
        unless ``remove_dir=False``."""
        self._terminate()
        SynapseServer._running.discard(self)
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        if remove_dir is None:
            remove_dir = self._own_dir
        if remove_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> SynapseServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @classmethod
    def running_servers(cls) -> list[SynapseServer]:
        return list(cls._running)

    # -------------------------------------------------------------------- log
    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """Last lines of the Synapse log (and of its stdout/stderr)."""
        out = [f"--- Synapse {self.base_url if self.port else ''} ({self.base_dir}) ---"]
        for path in (self.stdout_path, self.log_path):
            try:
                text = path.read_text(errors="replace").splitlines()
            except FileNotFoundError:
                continue
            if text:
                out.append(f"--- tail of {path.name} ({len(text)} lines) ---")
                out.extend(text[-lines:])
        return "\n".join(out)

    # --------------------------------------------------------- HTTP from tests
    def _mac(self, nonce: str, username: str, password: str, admin: bool) -> str:
        mac = hmac.new(self.registration_shared_secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, username, password):
            mac.update(part.encode("utf8"))
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        return mac.hexdigest()

    def _registration_body(
        self, nonce: str, username: str, password: str, admin: bool, displayname: str | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "nonce": nonce,
            "username": username,
            "password": password,
            "admin": admin,
            "mac": self._mac(nonce, username, password, admin),
        }
        if displayname is not None:
            body["displayname"] = displayname
        return body

    async def register(
        self,
        username: str | None = None,
        *,
        admin: bool = False,
        password: str | None = None,
        displayname: str | None = None,
    ) -> RegisteredUser:
        """Register a user via the shared-secret admin API and log it in.

        ``username`` defaults to ``unique_name("user")``; pass
        ``unique_name("alice")`` rather than a fixed name, the server is
        shared by the whole session.
        """
        username = username or unique_name("user")
        password = password or secrets.token_hex(8)
        url = f"{self.base_url}/_synapse/admin/v1/register"
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as resp:
                nonce = (await _json_or_raise(resp, "GET register nonce"))["nonce"]
            body = self._registration_body(nonce, username, password, admin, displayname)
            async with http.post(url, json=body) as resp:
                data = await _json_or_raise(resp, f"register {username!r}")
        return RegisteredUser(
            user_id=data["user_id"],
            access_token=data["access_token"],
            device_id=data["device_id"],
            password=password,
            admin=admin,
        )

    def register_sync(
        self, username: str | None = None, *, admin: bool = False, password: str | None = None
    ) -> RegisteredUser:
        """:meth:`register` without an event loop (for sync/session fixtures)."""
        username = username or unique_name("user")
        password = password or secrets.token_hex(8)
        url = f"{self.base_url}/_synapse/admin/v1/register"
        with urllib.request.urlopen(url, timeout=30) as resp:
            nonce = json.load(resp)["nonce"]
        body = self._registration_body(nonce, username, password, admin, None)
        req = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                data = json.load(resp)
        except urllib.error.HTTPError as exc:
            raise MatrixTestError(f"register {username!r}: HTTP {exc.code} {exc.read()!r}") from exc
        return RegisteredUser(
            data["user_id"], data["access_token"], data["device_id"], password, admin
        )

    def admin_user(self) -> RegisteredUser:
        """A server admin, registered on first use and then reused."""
        with self._admin_lock:
            if self._admin is None:
                self._admin = self.register_sync(unique_name("admin"), admin=True)
            return self._admin

    async def client(
        self,
        user: RegisteredUser,
        *,
        config: AsyncClientConfig | None = None,
        **config_kwargs: Any,
    ) -> AsyncClient:
        """A nio ``AsyncClient`` logged in as ``user`` via ``restore_login``.

        Defaults: nio retries 429s forever (honouring ``retry_after_ms``); no
        end-to-end encryption (pass ``encryption_enabled=True`` for it).
        Pass ``max_limit_exceeded=0`` to get ``M_LIMIT_EXCEEDED`` back as an
        error response instead.  The caller closes the client (the
        ``make_client`` fixture does that for you).
        """
        if config is None:
            # Unencrypted unless asked: with matrix-nio[e2e] installed, nio refuses to send
            # to a room the client has not synced yet, which most tests never do.
            kwargs: dict[str, Any] = {
                "request_timeout": 30,
                "max_timeouts": 3,
                "encryption_enabled": False,
            }
            kwargs.update(config_kwargs)
            config = AsyncClientConfig(**kwargs)
        store = self.base_dir / "nio-stores" / f"{user.localpart}-{user.device_id}"
        store.mkdir(parents=True, exist_ok=True)
        client = AsyncClient(
            self.base_url,
            user.user_id,
            device_id=user.device_id,
            store_path=str(store),
            config=config,
        )
        client.restore_login(user.user_id, user.device_id, user.access_token)
        return client

    async def admin_request(
        self,
        method: str,
        path: str,
        json_body: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        expect: Iterable[int] = (200,),
    ) -> Any:
        """An authenticated request (admin's token by default); returns JSON."""
        token = token or (await asyncio.to_thread(self.admin_user)).access_token
        async with (
            aiohttp.ClientSession() as http,
            http.request(
                method,
                f"{self.base_url}{path}",
                json=json_body,
                headers={"Authorization": f"Bearer {token}"},
            ) as resp,
        ):
            return await _json_or_raise(resp, f"{method} {path}", expect=expect)

    async def override_ratelimit(
        self, user_id: str, messages_per_second: float = 0, burst_count: int = 0
    ) -> dict[str, Any]:
        """``POST /_synapse/admin/v1/users/<id>/override_ratelimit``.

        0/0 exempts the user from message rate limits entirely.
        """
        result: dict[str, Any] = await self.admin_request(
            "POST",
            f"/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit",
            {"messages_per_second": messages_per_second, "burst_count": burst_count},
        )
        return result

    async def get_ratelimit_override(self, user_id: str) -> dict[str, Any]:
        """The user's override, ``{}`` when there is none."""
        result: dict[str, Any] = await self.admin_request(
            "GET", f"/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit"
        )
        return result

    async def delete_ratelimit_override(self, user_id: str) -> None:
        await self.admin_request(
            "DELETE", f"/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit"
        )


def synapse_log_tail(lines: int = _LOG_TAIL_LINES) -> str:
    """Log tails of every running test homeserver, for assertion messages."""
    servers = SynapseServer.running_servers()
    if not servers:
        return "(no Synapse running)"
    return "\n".join(server.log_tail(lines) for server in servers)


async def _json_or_raise(
    resp: aiohttp.ClientResponse, what: str, expect: Iterable[int] = (200,)
) -> Any:
    text = await resp.text()
    if resp.status not in tuple(expect):
        raise MatrixTestError(f"{what}: HTTP {resp.status} {text}")
    return json.loads(text) if text else {}
