"""In-memory Discord state plus the JSON payload renderers (API v10 shapes)."""

from __future__ import annotations

import re
from typing import Any

from .models import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    LOADING,
    MENTION_EVERYONE,
    TEXT,
    Attachment,
    Channel,
    CommandRecord,
    Guild,
    Member,
    Message,
    Role,
    Snowflakes,
    User,
    iso,
)
from .payloads import PayloadMixin

# A backslash escapes a mention (`\<@1>` shows the raw text and notifies nobody); an even
# run of backslashes escapes itself.
_UNESCAPED = r"(?<!\\)(?:\\\\)*"
_USER_MENTION = re.compile(_UNESCAPED + r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(_UNESCAPED + r"<@&(\d+)>")
_EVERYONE = re.compile(_UNESCAPED + r"@(?:everyone|here)")
_PARSE_TYPES = frozenset({"users", "roles", "everyone"})


class ApiError(Exception):
    """Raised by handlers; rendered as a Discord JSON error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code}


def _normalize_ref(ref: dict[str, Any] | None) -> dict[str, Any] | None:
    if not ref:
        return None
    return {k: str(v) if k.endswith("_id") and v is not None else v for k, v in ref.items()}


def check_allowed_mentions(allowed: Any) -> dict[str, Any] | None:
    """A request's `allowed_mentions`, refused the way Discord refuses a bad one."""
    if allowed is None:
        return None
    if not isinstance(allowed, dict):
        raise ApiError(400, 50035, "Invalid Form Body (allowed_mentions must be an object)")
    parse = allowed.get("parse") or []
    if set(parse) - _PARSE_TYPES:
        raise ApiError(400, 50035, f"Invalid Form Body (allowed_mentions.parse: {parse})")
    for kind in ("users", "roles"):
        ids = allowed.get(kind) or []
        if kind in parse and ids:
            raise ApiError(400, 50035, f"Invalid Form Body (allowed_mentions: parse {kind!r} "
                           f"and {kind} are mutually exclusive)")  # fmt: skip
        if len(ids) > 100:
            raise ApiError(400, 50035, f"Invalid Form Body (allowed_mentions.{kind}: > 100)")
    return dict(allowed)


def unknown(what: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


class DiscordState(PayloadMixin):
    """All stateful Discord objects, keyed by snowflake."""

    def __init__(self, *, bot_name: str = "MentorBot", application_id: int | None = None) -> None:
        self.snowflakes = Snowflakes()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.channel_messages: dict[int, list[Message]] = {}
        self.message_index: dict[int, Message] = {}
        self.dm_channel_ids: dict[int, int] = {}  # user id -> DM channel id
        self.global_commands: dict[int, CommandRecord] = {}
        self.guild_commands: dict[int, dict[int, CommandRecord]] = {}
        self.public_base = "http://127.0.0.1"  # replaced by the server on start
        self.bot_user = self.create_user(bot_name, bot=True)
        self.application_id = application_id or self.bot_user.id
        self.owner_user = self.create_user("app-owner")

    def new_id(self) -> int:
        return self.snowflakes.next()

    # ------------------------------------------------------------------ lookups
    def get_user(self, user_id: int | str) -> User:
        try:
            return self.users[int(user_id)]
        except (KeyError, ValueError):
            raise unknown("User", 10013) from None

    def get_guild(self, guild_id: int | str) -> Guild:
        try:
            return self.guilds[int(guild_id)]
        except (KeyError, ValueError):
            raise unknown("Guild", 10004) from None

    def get_channel(self, channel_id: int | str) -> Channel:
        try:
            ch = self.channels[int(channel_id)]
        except (KeyError, ValueError):
            raise unknown("Channel", 10003) from None
        if ch.deleted:
            raise unknown("Channel", 10003)
        return ch

    def get_member(self, guild_id: int | str, user_id: int | str) -> Member:
        guild = self.get_guild(guild_id)
        try:
            return guild.members[int(user_id)]
        except (KeyError, ValueError):
            raise unknown("Member", 10007) from None

    def get_role(self, guild_id: int | str, role_id: int | str) -> Role:
        guild = self.get_guild(guild_id)
        try:
            return guild.roles[int(role_id)]
        except (KeyError, ValueError):
            raise unknown("Role", 10011) from None

    def get_message(self, channel_id: int | str, message_id: int | str) -> Message:
        try:
            msg = self.message_index[int(message_id)]
        except (KeyError, ValueError):
            raise unknown("Message", 10008) from None
        if msg.deleted or msg.channel_id != int(channel_id):
            raise unknown("Message", 10008)
        return msg

    def messages_in(self, channel_id: int) -> list[Message]:
        return [m for m in self.channel_messages.get(int(channel_id), []) if not m.deleted]

    # ----------------------------------------------------------------- creation
    def create_user(
        self,
        username: str,
        *,
        user_id: int | None = None,
        bot: bool = False,
        global_name: str | None = None,
        dm_closed: bool = False,
    ) -> User:
        uid = int(user_id) if user_id is not None else self.new_id()
        user = self.users.get(uid)
        if user is None:
            user = self.users[uid] = User(uid, username, global_name, bot, dm_closed)
        else:
            user.username, user.bot, user.dm_closed = username, bot, dm_closed
            user.global_name = global_name if global_name is not None else user.global_name
        return user

    def create_guild(
        self,
        name: str,
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        locale: str = "en-US",
    ) -> Guild:
        gid = int(guild_id) if guild_id is not None else self.new_id()
        owner = self.get_user(owner_id) if owner_id else self.create_user(f"{name}-owner")
        guild = Guild(gid, name, owner.id, preferred_locale=locale)
        guild.roles[gid] = Role(gid, gid, "@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
        self.guilds[gid] = guild
        guild.members[owner.id] = Member(gid, owner)
        guild.members[self.bot_user.id] = Member(gid, self.bot_user)
        return guild

    def create_role(
        self,
        guild_id: int,
        name: str,
        *,
        role_id: int | None = None,
        permissions: int = 0,
        mentionable: bool = False,
    ) -> Role:
        guild = self.get_guild(guild_id)
        rid = int(role_id) if role_id is not None else self.new_id()
        role = Role(rid, guild.id, name, permissions=int(permissions), position=len(guild.roles),
                    mentionable=mentionable)  # fmt: skip
        guild.roles[rid] = role
        return role

    def create_channel(
        self,
        guild_id: int | None,
        name: str | None,
        *,
        type: int = TEXT,
        channel_id: int | None = None,
        **fields: Any,
    ) -> Channel:
        cid = int(channel_id) if channel_id is not None else self.new_id()
        ch = Channel(cid, type, name, guild_id, **fields)
        self.channels[cid] = ch
        self.channel_messages.setdefault(cid, [])
        if guild_id is not None and not ch.is_thread:
            guild = self.get_guild(guild_id)
            ch.position = ch.position or len(guild.channel_ids)
            guild.channel_ids.append(cid)
        return ch

    def dm_channel_for(self, user_id: int) -> Channel:
        user = self.get_user(user_id)
        cid = self.dm_channel_ids.get(user.id)
        if cid is None:
            ch = self.create_channel(None, None, type=DM, recipient_ids=[user.id])
            self.dm_channel_ids[user.id] = cid = ch.id
        return self.channels[cid]

    def create_message(
        self,
        channel: Channel,
        author_id: int,
        body: dict[str, Any],
        files: list[Attachment] | None = None,
        **extra: Any,
    ) -> Message:
        content = body.get("content") or ""
        allowed = check_allowed_mentions(body.get("allowed_mentions"))
        msg = Message(
            id=self.new_id(),
            channel_id=channel.id,
            author_id=author_id,
            content=content,
            guild_id=channel.guild_id,
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            attachments=list(files or []),
            flags=int(body.get("flags") or 0),
            tts=bool(body.get("tts")),
            nonce=body.get("nonce"),
            message_reference=_normalize_ref(body.get("message_reference")),
            allowed_mentions=allowed,
            **extra,
        )
        self._scan_mentions(msg)
        self._pings(msg)
        if msg.message_reference and msg.type == 0:
            msg.type = 19  # REPLY
        self.channel_messages.setdefault(channel.id, []).append(msg)
        self.message_index[msg.id] = msg
        if not msg.ephemeral:
            channel.last_message_id = msg.id
            if channel.is_thread:
                channel.message_count += 1
                channel.total_message_sent += 1
        return msg

    def _scan_mentions(self, msg: Message) -> None:
        msg.mentions = [int(u) for u in _USER_MENTION.findall(msg.content) if int(u) in self.users]
        msg.mention_roles = [int(r) for r in _ROLE_MENTION.findall(msg.content)]
        msg.mention_everyone = _EVERYONE.search(msg.content) is not None

    def _pings(self, msg: Message) -> None:
        """Who Discord notifies: the content's mentions that `allowed_mentions` lets through.

        Without `allowed_mentions` Discord parses the content: every user mention pings, a
        role only if it is mentionable (or the author may mention everyone), @everyone/@here
        only with that permission; a reply pings the replied-to author unless
        `replied_user` is false. Ephemeral messages are counted as if they notified
        (stricter than Discord, so a test never misses a ping).
        """
        allowed = msg.allowed_mentions
        if allowed is None:
            parse, users, roles = set(_PARSE_TYPES), set(), set()
            replied = True
        else:
            parse = set(allowed.get("parse") or ())
            users = {int(u) for u in allowed.get("users") or ()}
            roles = {int(r) for r in allowed.get("roles") or ()}
            replied = bool(allowed.get("replied_user"))
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        author = guild.members.get(msg.author_id) if guild else None
        may_mention_all = bool(
            guild and author and self.member_permissions(guild, author) & MENTION_EVERYONE
        )
        msg.pinged = [u for u in dict.fromkeys(msg.mentions) if "users" in parse or u in users]
        msg.pinged_roles = [
            r
            for r in dict.fromkeys(msg.mention_roles)
            if guild is not None
            and r in guild.roles
            and ("roles" in parse or r in roles)
            and (guild.roles[r].mentionable or may_mention_all)
        ]
        msg.pinged_everyone = msg.mention_everyone and "everyone" in parse and may_mention_all
        ref = msg.message_reference or {}
        target = self.message_index.get(int(ref.get("message_id") or 0))
        if replied and target is not None and target.author_id not in msg.pinged:
            msg.pinged.append(target.author_id)

    def edit_message(self, msg: Message, body: dict[str, Any], files: list[Attachment]) -> None:
        loading = bool(msg.flags & LOADING)
        if loading:  # a deferred answer gets its content now: it notifies like a new message
            msg.allowed_mentions = check_allowed_mentions(body.get("allowed_mentions"))
        for key in ("content", "embeds", "components"):
            if key in body and body[key] is not None:
                setattr(msg, key, body[key] if key != "content" else str(body[key]))
            elif key in body:  # explicit null clears
                setattr(msg, key, "" if key == "content" else [])
        if "flags" in body and body["flags"] is not None:
            msg.flags = (msg.flags & 64) | int(body["flags"])
        if "attachments" in body:
            keep = {int(a["id"]) for a in body["attachments"] or [] if int(a["id"]) > 1 << 22}
            msg.attachments = [a for a in msg.attachments if a.id in keep] + files
        elif files:
            msg.attachments.extend(files)
        msg.flags &= ~(1 << 7)  # no longer loading
        msg.edited_timestamp = iso()
        msg.edits += 1
        self._scan_mentions(msg)
        if loading:
            self._pings(msg)

    # ------------------------------------------------------------- permissions
    def member_permissions(self, guild: Guild, member: Member) -> int:
        if member.user.id == guild.owner_id:
            return ALL_PERMISSIONS
        perms = guild.roles[guild.id].permissions
        for rid in member.roles:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms
