"""The bot's Matrix account: login, sync filter, paced sending, rooms, names, power levels."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import uuid4

from nio import (
    Api,
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    LoginError,
    ProfileGetDisplayNameResponse,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomPreset,
    RoomSendResponse,
    RoomVisibility,
    UploadResponse,
    WhoamiError,
)
from nio.crypto import ENCRYPTION_ENABLED

from bot.config import MatrixSection

log = logging.getLogger(__name__)

MEGOLM = "m.megolm.v1.aes-sha2"
SYNC_FILTER: dict[str, Any] = {
    "room": {
        "state": {"lazy_load_members": True},
        "timeline": {"limit": 100, "lazy_load_members": True},
        "ephemeral": {"not_types": ["*"]},
    },
    "presence": {"not_types": ["*"]},
}
# Pair rooms: partners talk (0), only the bot changes settings, invites or encryption.
PAIR_POWER_LEVELS: dict[str, Any] = {
    "invite": 50, "kick": 50, "ban": 50, "redact": 50,
    "events_default": 0, "state_default": 50,
    "events": {
        "m.room.name": 50, "m.room.avatar": 50, "m.room.topic": 0,
        "m.room.power_levels": 100, "m.room.history_visibility": 100,
        "m.room.join_rules": 100, "m.room.encryption": 100, "m.room.tombstone": 100,
        "m.room.server_acl": 100, "m.room.canonical_alias": 50,
    },
}  # fmt: skip


def transaction_id(key: str) -> str:
    """A URL-safe transaction id for an idempotency key (stable, bounded length)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)[:80]
    return f"mb.{safe}.{hashlib.sha256(key.encode()).hexdigest()[:16]}"


class MatrixError(Exception):
    """A Matrix request did not do what the bot needed (message never holds secrets)."""


class LoginRefused(MatrixError):
    """The homeserver refused the bot's access token or password: retrying cannot help."""


class Pacer:
    """At most `rate` sends per second and `concurrency` at once; slows down after a 429."""

    def __init__(self, rate: float = 20.0, concurrency: int = 4) -> None:
        self.base = 1.0 / rate
        self.interval = self.base
        self._next = 0.0
        self._sem = asyncio.Semaphore(concurrency)

    async def __aenter__(self) -> None:
        await self._sem.acquire()
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def __aexit__(self, *exc: object) -> None:
        self._sem.release()
        self.interval = max(self.base, self.interval * 0.95)

    def limited(self) -> None:
        """The homeserver said 429: send more slowly for a while."""
        self.interval = min(2.0, self.interval * 2)


