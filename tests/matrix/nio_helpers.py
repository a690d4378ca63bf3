"""Helpers for real matrix-nio clients in tests: syncing until something holds, rooms,
messages, reactions and state (split from synapse.py, which re-exports them)."""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nio import (
    Api,
    AsyncClient,
    Event,
    InviteEvent,
    JoinError,
    RoomCreateError,
    RoomCreateResponse,
    RoomGetStateError,
    RoomMessagesError,
    RoomPreset,
    RoomSendError,
    RoomVisibility,
    SyncError,
)
from nio.api import RelationshipType


class MatrixTestError(AssertionError):
    """A homeserver or client call in a test did not do what the test needed."""


# ---------------------------------------------------------------------------
# nio helpers
# ---------------------------------------------------------------------------


async def sync_until(
    client: AsyncClient,
    predicate: Callable[[], Any | Awaitable[Any]],
    timeout: float = 10.0,
    *,
    what: str | None = None,
    sync_timeout_ms: int = 500,
) -> Any:
    """Call ``client.sync(timeout=500)`` until ``predicate()`` is truthy.

    ``predicate`` takes no argument (look at ``client.rooms``,
    ``client.invited_rooms`` or an :class:`EventRecorder`) and may be async.
    Returns the truthy value.  Raises :class:`MatrixTestError` on a sync error
    or after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    syncs = 0

    async def check() -> Any:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        return value

    value = await check()
    while not value:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            label = what or getattr(predicate, "__name__", repr(predicate))
            raise MatrixTestError(
                f"sync_until: {label} still false after {timeout}s and {syncs} syncs for "
                f"{client.user_id} (joined={sorted(client.rooms)}, "
                f"invited={sorted(client.invited_rooms)})"
            )
        resp = await client.sync(
            timeout=max(0, min(sync_timeout_ms, int(remaining * 1000))),
            full_state=None,
        )
        syncs += 1
        if isinstance(resp, SyncError):
            raise MatrixTestError(f"sync failed for {client.user_id}: {resp}")
        value = await check()
    return value


class EventRecorder:
    """Collects the raw dicts of every timeline/invite event a client syncs.

    >>> rec = EventRecorder(client)
    >>> await sync_until(client, lambda: rec.find(type="m.reaction"))
    """

    def __init__(self, client: AsyncClient | None = None) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        if client is not None:
            self.attach(client)

    def attach(self, client: AsyncClient) -> None:
        client.add_event_callback(self._on_event, Event)
        # Invite-state events (InviteEvent) are not Event subclasses.
        client.add_event_callback(self._on_event, InviteEvent)

    async def _on_event(self, room: Any, event: Any) -> None:
        source = dict(event.source)
        # nio's InviteMemberEvent.from_dict pops "content" out of .source.
        if "content" not in source and isinstance(getattr(event, "content", None), dict):
            source["content"] = dict(event.content)
        self.events.append((room.room_id, source))

    def find_all(
        self,
        *,
        type: str | None = None,
        room_id: str | None = None,
        sender: str | None = None,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        out = []
        for rid, ev in self.events:
            if room_id is not None and rid != room_id:
                continue
            if type is not None and ev.get("type") != type:
                continue
            if sender is not None and ev.get("sender") != sender:
                continue
            if where is not None and not where(ev):
                continue
            out.append(ev)
        return out

    def find(self, **kwargs: Any) -> dict[str, Any] | None:
        found = self.find_all(**kwargs)
        return found[-1] if found else None


async def create_room(
    client: AsyncClient,
    *,
    invite: Sequence[str] = (),
    name: str | None = None,
    topic: str | None = None,
    alias: str | None = None,
    is_direct: bool = False,
    preset: RoomPreset | None = None,
    visibility: RoomVisibility = RoomVisibility.private,
    power_level_override: dict[str, Any] | None = None,
    room_version: str | None = None,
    initial_state: Sequence[dict[str, Any]] = (),
    creation_content: dict[str, Any] | None = None,
) -> str:
    """``POST /createRoom``; returns the room id.  Raises on error.

    The default preset for a private room is ``private_chat`` (invite-only).
    ``creation_content`` is merged into the create event's content, e.g.
    ``{"additional_creators": [...]}`` for room version 12, which nio's
    ``room_create`` cannot send.
    """
    options: dict[str, Any] = {
        "visibility": visibility, "alias": alias, "name": name, "topic": topic,
        "room_version": room_version, "is_direct": is_direct, "preset": preset,
        "invite": list(invite), "initial_state": list(initial_state),
        "power_level_override": power_level_override,
    }  # fmt: skip
    if creation_content is None:
        resp = await client.room_create(**options)
    else:
        method, path, data = Api.room_create(client.access_token, **options)
        body = json.loads(data)
        body.setdefault("creation_content", {}).update(creation_content)
        # nio's private _send gives us its 429 retry handling and parsing.
        resp = await client._send(RoomCreateResponse, method, path, Api.to_json(body))
    if isinstance(resp, RoomCreateError) or not isinstance(resp, RoomCreateResponse):
        raise MatrixTestError(f"create_room failed for {client.user_id}: {resp}")
    return str(resp.room_id)


async def create_dm(client: AsyncClient, other_user_id: str, **kwargs: Any) -> str:
    """A direct-message room: ``is_direct=True``, ``trusted_private_chat``."""
    kwargs.setdefault("preset", RoomPreset.trusted_private_chat)
    return await create_room(client, invite=[other_user_id], is_direct=True, **kwargs)


async def join(client: AsyncClient, room_id_or_alias: str) -> str:
    resp = await client.join(room_id_or_alias)
    if isinstance(resp, JoinError):
        raise MatrixTestError(f"{client.user_id} could not join {room_id_or_alias}: {resp}")
    return str(resp.room_id)


async def send_event(
    client: AsyncClient, room_id: str, event_type: str, content: dict[str, Any]
) -> str:
    resp = await client.room_send(room_id, event_type, content)
    if isinstance(resp, RoomSendError):
        raise MatrixTestError(f"{client.user_id} could not send {event_type} in {room_id}: {resp}")
    return str(resp.event_id)


async def send_text(
    client: AsyncClient, room_id: str, body: str, *, msgtype: str = "m.text"
) -> str:
    """Send an ``m.room.message``; returns the event id."""
    return await send_event(client, room_id, "m.room.message", {"msgtype": msgtype, "body": body})


async def send_reaction(client: AsyncClient, room_id: str, event_id: str, key: str) -> str:
    """Send an ``m.reaction`` annotating ``event_id`` with ``key``."""
    content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
    return await send_event(client, room_id, "m.reaction", content)


async def room_messages(
    client: AsyncClient,
    room_id: str,
    *,
    limit: int = 100,
    message_filter: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Up to ``limit`` most recent events via ``/messages``, oldest first,
    as raw event dicts (``type``, ``sender``, ``content``, ``event_id``...).
    Needs no sync."""
    events: list[dict[str, Any]] = []
    start: str | None = ""
    while len(events) < limit:
        resp = await client.room_messages(
            room_id,
            start=start,
            limit=min(100, limit - len(events)),
            message_filter=message_filter,
        )
        if isinstance(resp, RoomMessagesError):
            raise MatrixTestError(f"room_messages({room_id}) failed for {client.user_id}: {resp}")
        events.extend(dict(ev.source) for ev in resp.chunk)
        if not resp.chunk or not resp.end or resp.end == start:
            break
        start = resp.end
    events.reverse()
    return events


