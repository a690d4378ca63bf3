"""Timeline events -> core: commands, reactions on choices, joins and leaves, encryption."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from nio import MegolmEvent, RoomGetEventResponse

from bot.config import MatrixSection
from bot.core.context import Actor
from bot.core.greeting import GreetingBatcher
from bot.core.i18n import t
from bot.core.ports import Message
from bot.core.services import Services
from bot.platforms.matrix.client import MatrixClient
from bot.platforms.matrix.invites import Membership, configured_rooms
from bot.platforms.matrix.platform import MatrixPlatform
from bot.platforms.matrix.render import ACTIONS_KEY, AUDIENCE_KEY, action_for
from bot.platforms.matrix.state import StateStore
from bot.text.router import Incoming, TextRouter

log = logging.getLogger(__name__)

MAX_AGE_MS = 3_600_000  # commands older than an hour (bot was down) are not run
MAX_BODY = 8000
_TOKEN = re.compile(r"[-_.=/+]")

Job = tuple[str, Callable[[], Awaitable[None]]]


def is_bot_like(user_id: str) -> bool:
    """Bridges' puppets (@_name) and accounts named like bots (@mentorbot, @otherbot-1)."""
    local = user_id[1:].split(":", 1)[0].lower()
    return local.startswith("_") or any(p.endswith("bot") for p in _TOKEN.split(local) if p)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class EventHandler:
    """Turns one room's timeline into jobs; the front-end runs them in order per sender."""

    def __init__(
        self,
        *,
        client: MatrixClient,
        settings: MatrixSection,
        state: StateStore,
        platform: MatrixPlatform,
        services: Services,
        router: TextRouter,
        greeter: GreetingBatcher,
        membership: Membership,
    ) -> None:
        self.client = client
        self.settings = settings
        self.state = state
        self.platform = platform
        self.services = services
        self.router = router
        self.greeter = greeter
        self.membership = membership
        self.rooms = configured_rooms(settings)
        self.prefix = settings.command_prefix
        self._warned_e2e = False

    # ----- sorting events into jobs -------------------------------------------------------
    def jobs(self, room_id: str, events: list[Any], now_ms: int | None = None) -> list[Job]:
        """What to do about a room's new events (skipping the bot's own and stale ones)."""
        now_ms = now_ms or int(time.time() * 1000)
        me, out = self.client.user_id, list[Job]()
        room = self.client.nio.rooms.get(room_id)
        if not self.client.e2e and room is not None and room.encrypted:
            out.append((room_id, partial(self.tell_cannot_decrypt, room_id)))
        for event in events:
            try:
                job = self._job(room_id, event, me, now_ms)
            except Exception:
                log.exception("skipping an event in %s that could not be read", room_id)
                continue
            if job is not None:
                out.append(job)
        return out

    def _job(self, room_id: str, event: Any, me: str, now_ms: int) -> Job | None:
        src = getattr(event, "source", None)
        if not isinstance(src, dict):
            return None
        kind, sender = src.get("type"), src.get("sender")
        if not isinstance(sender, str) or not isinstance(kind, str):
            return None
        if kind == "m.room.member":
            user = src.get("state_key")
            if user == me or not isinstance(user, str):
                return None
            return user, partial(self.on_member, room_id, src, now_ms)
        ts = src.get("origin_server_ts")
        if sender == me or (isinstance(ts, int) and now_ms - ts > MAX_AGE_MS):
            return None
        if isinstance(event, MegolmEvent):
            return room_id, partial(self.on_undecryptable, room_id, event)
        if kind == "m.reaction":
            return sender, partial(self.on_reaction, room_id, src)
        if kind == "m.room.message" and room_id in self.rooms:
            # Counted for retention figures: who posted on which day, never what.
            at = datetime.fromtimestamp(ts / 1000, UTC) if isinstance(ts, int) else None
            self.services.activity.saw("matrix", room_id, sender, at=at)
        if kind == "m.room.message" and self._is_command(src):
            return sender, partial(self.on_command, room_id, src)
        return None

    def _is_command(self, src: dict[str, Any]) -> bool:
        content = src.get("content")
        if not isinstance(content, dict) or content.get("msgtype") not in ("m.text", None):
            return False  # notices are other bots talking; never answer them
        relates = content.get("m.relates_to")
        if isinstance(relates, dict) and relates.get("rel_type") == "m.replace":
            return False  # an edit; the original was handled
        body = content.get("body")
        return isinstance(body, str) and body.lstrip().startswith(self.prefix)

    # ----- where and who ------------------------------------------------------------------
    async def community_of(self, room_id: str, sender: str) -> str | None:
        """The community a room belongs to; for an unknown DM, the sender's community."""
        if room_id in self.rooms:
            return self.rooms[room_id]
        known = self.state.data.room_community.get(room_id)
        if known:
            return known
        from_db = await self._pair_community(room_id)
        if from_db:
            self.state.remember_pair_room(room_id, from_db)
            return from_db
        room = self.client.nio.rooms.get(room_id)
        small = room is not None and (room.joined_count or 0) <= 2
        if self.state.is_dm(room_id) or small:
            community = await self.membership.community_of_user(sender)
            if community:
                self.state.remember_dm(sender, room_id, community)
            return community
        return None

    async def _pair_community(self, room_id: str) -> str | None:
        """A pair room the state file forgot: the database knows whose it is."""
        return await self.services.community.of_space("matrix", room_id)

    async def actor(self, room_id: str, community: str, user_id: str) -> Actor:
        name = await self.client.display_name(user_id, room_id)
        return Actor("matrix", community, user_id, name)

    async def reply(
        self,
        room_id: str,
        community: str,
        sender: str,
        replies: list[Message],
        to: str | None,
        *,
        thread: str | None = None,
    ) -> None:
        """Answer in the room (and thread) of the command, as a reply that notifies the sender."""
        for message in replies:
            try:
                await self.platform.send(room_id, message, community, audience=[sender],
                                         notify=[sender], reply_to=to, thread=thread)  # fmt: skip
            except Exception:
                log.exception("could not reply in %s", room_id)

    # ----- commands and reactions ---------------------------------------------------------
    async def on_command(self, room_id: str, src: dict[str, Any]) -> None:
        sender, body = src["sender"], str(src["content"]["body"]).strip()[:MAX_BODY]
        community = await self.community_of(room_id, sender)
        if community is None:
            return
        actor = await self.actor(room_id, community, sender)
        replies = await self.router.handle(Incoming(actor, body, room=room_id))
        relates = _dict(src["content"].get("m.relates_to"))
        thread = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
        await self.reply(room_id, community, sender, replies, src.get("event_id"),
                         thread=thread if isinstance(thread, str) else None)  # fmt: skip

    async def on_reaction(self, room_id: str, src: dict[str, Any]) -> None:
        relates = _dict(src.get("content")).get("m.relates_to")
        if not isinstance(relates, dict) or relates.get("rel_type") != "m.annotation":
            return
        target, key, sender = relates.get("event_id"), relates.get("key"), src["sender"]
        if not isinstance(target, str) or not isinstance(key, str):
            return
        known = await self.choices_of(room_id, target)
        if known is None:
            return
        actions, audience = known
        if audience and sender not in audience:
            log.info("ignoring %s's reaction on a choice meant for %s", sender, audience)
            return
        action = action_for(actions, key)
        community = await self.community_of(room_id, sender) if action else None
        if action is None or community is None:
            return
        actor = await self.actor(room_id, community, sender)
        replies = await self.router.press(actor, action, room_id)
        await self.reply(room_id, community, sender, replies, target)

    async def choices_of(
        self, room_id: str, event_id: str
    ) -> tuple[dict[str, str], list[str]] | None:
        """The action map of a message the bot sent (remembered, or read back from the room)."""
        if event_id in self.platform.actions:
            return self.platform.actions[event_id]
        resp = await self.client.nio.room_get_event(room_id, event_id)
        if not isinstance(resp, RoomGetEventResponse):
            return None
        event: Any = resp.event
        if isinstance(event, MegolmEvent) and self.client.e2e:
            try:
                event = self.client.nio.decrypt_event(event)
            except Exception:
                return None
        src = _dict(getattr(event, "source", None))
        content = _dict(src.get("content"))
        actions, audience = content.get(ACTIONS_KEY), content.get(AUDIENCE_KEY) or []
        if src.get("sender") != self.client.user_id or not isinstance(actions, dict):
            return None
        clean = {str(k): str(v) for k, v in actions.items() if isinstance(v, str)}
        return clean, [u for u in audience if isinstance(u, str)]

    # ----- membership ---------------------------------------------------------------------
    async def on_member(self, room_id: str, src: dict[str, Any], now_ms: int) -> None:
        content = _dict(src.get("content"))
        prev = _dict(_dict(src.get("unsigned")).get("prev_content"))
        now, before = content.get("membership"), prev.get("membership")
        user = src["state_key"]
        if room_id in self.settings.rooms:
            name = content.get("displayname") if isinstance(content.get("displayname"), str) else ""
            actor = Actor("matrix", room_id, user, name or user[1:].split(":", 1)[0])
            if now == "join" and before != "join":
                ts = src.get("origin_server_ts")
                fresh = not isinstance(ts, int) or now_ms - ts <= MAX_AGE_MS
                await self.on_join(actor, greet=fresh)
            elif now in ("leave", "ban") and before == "join":
                self.membership.forget(user)
                await self.services.profiles.member_left(actor)
        elif now in ("leave", "ban") and self.state.dm_user(room_id) == user:
            log.info("%s left their direct room %s; leaving it too", user, room_id)
            self.platform.forget_dm(room_id)
            await self.client.leave(room_id)

    async def on_join(self, actor: Actor, *, greet: bool) -> None:
        """Record the join; greet people, not bots, and not a quick rejoin."""
        bot = is_bot_like(actor.user_id)
        welcome = await self.services.profiles.member_joined(actor, is_bot=bot)
        if greet and welcome and not bot:
            self.greeter.joined(actor.community, actor.user_id)

    # ----- encryption ---------------------------------------------------------------------
    async def on_undecryptable(self, room_id: str, event: MegolmEvent) -> None:
        if not self.client.e2e:
            await self.tell_cannot_decrypt(room_id)
            return
        log.info("could not decrypt %s in %s yet; asking for the key", event.event_id, room_id)
        try:
            await self.client.nio.request_room_key(event)
        except Exception:
            log.debug("room key already requested", exc_info=True)

    async def tell_cannot_decrypt(self, room_id: str) -> None:
        """Once per room: say clearly that this installation cannot read encrypted messages."""
        if not self._warned_e2e:
            self._warned_e2e = True
            log.warning("an encrypted room (%s) needs the e2e extra: pip install "
                        "'mentorbot[e2e]' and keep matrix.store_path", room_id)  # fmt: skip
        if not self.state.mark_told_encrypted(room_id):
            return
        community = self.state.data.room_community.get(room_id) or self.rooms.get(room_id)
        locale = await self.platform.locale_of(community) if community else self.platform.locale
        text = t(locale, "matrix.cannot_decrypt", prefix=self.prefix)
        try:
            await self.platform.send(room_id, Message(text), community)
        except Exception:
            log.exception("could not tell %s about encryption", room_id)
