"""Interaction callback and interaction-webhook (followup / @original) handlers."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .httputil import json_response, make_attachments, no_content, read_payload
from .interactions import InteractionHandle
from .models import EPHEMERAL, LOADING, Message
from .state import ApiError

if TYPE_CHECKING:
    from .server import FakeDiscord

# interaction type -> callback types Discord accepts for it
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


class WebhookApi:
    def __init__(self, server: FakeDiscord) -> None:
        self.server = server
        self.state = server.state

    def routes(self) -> list[web.RouteDef]:
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        msg = hook + "/messages/{message_id}"
        return [
            web.post("/interactions/{interaction_id}/{token}/callback", self.callback),
            web.post(hook, self.execute),
            web.get(msg, self.get_message),
            web.patch(msg, self.edit_message),
            web.delete(msg, self.delete_message),
        ]

    # ---------------------------------------------------------------- helpers
    def _by_token(self, request: web.Request) -> InteractionHandle:
        handle = self.server.interactions_by_token.get(request.match_info["webhook_token"])
        if handle is None or request.match_info["webhook_id"] != str(self.state.application_id):
            raise ApiError(404, 10015, "Unknown Webhook")
        return handle

    def _response_message(
        self, handle: InteractionHandle, body: dict[str, Any], files: list[Any], flags: int
    ) -> Message:
        channel = self.state.channels[handle.channel_id]
        user = self.state.users[handle.user_id]
        meta: dict[str, Any] = {
            "id": str(handle.id),
            "type": handle.type,
            "user": self.state.user_payload(user),
            "authorizing_integration_owners": handle.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if handle.type == 2:
            meta["name"] = handle.payload["data"]["name"]
        app_id = self.state.application_id
        return self.state.create_message(
            channel,
            self.state.bot_user.id,
            {**body, "flags": flags},
            make_attachments(self.state, channel.id, body, files),
            type=20 if handle.type == 2 else 0,
            webhook_id=app_id,
            application_id=app_id,
            interaction_id=handle.id,
            extra={"interaction_metadata": meta},
        )

    def _target(self, request: web.Request, handle: InteractionHandle) -> Message:
        raw = request.match_info["message_id"]
        mid = handle.original_message_id if raw == "@original" else int(raw)
        msg = self.state.message_index.get(mid) if mid is not None else None
        if (
            msg is None
            or msg.deleted
            or (mid != handle.original_message_id and mid not in handle.followup_ids)
        ):
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    # --------------------------------------------------------------- callback
    async def callback(self, request: web.Request) -> web.Response:
        try:
            handle = self.server.interactions_by_id[int(request.match_info["interaction_id"])]
        except (KeyError, ValueError):
            raise ApiError(404, 10062, "Unknown interaction") from None
        if handle.token != request.match_info["token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        body, files = await read_payload(request)
        ctype = int(body.get("type") or 0)
        data = body.get("data") or {}
        if handle.callbacks:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if ctype not in ALLOWED_CALLBACKS.get(handle.type, set()) or (
            ctype in (6, 7) and handle.message is None
        ):
            raise ApiError(
                400, 50035, f"Invalid callback type {ctype} for interaction type {handle.type}"
            )
        if ctype == 9 and not (
            data.get("custom_id") and data.get("title") and data.get("components")
        ):
            raise ApiError(
                400, 50035, "Invalid Form Body (modal needs custom_id, title, components)"
            )
        handle.responded_at = time.perf_counter()
        handle.callbacks.append(body)
        resource: dict[str, Any] = {"type": ctype}
        info: dict[str, Any] = {"id": str(handle.id), "type": handle.type}
        if ctype in (4, 5):
            flags = int(data.get("flags") or 0)
            if ctype == 5:
                flags = (flags & EPHEMERAL) | LOADING
            msg = self._response_message(handle, data, files, flags)
            handle.original_message_id = msg.id
            await self.server.emit_message("MESSAGE_CREATE", msg)
            resource["message"] = self.state.message_payload(msg)
            info.update(
                response_message_id=str(msg.id),
                response_message_loading=ctype == 5,
                response_message_ephemeral=msg.ephemeral,
            )
        elif ctype in (6, 7):
            src = handle.message
            assert src is not None
            handle.original_message_id = src.id
            if ctype == 7:
                self.state.edit_message(
                    src, data, make_attachments(self.state, src.channel_id, data, files)
                )
                await self.server.emit_message("MESSAGE_UPDATE", src)
                resource["message"] = self.state.message_payload(src)
        elif ctype == 8:
            handle.choices = list(data.get("choices") or [])
        elif ctype == 9:
            handle.modal = data
        handle.acked.set()
        if request.query.get("with_response") in ("1", "true", "True"):
            return json_response({"interaction": info, "resource": resource})
        return no_content()

    # -------------------------------------------------------------- followups
    async def execute(self, request: web.Request) -> web.Response:
        handle = self._by_token(request)
        if not handle.callbacks:
            raise ApiError(404, 10015, "Unknown Webhook")
        body, files = await read_payload(request)
        original = handle.original
        if original is not None and original.flags & LOADING and handle.response_type == 5:
            # The first followup after a deferred response replaces the "thinking" message.
            self.state.edit_message(
                original, body, make_attachments(self.state, original.channel_id, body, files)
            )
            msg, event = original, "MESSAGE_UPDATE"
        else:
            msg = self._response_message(handle, body, files, int(body.get("flags") or 0))
            event = "MESSAGE_CREATE"
        handle.followup_ids.append(msg.id)
        await self.server.emit_message(event, msg)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(self.state.message_payload(msg))
        return no_content()

    async def get_message(self, request: web.Request) -> web.Response:
        handle = self._by_token(request)
        return json_response(self.state.message_payload(self._target(request, handle)))

    async def edit_message(self, request: web.Request) -> web.Response:
        handle = self._by_token(request)
        msg = self._target(request, handle)
        return await self.server.edit_from_request(msg, request)

    async def delete_message(self, request: web.Request) -> web.Response:
        handle = self._by_token(request)
        await self.server.delete_message(self._target(request, handle))
        return no_content()
