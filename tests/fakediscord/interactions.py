"""Interaction driver: build INTERACTION_CREATE payloads the way Discord does.

The driver methods are mixed into :class:`~tests.fakediscord.server.FakeDiscord`.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from .handle import SELECT_TYPES, InteractionHandle, submitted_components
from .models import ALL_PERMISSIONS, Message

if TYPE_CHECKING:
    from .server import FakeDiscord


def _snowflake_of(value: Any) -> int:
    if hasattr(value, "id"):
        return int(value.id)
    return int(value)


def _infer_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


class InteractionMixin:
    """Driver methods that simulate a user invoking interactions."""

    def _find_command(
        self: FakeDiscord, name: str, guild_id: int | None, ctype: int = 1
    ) -> dict[str, Any] | None:
        stores = []
        if guild_id is not None:
            stores.append(self.state.guild_commands.get(guild_id, {}))
        stores.append(self.state.global_commands)
        for store in stores:
            for rec in store.values():
                if rec.name == name and int(rec.data.get("type", 1)) == ctype:
                    return rec.data
        return None

    def _base_interaction(
        self: FakeDiscord,
        itype: int,
        channel_id: int | None,
        user_id: int,
        *,
        guild_id: int | None = None,
        locale: str = "en-US",
        permissions: Any = None,
    ) -> dict[str, Any]:
        state = self.state
        user = state.get_user(user_id)
        ch = (
            state.get_channel(channel_id)
            if channel_id is not None
            else state.dm_channel_for(user.id)
        )
        guild_id = guild_id or ch.guild_id
        payload: dict[str, Any] = {
            "id": str(state.new_id()),
            "application_id": str(state.application_id),
            "type": itype,
            "token": "fake." + secrets.token_urlsafe(32),
            "version": 1,
            "locale": locale,
            "app_permissions": str(ALL_PERMISSIONS),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel_id": str(ch.id),
        }
        if guild_id is not None:
            guild = state.get_guild(guild_id)
            member = guild.members.get(user.id)
            if member is None:
                raise ValueError(f"user {user.id} is not a member of guild {guild.id}")
            if permissions is None:
                perms = state.member_permissions(guild, member)
            else:
                perms = int(getattr(permissions, "value", permissions))
            payload.update(
                guild_id=str(guild.id),
                guild_locale=guild.preferred_locale,
                context=0,
                guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                member=state.member_payload(member, permissions=perms),
                channel=state.channel_payload(ch, permissions=perms),
                authorizing_integration_owners={"0": str(guild.id)},
            )
        else:
            payload.update(
                user=state.user_payload(user),
                context=1,
                channel=state.channel_payload(ch),
                authorizing_integration_owners={"0": "0"},
            )
        return payload

    def _resolve_option(
        self: FakeDiscord,
        otype: int,
        value: Any,
        guild_id: int | None,
        resolved: dict[str, dict[str, Any]],
    ) -> Any:
        state = self.state
        if otype in (6, 9) and (otype == 6 or _snowflake_of(value) in state.users):
            user = state.get_user(_snowflake_of(value))
            resolved.setdefault("users", {})[str(user.id)] = state.user_payload(user)
            guild = state.guilds.get(guild_id) if guild_id else None
            if guild is not None and user.id in guild.members:
                member = guild.members[user.id]
                resolved.setdefault("members", {})[str(user.id)] = state.member_payload(
                    member, with_user=False, permissions=state.member_permissions(guild, member)
                )
            return str(user.id)
        if otype in (8, 9):
            role = state.get_role(guild_id or 0, _snowflake_of(value))
            resolved.setdefault("roles", {})[str(role.id)] = state.role_payload(role)
            return str(role.id)
        if otype == 7:
            ch = state.get_channel(_snowflake_of(value))
            resolved.setdefault("channels", {})[str(ch.id)] = state.channel_payload(
                ch, permissions=ALL_PERMISSIONS
            )
            return str(ch.id)
        if otype == 4:
            return int(value)
        if otype == 10:
            return float(value)
        if otype == 5:
            return bool(value)
        return str(value)

    def _build_options(
        self: FakeDiscord,
        path: list[str],
        schema: dict[str, Any] | None,
        options: Any,
        guild_id: int | None,
        resolved: dict[str, Any],
        focused: str | None = None,
    ) -> list[dict[str, Any]]:
        spec_opts = (schema or {}).get("options") or []
        if path:  # subcommand group / subcommand
            sub = next((o for o in spec_opts if o.get("name") == path[0]), None)
            sub_type = int(sub["type"]) if sub else (1 if len(path) == 1 else 2)
            inner = self._build_options(path[1:], sub, options, guild_id, resolved, focused)
            return [{"name": path[0], "type": sub_type, "options": inner}]
        if isinstance(options, list):  # raw option dicts: resolve mentionables only
            out = []
            for opt in options:
                opt = dict(opt)
                if int(opt.get("type", 3)) in (6, 7, 8, 9) and "value" in opt:
                    opt["value"] = self._resolve_option(
                        int(opt["type"]), opt["value"], guild_id, resolved
                    )
                out.append(opt)
            return out
        out = []
        for name, value in (options or {}).items():
            spec = next((o for o in spec_opts if o.get("name") == name), None)
            otype = int(spec["type"]) if spec else _infer_type(value)
            if name == focused:
                out.append({"name": name, "type": otype, "value": str(value), "focused": True})
                continue
            out.append(
                {
                    "name": name,
                    "type": otype,
                    "value": self._resolve_option(otype, value, guild_id, resolved),
                }
            )
        return out

    def _command_data(
        self: FakeDiscord, name: str, options: Any, guild_id: int | None, focused: str | None = None
    ) -> dict[str, Any]:
        parts = name.split()
        schema = self._find_command(parts[0], guild_id)
        resolved: dict[str, Any] = {}
        data: dict[str, Any] = {
            "id": schema["id"] if schema else str(self.state.new_id()),
            "name": parts[0],
            "type": 1,
        }
        data["options"] = self._build_options(
            parts[1:], schema, options, guild_id, resolved, focused
        )
        if schema and schema.get("guild_id"):
            data["guild_id"] = schema["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def _dispatch_interaction(
        self: FakeDiscord, payload: dict[str, Any], source_message_id: int | None = None
    ) -> InteractionHandle:
        handle = InteractionHandle(
            server=self,
            id=int(payload["id"]),
            token=payload["token"],
            type=payload["type"],
            payload=payload,
            guild_id=int(payload["guild_id"]) if payload.get("guild_id") else None,
            channel_id=int(payload["channel_id"]),
            user_id=int((payload.get("member") or payload)["user"]["id"]),
            source_message_id=source_message_id,
        )
        self.interactions.append(handle)
        self.interactions_by_id[handle.id] = handle
        self.interactions_by_token[handle.token] = handle
        handle.dispatched_at = time.perf_counter()
        handle.delivered = await self.gateway.dispatch(
            "INTERACTION_CREATE", payload, guild_id=handle.guild_id
        )
        return handle

    # ------------------------------------------------------------------ driver
    async def send_slash(
        self: FakeDiscord,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        locale: str = "en-US",
        permissions: Any = None,
    ) -> InteractionHandle:
        """Invoke ``/name`` (``"group sub"`` for subcommands) as ``user_id``.

        ``options`` maps option names to values (users/roles/channels may be ids or
        objects with ``.id``; they are resolved like Discord does) or is a list of
        raw option dicts.  Option types come from the synced command when known.
        """
        payload = self._base_interaction(
            2, channel_id, user_id, guild_id=guild_id, locale=locale, permissions=permissions
        )
        payload["data"] = self._command_data(name, options, guild_id or _guild_of(payload))
        return await self._dispatch_interaction(payload)

    async def autocomplete(
        self: FakeDiscord,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Send an autocomplete request (type 4) with ``focused`` as the focused option."""
        payload = self._base_interaction(4, channel_id, user_id, guild_id=guild_id, locale=locale)
        payload["data"] = self._command_data(name, options, guild_id or _guild_of(payload), focused)
        return await self._dispatch_interaction(payload)

    async def send_context_menu(
        self: FakeDiscord,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        name: str,
        target: Any,
        *,
        kind: str = "user",
        locale: str = "en-US",
        permissions: Any = None,
    ) -> InteractionHandle:
        """Invoke a user (``kind="user"``) or message (``kind="message"``) context menu."""
        ctype = 2 if kind == "user" else 3
        payload = self._base_interaction(
            2, channel_id, user_id, guild_id=guild_id, locale=locale, permissions=permissions
        )
        gid = guild_id or _guild_of(payload)
        schema = self._find_command(name, gid, ctype)
        resolved: dict[str, Any] = {}
        if ctype == 2:
            target_id = self._resolve_option(6, target, gid, resolved)
        else:
            msg = self._message_of(target)
            target_id = str(msg.id)
            resolved["messages"] = {target_id: self.state.message_payload(msg)}
        payload["data"] = {
            "id": schema["id"] if schema else str(self.state.new_id()),
            "name": name,
            "type": ctype,
            "target_id": target_id,
            "resolved": resolved,
        }
        if schema and schema.get("guild_id"):
            payload["data"]["guild_id"] = schema["guild_id"]
        return await self._dispatch_interaction(payload)

    def _message_of(self: FakeDiscord, message: Any) -> Message:
        if isinstance(message, Message):
            return message
        msg = self.state.message_index.get(_snowflake_of(message))
        if msg is None or msg.deleted:
            raise LookupError(f"unknown message {message!r}")
        return msg

    async def click_button(
        self: FakeDiscord,
        message: Any,
        custom_id: str,
        user_id: int,
        *,
        locale: str = "en-US",
        permissions: Any = None,
        values: list[str] | None = None,
    ) -> InteractionHandle:
        """Use the component ``custom_id`` on ``message`` (a record, id or discord.Message)."""
        msg = self._message_of(message)
        comp = msg.find_component(custom_id)
        if comp is None:
            raise LookupError(
                f"message {msg.id} has no component {custom_id!r}; has {msg.custom_ids()}"
            )
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        payload = self._base_interaction(
            3, msg.channel_id, user_id, locale=locale, permissions=permissions
        )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": int(comp["type"])}
        if int(comp["type"]) in SELECT_TYPES:
            data["values"] = [str(v) for v in (values or [])]
        payload["data"] = data
        payload["message"] = self.state.message_payload(msg)
        return await self._dispatch_interaction(payload, source_message_id=msg.id)

    async def select(
        self: FakeDiscord,
        message: Any,
        custom_id: str,
        user_id: int,
        values: list[str],
        **kwargs: Any,
    ) -> InteractionHandle:
        """Choose ``values`` in the select menu ``custom_id``."""
        return await self.click_button(message, custom_id, user_id, values=values, **kwargs)

    async def submit_modal(
        self: FakeDiscord,
        source: InteractionHandle,
        values: dict[str, Any],
        *,
        user_id: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Submit the modal opened in response to ``source``.

        ``values`` maps a field's custom_id (or its label) to the text typed in, or to
        a list of values for select menus.  Unlisted text inputs keep their default.
        """
        if source.modal is None:
            raise LookupError(f"interaction {source.id} did not open a modal")
        known = set(source.modal_fields())
        labels = source.modal_labels()
        values = {k if k in known else labels.get(k, k): v for k, v in values.items()}
        unknown_ids = set(values) - known
        if unknown_ids:
            raise KeyError(f"modal has no fields {sorted(unknown_ids)}; fields: {sorted(known)}")
        payload = self._base_interaction(
            5, source.channel_id, user_id or source.user_id, guild_id=source.guild_id, locale=locale
        )
        payload["data"] = {
            "custom_id": source.modal["custom_id"],
            "components": submitted_components(source.modal.get("components", []), values),
        }
        if source.source_message_id is not None:
            msg = self.state.message_index.get(source.source_message_id)
            if msg is not None:
                payload["message"] = self.state.message_payload(msg)
        return await self._dispatch_interaction(payload, source_message_id=source.source_message_id)


def _guild_of(payload: dict[str, Any]) -> int | None:
    return int(payload["guild_id"]) if payload.get("guild_id") else None