class MatrixClient:
    """matrix-nio plus what the bot needs around it."""

    def __init__(
        self, settings: MatrixSection, *, rate: float = 20.0, encryption: bool | None = None
    ) -> None:
        self.settings = settings
        self.store_path = Path(settings.store_path)
        self.store_path.mkdir(parents=True, exist_ok=True)
        config = AsyncClientConfig(
            encryption_enabled=ENCRYPTION_ENABLED if encryption is None else encryption,
            store_sync_tokens=False,
            max_timeouts=2,
            request_timeout=60,
            backoff_factor=0.5,
            max_timeout_retry_wait_time=30,
        )
        self.nio = AsyncClient(
            settings.homeserver.rstrip("/"),
            settings.user_id,
            device_id=settings.device_id,
            store_path=str(self.store_path),
            config=config,
        )
        self.nio.add_response_callback(self._on_error, ErrorResponse)
        self.pacer = Pacer(rate)
        self.limited = 0  # 429 answers seen
        self.filter_id: str | None = None
        self.encrypted_new: set[str] = set()  # rooms created encrypted, maybe not synced yet
        self._names: dict[str, str] = {}
        self._power: dict[str, tuple[float, dict[str, Any]]] = {}
        self._creators: dict[str, tuple[str, list[str]]] = {}

    @property
    def user_id(self) -> str:
        return str(self.nio.user_id)

    @property
    def e2e(self) -> bool:
        """Whether this process can decrypt (the e2e extra is installed and a store loaded)."""
        return self.nio.olm is not None

    async def _on_error(self, resp: ErrorResponse) -> None:
        if resp.status_code == "M_LIMIT_EXCEEDED":
            self.limited += 1
            self.pacer.limited()

    # ----- session --------------------------------------------------------------------------
    async def login(self) -> None:
        """Access token (checked with whoami) or password login; raises MatrixError."""
        token = self.settings.access_token.get_secret_value()
        if token:
            self.nio.access_token = token
            who = await self.nio.whoami()
            if isinstance(who, WhoamiError):
                self.nio.access_token = ""
                if str(who.status_code).startswith("M_"):
                    raise LoginRefused(f"the access token was not accepted ({who.status_code})")
                raise MatrixError(f"the access token could not be checked ({who.status_code})")
            if who.user_id != self.settings.user_id:
                log.warning("the access token belongs to %s, not %s", who.user_id,
                            self.settings.user_id)  # fmt: skip
            self.nio.restore_login(who.user_id, who.device_id or self.settings.device_id, token)
        else:
            self.nio.device_id = self.settings.device_id
            resp = await self.nio.login(
                self.settings.password.get_secret_value(), device_name="mentorbot"
            )
            if isinstance(resp, LoginError):
                failed = LoginRefused if str(resp.status_code).startswith("M_") else MatrixError
                raise failed(f"password login failed ({resp.status_code}: {resp.message})")
        filt = await self.nio.upload_filter(**SYNC_FILTER)
        self.filter_id = getattr(filt, "filter_id", None)
        if self.filter_id is None:
            log.warning("could not upload the sync filter (%s); syncing unfiltered", filt)

    async def get_json(self, path: str) -> tuple[int, Any]:
        """GET a path with the bot's token: (status, JSON body or None)."""
        resp = await self.nio.send(
            "GET", path, headers={"Authorization": f"Bearer {self.nio.access_token}"}
        )
        try:
            body = await resp.json(content_type=None)
        except ValueError:
            body = None
        return resp.status, body

    async def check_rate_limits(self) -> None:
        """Warn (never fail) when the bot is not exempt from rate limits or not an admin."""
        path = f"/_synapse/admin/v1/users/{quote(self.user_id, safe='')}/override_ratelimit"
        fix = (
            f"ask a server admin to exempt it: POST {path} with "
            '{"messages_per_second": 0, "burst_count": 0}'
        )
        try:
            status, body = await self.get_json(path)
        except Exception as err:  # a warning must never stop the start
            log.warning("could not check the bot's rate limits (%s); %s", type(err).__name__, fix)
            return
        if status == 200 and isinstance(body, dict):
            if body.get("messages_per_second", 1) == 0 and body.get("burst_count", 1) == 0:
                log.info("the bot account is exempt from message rate limits")
            elif body:
                log.warning("the bot account has a rate-limit override %s but is not exempt; %s",
                            body, fix)  # fmt: skip
            else:
                log.warning("the bot account is rate-limited: greetings and replies may be "
                            "delayed during join waves; %s", fix)  # fmt: skip
            return
        log.warning("the bot account has no server admin rights, so it could not check whether "
                    "it is exempt from rate limits (HTTP %s); %s", status, fix)  # fmt: skip

    # ----- sending --------------------------------------------------------------------------
    async def send(
        self,
        room_id: str,
        content: dict[str, Any],
        event_type: str = "m.room.message",
        *,
        tx_id: str | None = None,
    ) -> str:
        """Send one event (paced, encrypted where the room is); returns its event id.

        A `tx_id` makes the send idempotent: the homeserver answers a repeat with the
        event it already has (per device, for a while), so a retry never shows twice.
        """
        txn = transaction_id(tx_id) if tx_id else uuid4().hex
        async with self.pacer:
            resp = await self._room_send(room_id, event_type, content, txn)
        if not isinstance(resp, RoomSendResponse):
            raise MatrixError(f"could not send to {room_id}: {resp}")
        return str(resp.event_id)

    async def _room_send(
        self, room_id: str, event_type: str, content: dict[str, Any], txn: str
    ) -> Any:
        if self.nio.olm is None:
            return await self.nio.room_send(room_id, event_type, content, tx_id=txn)
        if room_id not in self.nio.rooms and room_id in self.encrypted_new:
            await self.wait_for_room(room_id)
        if room_id in self.nio.rooms:
            return await self.nio.room_send(
                room_id, event_type, content, tx_id=txn, ignore_unverified_devices=True
            )
        # nio only sends to rooms it has synced; a fresh unencrypted room goes out as is.
        method, path, data = Api.room_send(self.nio.access_token, room_id, event_type, content, txn)
        return await self.nio._send(RoomSendResponse, method, path, data, (room_id,))

    async def wait_for_room(self, room_id: str, seconds: float = 10.0) -> bool:
        """Wait until the running sync loop has seen a room (polled: nio has no signal)."""
        deadline = time.monotonic() + seconds
        while room_id not in self.nio.rooms and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        return room_id in self.nio.rooms

    def is_encrypted(self, room_id: str) -> bool:
        room = self.nio.rooms.get(room_id)
        return bool(room and room.encrypted) or room_id in self.encrypted_new

    async def react(
        self, room_id: str, event_id: str, key: str, *, tx_id: str | None = None
    ) -> None:
        """Annotate a message with an emoji (offers show their answers as reactions)."""
        relates = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        await self.send(room_id, {"m.relates_to": relates}, "m.reaction", tx_id=tx_id)

    async def upload(self, data: bytes, mime: str, filename: str, room_id: str) -> dict[str, Any]:
        """Upload a file; returns the m.file content fields (`url` or encrypted `file`)."""
        encrypt = self.e2e and self.is_encrypted(room_id)
        async with self.pacer:
            resp, keys = await self.nio.upload(
                io.BytesIO(data), content_type=mime, filename=filename, encrypt=encrypt,
                filesize=len(data),
            )  # fmt: skip
        if not isinstance(resp, UploadResponse):
            raise MatrixError(f"upload of {filename} failed: {resp}")
        return {"url": resp.content_uri, "keys": keys if encrypt else None}

    # ----- rooms ----------------------------------------------------------------------------
    async def create_room(
        self, *, name: str | None, invite: list[str], direct: bool, encrypt: bool
    ) -> str:
        """An invite-only room; pair rooms get PAIR_POWER_LEVELS, DMs a plain private chat."""
        state = (
            [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}]
            if encrypt
            else []
        )
        override = None if direct else PAIR_POWER_LEVELS
        if direct and not encrypt:
            override = {"events": {**PAIR_POWER_LEVELS["events"], "m.room.name": 50}}
        resp = await self.nio.room_create(
            visibility=RoomVisibility.private,
            name=name,
            is_direct=direct,
            preset=RoomPreset.private_chat,
            invite=invite,
            initial_state=state,
            power_level_override=override,
        )
        if not isinstance(resp, RoomCreateResponse):
            raise MatrixError(f"could not create a room: {resp}")
        if encrypt:
            self.encrypted_new.add(resp.room_id)
        return str(resp.room_id)

    async def join(self, room_id: str) -> bool:
        resp = await self.nio.join(room_id)
        if isinstance(resp, ErrorResponse):
            log.warning("could not join %s: %s", room_id, resp.status_code)
            return False
        return True

    async def leave(self, room_id: str) -> None:
        resp = await self.nio.room_leave(room_id)
        if isinstance(resp, ErrorResponse):
            log.info("could not leave or reject %s: %s", room_id, resp.status_code)

    async def state(self, room_id: str, event_type: str, key: str = "") -> dict[str, Any] | None:
        """One state event's content, or None if absent or not visible."""
        resp = await self.nio.room_get_state_event(room_id, event_type, key)
        if isinstance(resp, RoomGetStateEventResponse) and isinstance(resp.content, dict):
            return resp.content
        return None

    async def membership(self, room_id: str, user_id: str) -> str | None:
        """join | invite | leave | ban | knock, or None."""
        room = self.nio.rooms.get(room_id)
        if room is not None and user_id in room.users:
            return "join"
        if room is not None and user_id in room.invited_users:
            return "invite"
        content = await self.state(room_id, "m.room.member", user_id)
        return str(content.get("membership")) if content else None

    async def display_name(self, user_id: str, room_id: str | None = None) -> str:
        """The name people see: room member name, else profile name, else the localpart."""
        room = self.nio.rooms.get(room_id) if room_id else None
        if room is not None and user_id in room.users:
            name = room.users[user_id].display_name
            if name:
                self._names[user_id] = name
                return str(name)
        if user_id not in self._names:
            try:
                resp = await self.nio.get_displayname(user_id)
            except Exception:  # a name is nice to have, never worth failing a command
                resp = None
            name = resp.displayname if isinstance(resp, ProfileGetDisplayNameResponse) else None
            self._names[user_id] = name or user_id[1:].split(":", 1)[0]
        return self._names[user_id]

    async def creators(self, room_id: str) -> tuple[str, list[str]]:
        """(room version, creators): the create event's sender plus additional_creators."""
        if room_id not in self._creators:
            path = f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/state/m.room.create/"
            status, event = await self.get_json(path + "?format=event")
            if status != 200 or not isinstance(event, dict):
                return "1", []
            content = event.get("content", event)  # servers without format=event: content
            sender = event.get("sender") or content.get("creator")
            extra = content.get("additional_creators") or []
            creators = [c for c in dict.fromkeys([sender, *extra]) if isinstance(c, str)]
            self._creators[room_id] = (str(content.get("room_version", "1")), creators)
        return self._creators[room_id]

    async def power_levels(self, room_id: str, ttl: float = 10.0) -> dict[str, Any]:
        """m.room.power_levels content, cached for a few seconds."""
        now = time.monotonic()
        cached = self._power.get(room_id)
        if cached and now - cached[0] < ttl:
            return cached[1]
        content = await self.state(room_id, "m.room.power_levels") or {}
        self._power[room_id] = (now, content)
        return content

    async def close(self) -> None:
        await self.nio.close()