async def wait_for_message(
    client: AsyncClient,
    room_id: str,
    predicate: Callable[[dict[str, Any]], bool] | None = None,
    timeout: float = 10.0,
    *,
    limit: int = 50,
    interval: float = 0.1,
) -> dict[str, Any]:
    """Poll ``/messages`` until an event matches ``predicate`` (default: any
    ``m.room.message``); returns the newest matching event dict."""
    if predicate is None:

        def predicate(ev: dict[str, Any]) -> bool:
            return ev.get("type") == "m.room.message"

    deadline = time.monotonic() + timeout
    seen: list[dict[str, Any]] = []
    while True:
        seen = await room_messages(client, room_id, limit=limit)
        matches = [ev for ev in seen if predicate(ev)]
        if matches:
            return matches[-1]
        if time.monotonic() >= deadline:
            summary = "\n".join(
                f"  {ev.get('type')} from {ev.get('sender')}: {ev.get('content')}"
                for ev in seen[-15:]
            )
            raise MatrixTestError(
                f"no matching event in {room_id} after {timeout}s; last events:\n{summary}"
            )
        await asyncio.sleep(interval)


async def room_state(client: AsyncClient, room_id: str) -> list[dict[str, Any]]:
    resp = await client.room_get_state(room_id)
    if isinstance(resp, RoomGetStateError):
        raise MatrixTestError(f"room_get_state({room_id}) failed for {client.user_id}: {resp}")
    return list(resp.events)


async def room_creators(client: AsyncClient, room_id: str) -> list[str]:
    """The room's creators: the ``m.room.create`` sender plus, from room
    version 12 on, ``content.additional_creators``.  In v12 creators have
    unlimited power and are *not* listed in ``m.room.power_levels``."""
    for ev in await room_state(client, room_id):
        if ev.get("type") == "m.room.create" and ev.get("state_key") == "":
            extra = ev.get("content", {}).get("additional_creators", [])
            return [ev["sender"], *[u for u in extra if u != ev["sender"]]]
    raise MatrixTestError(f"no m.room.create in the state of {room_id}")


async def power_levels(client: AsyncClient, room_id: str) -> dict[str, Any]:
    resp = await client.room_get_state_event(room_id, "m.room.power_levels")
    content = getattr(resp, "content", None)
    if not isinstance(content, dict):
        raise MatrixTestError(f"no power levels for {room_id}: {resp}")
    return content


async def reactions_to(client: AsyncClient, room_id: str, event_id: str) -> list[dict[str, Any]]:
    """``m.reaction`` events annotating ``event_id`` (relations API), as dicts."""
    return [
        dict(ev.source)
        async for ev in client.room_get_event_relations(
            room_id, event_id, RelationshipType.annotation, "m.reaction"
        )
    ]
