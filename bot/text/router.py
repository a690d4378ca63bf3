"""Routes text commands and button/reaction actions to core services and renders replies."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.actions import run_action
from bot.core.context import Actor
from bot.core.errors import DomainError, InvalidInput
from bot.core.groups import circles_note
from bot.core.i18n import t
from bot.core.ports import Message
from bot.core.requests import Suggestions
from bot.core.services import Services
from bot.text.parser import Command, parse

log = logging.getLogger(__name__)

Handler = Callable[["TextRouter", "Incoming", Command], Awaitable[list[Message]]]
_HANDLERS: dict[str, Handler] = {}
HELP_ORDER = (
    "mentor", "ask", "accept", "decline", "mentor-signup", "mentor-status", "mentor-digest",
    "profile", "checkin", "goals", "end", "feedback", "extend", "thanks", "my-data",
    "cohort", "office-hours", "circle", "tandem", "milestone",
    "help-mod", "mod", "mentoring-setup", "mentoring-report", "help",
)  # fmt: skip


def command(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more command names."""

    def register(fn: Handler) -> Handler:
        for name in names:
            _HANDLERS[name] = fn
        return fn

    return register


@dataclass(frozen=True)
class Incoming:
    """A line someone wrote, and where (a pair space reference, if it was one)."""

    actor: Actor
    text: str
    room: str | None = None


class TextRouter:
    """One router per front-end (Matrix, console)."""

    def __init__(
        self,
        services: Services,
        *,
        prefix: str = "!",
        is_moderator: Callable[[Actor], Awaitable[bool]] | None = None,
    ) -> None:
        self.services = services
        self.prefix = prefix
        self._is_moderator = is_moderator

    def locale(self, actor: Actor) -> str:
        """The language of replies to this actor."""
        return actor.locale or self.services.ctx.locale

    async def handle(self, incoming: Incoming) -> list[Message]:
        """Replies to a line; lines that are not commands get none."""
        cmd = parse(incoming.text.strip(), self.prefix)
        if cmd is None:
            return []
        handler = _HANDLERS.get(cmd.name)
        loc = self.locale(incoming.actor)
        if handler is None:
            return [Message(t(loc, "text.unknown_command", name=cmd.name[:32], prefix=self.prefix))]
        return await self._guard(incoming.actor, handler(self, incoming, cmd))

    async def press(self, actor: Actor, action: str, room: str | None = None) -> list[Message]:
        """A button press or reaction, e.g. 'offer:accept:42' or 'pair:rate:7:5'."""
        return await self._guard(actor, self.run(actor, action))

    async def is_moderator(self, actor: Actor) -> bool:
        """Whether the actor may use moderator commands."""
        return bool(self._is_moderator and await self._is_moderator(actor))

    async def _guard(self, actor: Actor, work: Awaitable[list[Message]]) -> list[Message]:
        loc = self.locale(actor)
        try:
            return await work
        except DomainError as err:
            return [Message(t(loc, err.key, **err.params))]
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("command failed (error id %s)", error_id)
            return [Message(t(loc, "error.unexpected", error_id=error_id))]

    async def run(self, actor: Actor, action: str) -> list[Message]:
        """An action without the error guard (callers inside handlers)."""
        return await run_action(self.services, actor, action, self.locale(actor))

    def render_suggestions(self, loc: str, result: Suggestions) -> Message:
        """Numbered suggestions and how to pick, or the waitlist note."""
        lines = []
        if result.first_contact:
            lines.append(t(loc, "privacy.first_contact", prefix=self.prefix))
        if result.waitlisted:
            lines.append(t(loc, "mentor.waitlisted"))
            if result.circles:
                lines.append(circles_note(loc, result.circles, self.prefix))
            return Message("\n".join(lines))
        lines.append(t(loc, "mentor.suggestions_intro"))
        for s in result.suggestions:
            lines.append(
                t(loc, "mentor.suggestion_line", index=s.index, name=s.name, reasons=s.reasons)
            )
        lines.append(t(loc, "mentor.how_to_pick", prefix=self.prefix))
        return Message("\n".join(lines))


def _need(loc: str, value: str | None, usage_key: str, prefix: str) -> str:
    if not value:
        raise InvalidInput(usage_key, prefix=prefix)
    return value


