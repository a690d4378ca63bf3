"""JSON payload renderers (Discord API v10 object shapes) for :class:`DiscordState`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import DM, PRIVATE_THREAD, Attachment, Channel, Guild, Member, Message, Role, User

if TYPE_CHECKING:
    from .state import DiscordState


class PayloadMixin:
    """Turns the plain records into the dicts Discord would send."""

    def user_payload(self: DiscordState, user: User) -> dict[str, Any]:
        return {
            "id": str(user.id),
            "username": user.username,
            "discriminator": user.discriminator,
            "global_name": user.global_name,
            "avatar": user.avatar,
            "bot": user.bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
        }

    def member_payload(
        self: DiscordState,
        member: Member,
        *,
        with_user: bool = True,
        permissions: int | None = None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in member.roles],
            "nick": member.nick,
            "avatar": None,
            "banner": None,
            "joined_at": member.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": member.flags,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_payload(member.user)
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data

    def role_payload(self: DiscordState, role: Role) -> dict[str, Any]:
        return {
            "id": str(role.id),
            "name": role.name,
            "permissions": str(role.permissions),
            "position": role.position,
            "color": role.color,
            "hoist": role.hoist,
            "managed": role.managed,
            "mentionable": role.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
            "colors": {
                "primary_color": role.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
        }

    def channel_payload(
        self: DiscordState, ch: Channel, *, permissions: int | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(ch.id),
            "type": ch.type,
            "flags": 0,
            "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
        }
        if ch.type == DM:
            data["recipients"] = [self.user_payload(self.users[u]) for u in ch.recipient_ids]
            return data
        data.update(
            {
                "guild_id": str(ch.guild_id),
                "name": ch.name,
                "position": ch.position,
                "parent_id": str(ch.parent_id) if ch.parent_id else None,
                "nsfw": False,
                "rate_limit_per_user": 0,
            }
        )
        if ch.is_thread:
            meta = {
                "archived": ch.archived,
                "auto_archive_duration": ch.auto_archive_duration,
                "archive_timestamp": ch.archive_timestamp,
                "locked": ch.locked,
                "create_timestamp": ch.create_timestamp,
            }
            if ch.type == PRIVATE_THREAD:
                meta["invitable"] = ch.invitable
            data.update(
                {
                    "owner_id": str(ch.owner_id),
                    "message_count": ch.message_count,
                    "member_count": len(ch.thread_members),
                    "thread_metadata": meta,
                    "total_message_sent": ch.total_message_sent,
                    "applied_tags": [],
                }
            )
            if self.bot_user.id in ch.thread_members:
                data["member"] = self.thread_member_payload(ch, self.bot_user.id)
        else:
            data.update({"topic": ch.topic, "permission_overwrites": []})
            if ch.type in (2, 13):  # voice / stage
                data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data

    def thread_member_payload(
        self: DiscordState, thread: Channel, user_id: int, *, with_member: bool = False
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(thread.id),
            "user_id": str(user_id),
            "join_timestamp": thread.thread_members[user_id],
            "flags": 0,
        }
        if with_member and thread.guild_id is not None:
            member = self.guilds[thread.guild_id].members.get(user_id)
            if member is not None:
                data["member"] = self.member_payload(member)
        return data

    def guild_payload(
        self: DiscordState, guild: Guild, *, members: list[Member] | None = None
    ) -> dict[str, Any]:
        """Full guild object as sent in GUILD_CREATE."""
        channels = [self.channels[c] for c in guild.channel_ids if not self.channels[c].deleted]
        threads = [
            c
            for c in self.channels.values()
            if c.guild_id == guild.id and c.is_thread and not c.archived and not c.deleted
        ]
        members = members if members is not None else [guild.members[self.bot_user.id]]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "preferred_locale": guild.preferred_locale,
            "features": [],
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": [self.role_payload(r) for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "soundboard_sounds": [],
            "channels": [self.channel_payload(c) for c in channels],
            "threads": [self.channel_payload(t) for t in threads],
            "members": [self.member_payload(m) for m in members],
            "member_count": len(guild.members),
            "large": len(guild.members) > 250,
            "joined_at": guild.joined_at,
            "unavailable": False,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "application_id": None,
            "incidents_data": None,
        }

    def attachment_payload(self: DiscordState, att: Attachment) -> dict[str, Any]:
        data = {
            "id": str(att.id),
            "filename": att.filename,
            "size": att.size,
            "url": att.url,
            "proxy_url": att.url,
            "content_type": att.content_type,
            "flags": 0,
        }
        if att.description:
            data["description"] = att.description
        return data

    def message_payload(
        self: DiscordState, msg: Message, *, with_reference: bool = True
    ) -> dict[str, Any]:
        author = self.users.get(msg.author_id) or self.bot_user
        data: dict[str, Any] = {
            "id": str(msg.id),
            "channel_id": str(msg.channel_id),
            "type": msg.type,
            "content": msg.content,
            "author": self.user_payload(author),
            "embeds": msg.embeds,
            "attachments": [self.attachment_payload(a) for a in msg.attachments],
            "components": msg.components,
            "mentions": [],
            "mention_roles": [str(r) for r in msg.mention_roles],
            "mention_everyone": msg.mention_everyone,
            "pinned": msg.pinned,
            "tts": msg.tts,
            "timestamp": msg.timestamp,
            "edited_timestamp": msg.edited_timestamp,
            "flags": msg.flags,
            "reactions": [
                {
                    "emoji": {"id": None, "name": e},
                    "count": len(u),
                    "me": self.bot_user.id in u,
                    "count_details": {"burst": 0, "normal": len(u)},
                    "burst_colors": [],
                    "me_burst": False,
                    "burst_me": False,
                    "burst_count": 0,
                }
                for e, u in msg.reactions.items()
                if u
            ],
        }
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        if guild is not None:
            data["guild_id"] = str(guild.id)
            member = guild.members.get(author.id)
            if member is not None and msg.webhook_id is None:
                data["member"] = self.member_payload(member, with_user=False)
        for uid in msg.mentions:
            mention = self.user_payload(self.users[uid])
            if guild is not None and uid in guild.members:
                mention["member"] = self.member_payload(guild.members[uid], with_user=False)
            data["mentions"].append(mention)
        if msg.nonce is not None:
            data["nonce"] = msg.nonce
        if msg.webhook_id is not None:
            data["webhook_id"] = str(msg.webhook_id)
        if msg.application_id is not None:
            data["application_id"] = str(msg.application_id)
        if msg.message_reference:
            ref = dict(msg.message_reference)
            ref.setdefault("channel_id", str(msg.channel_id))
            if guild is not None:
                ref.setdefault("guild_id", str(guild.id))
            data["message_reference"] = ref
            if with_reference and ref.get("message_id"):
                target = self.message_index.get(int(ref["message_id"]))
                data["referenced_message"] = (
                    None
                    if target is None or target.deleted
                    else self.message_payload(target, with_reference=False)
                )
        data.update(msg.extra)
        return data

    def application_payload(self: DiscordState) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "description": "fake application",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.user_payload(self.owner_user),
            "verify_key": "0" * 64,
            "team": None,
            "flags": (1 << 13) | (1 << 15) | (1 << 19),
            "summary": "",
            "rpc_origins": [],
            "bot": self.user_payload(self.bot_user),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}, "1": {}},
        }
