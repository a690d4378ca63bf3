"""InteractionHandle: one simulated interaction and everything the bot answered."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .models import Message, walk_components

if TYPE_CHECKING:
    from .server import FakeDiscord

SELECT_TYPES = (3, 5, 6, 7, 8)


@dataclass(eq=False)
class InteractionHandle:
    """One interaction sent to the bot and everything the bot answered."""

    server: FakeDiscord = field(repr=False)
    id: int
    token: str
    type: int
    payload: dict[str, Any] = field(repr=False)
    guild_id: int | None
    channel_id: int
    user_id: int
    source_message_id: int | None = None
    created_at: float = field(default_factory=time.perf_counter)
    dispatched_at: float | None = None  # perf_counter() when INTERACTION_CREATE went out
    responded_at: float | None = None  # perf_counter() when the first callback arrived
    delivered: int = 0  # gateway sessions that received the event
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None  # data of a type 9 callback
    choices: list[dict[str, Any]] | None = None  # data.choices of a type 8 callback
    acked: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def callback(self) -> dict[str, Any] | None:
        return self.callbacks[0] if self.callbacks else None

    @property
    def response_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None

    @property
    def latency(self) -> float | None:
        """Seconds between dispatch and the callback's arrival."""
        if self.responded_at is None or self.dispatched_at is None:
            return None
        return self.responded_at - self.dispatched_at

    @property
    def ephemeral(self) -> bool:
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & 64)

    async def response(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the interaction callback and return its JSON body ``{type, data}``."""
        try:
            await asyncio.wait_for(self.acked.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"interaction {self.id} (type {self.type}) got no callback within {timeout}s; "
                f"delivered to {self.delivered} gateway session(s)"
            ) from None
        return self.callbacks[0]

    @property
    def original(self) -> Message | None:
        """The message created by a type 4/5 callback (or the clicked message for 6/7)."""
        if self.original_message_id is None:
            return None
        return self.server.state.message_index.get(self.original_message_id)

    @property
    def followups(self) -> list[Message]:
        index = self.server.state.message_index
        return [index[m] for m in self.followup_ids if m in index]

    @property
    def message(self) -> Message | None:
        """The message whose component was used (component interactions)."""
        if self.source_message_id is None:
            return None
        return self.server.state.message_index.get(self.source_message_id)

    def modal_fields(self) -> dict[str, dict[str, Any]]:
        """custom_id -> component of the modal the bot opened."""
        if self.modal is None:
            raise LookupError(f"interaction {self.id} did not open a modal")
        return {
            c["custom_id"]: c
            for c in walk_components(self.modal.get("components", []))
            if c.get("custom_id")
        }

    def modal_labels(self) -> dict[str, str]:
        """label -> custom_id of the modal's inputs (text input label or enclosing Label)."""
        if self.modal is None:
            raise LookupError(f"interaction {self.id} did not open a modal")
        out: dict[str, str] = {}

        def visit(components: list[dict[str, Any]], label: str | None = None) -> None:
            for comp in components:
                if comp.get("type") == 18 and isinstance(comp.get("component"), dict):
                    visit([comp["component"]], comp.get("label"))
                elif comp.get("type") == 1:
                    visit(comp.get("components") or [])
                elif comp.get("custom_id") and (comp.get("label") or label):
                    out[comp.get("label") or label] = comp["custom_id"]

        visit(self.modal.get("components") or [])
        return out

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        await self.server.wait_for(lambda: len(self.followup_ids) >= count, timeout=timeout)
        return self.followups

    async def wait_original(self, predicate: Any = None, timeout: float = 5.0) -> Message:
        """Wait until the original response exists (and satisfies ``predicate(msg)``)."""

        def check() -> Message | None:
            msg = self.original
            if msg is None or msg.flags & 128:  # still "thinking"
                return None
            return msg if predicate is None or predicate(msg) else None

        return await self.server.wait_for(check, timeout=timeout)


def submitted_components(
    components: list[dict[str, Any]], values: dict[str, Any]
) -> list[dict[str, Any]]:
    """Mirror a modal's layout the way Discord reports a submission."""
    out = []
    for comp in components:
        ctype = int(comp.get("type", 0))
        if ctype == 1:
            out.append(
                {"type": 1, "components": submitted_components(comp.get("components", []), values)}
            )
        elif ctype == 18:
            out.append(
                {
                    "type": 18,
                    "id": comp.get("id", 0),
                    "component": submitted_components([comp["component"]], values)[0],
                }
            )
        elif ctype == 4:
            value = values.get(comp["custom_id"], comp.get("value") or "")
            if comp.get("required", True) and not value:
                raise ValueError(f"modal field {comp['custom_id']!r} is required")
            out.append({"type": 4, "custom_id": comp["custom_id"], "value": str(value)})
        elif ctype in SELECT_TYPES:
            chosen = values.get(comp["custom_id"], [])
            out.append(
                {
                    "type": ctype,
                    "custom_id": comp["custom_id"],
                    "values": [str(v) for v in ([chosen] if isinstance(chosen, str) else chosen)],
                }
            )
        else:
            out.append({"type": ctype, **({"id": comp["id"]} if "id" in comp else {})})
    return out