@command("help")
async def _help(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc = router.locale(msg.actor)
    lines = [t(loc, "help.intro")]
    lines += [t(loc, f"help.{name}", prefix=router.prefix) for name in HELP_ORDER]
    return [Message("\n".join(lines))]


@command("mentor")
async def _mentor(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    topic, _, note = cmd.text.partition("--")
    result = await router.services.requests.request_mentor(msg.actor, topic.strip(), note.strip())
    return [router.render_suggestions(router.locale(msg.actor), result)]


@command("ask")
async def _ask(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc = router.locale(msg.actor)
    choice = _need(loc, cmd.word(0), "usage.ask", router.prefix).lower()
    if choice != "any" and not choice.isdigit():
        raise InvalidInput("usage.ask", prefix=router.prefix)
    offered = await router.services.requests.ask(
        msg.actor, None if choice == "any" else int(choice)
    )
    return [Message(t(loc, "ask.sent", mentor=offered.mentor_name))]


@command("accept", "decline")
async def _answer(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    offer = (cmd.word(0) or "").lstrip("#")
    if offer and not offer.isdigit():
        raise InvalidInput("usage.answer", prefix=router.prefix, name=cmd.name)
    return await router.run(msg.actor, f"offer:{cmd.name}:{offer}")


@command("mentor-signup")
async def _signup(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, opts = router.locale(msg.actor), cmd.options
    skills = _need(loc, opts.get("skills"), "usage.signup", router.prefix)
    result = await router.services.profiles.signup_mentor(
        msg.actor,
        skills=skills,
        languages=opts.get("languages") or opts.get("langs"),
        timezone=opts.get("tz") or opts.get("timezone"),
        capacity=opts.get("capacity"),
    )
    return [Message(result.summary(loc, router.prefix))]


@command("mentor-status")
async def _status(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc = router.locale(msg.actor)
    status = _need(loc, cmd.word(0), "usage.status", router.prefix)
    result = await router.services.profiles.set_status(msg.actor, status, cmd.word(1))
    if result.status == "available":
        return [Message(t(loc, "status.available"))]
    if result.until:
        return [
            Message(
                t(loc, "status.paused_until", until=result.until.strftime("%Y-%m-%d %H:%M UTC"))
            )
        ]
    return [Message(t(loc, "status.paused", prefix=router.prefix))]


@command("mentor-digest")
async def _digest(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    choice = (cmd.word(0) or "").lower()
    if choice not in ("on", "off"):
        raise InvalidInput("usage.digest", prefix=router.prefix)
    await router.services.profiles.set_digest(msg.actor, choice == "on")
    return [Message(t(router.locale(msg.actor), f"digest.{choice}"))]


@command("profile")
async def _profile(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    opts, loc = cmd.options, router.locale(msg.actor)
    if not opts:
        raise InvalidInput("usage.profile", prefix=router.prefix)
    member = await router.services.profiles.update_profile(
        msg.actor,
        timezone=opts.get("tz") or opts.get("timezone"),
        languages=opts.get("languages"),
        interests=opts.get("interests"),
        goals=opts.get("goals"),
        bio=opts.get("bio"),
        locale=opts.get("locale"),
    )
    return [Message(t(member.locale or loc, "profile.saved"))]


@command("end")
async def _end(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    word = cmd.word(0)
    pair_id = int(word) if word and word.isdigit() else None
    pair = await router.services.pairs.pair_for(msg.actor, pair_id, msg.room)
    view = await router.services.pairs.end(msg.actor, pair.id or 0)
    return [
        Message(t(router.locale(msg.actor), "pair.end_reply", id=view.id, prefix=router.prefix))
    ]


@command("checkin")
async def _checkin(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    answer = {"well": "well", "help": "help", "wrap-up": "wrap_up", "wrap_up": "wrap_up"}.get(
        (cmd.word(0) or "").lower()
    )
    pair = cmd.word(1)
    if answer is None or (pair is not None and not pair.isdigit()):
        raise InvalidInput("usage.checkin", prefix=router.prefix)
    done = await router.services.checkins.answer(
        msg.actor, answer, space_ref=msg.room if pair is None else None,
        pair_id=int(pair) if pair else None,
    )  # fmt: skip
    return [Message(t(router.locale(msg.actor), f"checkin.thanks_{done}"))]


@command("goals")
async def _goals(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, what = router.locale(msg.actor), router.services.goals, (cmd.word(0) or "list")
    room = msg.room
    if what == "add":
        title = cmd.text.split(None, 1)[1] if len(cmd.text.split(None, 1)) > 1 else ""
        await svc.add(msg.actor, title, space_ref=room)
        return [Message(t(loc, "goals.added"))]
    if what in ("done", "complete"):
        number = cmd.word(1) or ""
        if not number.isdigit():
            raise InvalidInput("usage.goals", prefix=router.prefix)
        await svc.complete(msg.actor, int(number), space_ref=room)
        return [Message("✅")]
    if what != "list":
        raise InvalidInput("usage.goals", prefix=router.prefix)
    goals = await svc.list(msg.actor, space_ref=room)
    if not goals:
        return [Message(t(loc, "goals.list_empty"))]
    lines = [t(loc, "goals.list_title")]
    lines += [f"{i}. {'✅' if g.done else '⬜'} {g.title}" for i, g in enumerate(goals, 1)]
    return [Message("\n".join(lines))]


@command("extend")
async def _extend(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    word = cmd.word(0)
    if word is not None and not word.isdigit():
        raise InvalidInput("usage.extend", prefix=router.prefix)
    pair = await router.services.pairs.pair_for(msg.actor, int(word) if word else None, msg.room)
    return await router.run(msg.actor, f"pair:extend:{pair.id}")


@command("feedback")
async def _feedback(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    words = cmd.words
    if len(words) < 2 or not words[0].isdigit() or not words[1].isdigit():
        raise InvalidInput("usage.feedback", prefix=router.prefix)
    comment = cmd.text.split(None, 2)[2] if len(cmd.text.split(None, 2)) > 2 else ""
    await router.services.pairs.feedback(msg.actor, int(words[0]), int(words[1]), comment)
    return [Message(t(router.locale(msg.actor), "pair.feedback_thanks"))]


@command("thanks")
async def _thanks(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc = router.locale(msg.actor)
    target = _need(loc, cmd.word(0), "usage.thanks", router.prefix)
    message = cmd.text.split(None, 1)[1] if len(cmd.text.split(None, 1)) > 1 else ""
    # Matrix ids keep their '@' (@user:server); console/Discord-style names lose it.
    target = target if ":" in target else target.lstrip("@")
    done = await router.services.recognition.thank(msg.actor, target, message)
    return [Message(t(loc, "thanks.reply", name=done.to_name))]


# Commands for data rights, safety and moderators live in their own module; importing it
# registers them (it needs `command` above).
from bot.text import admin_commands, group_commands  # noqa: E402, F401
