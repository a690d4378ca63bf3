"""!mentor, !ask, !accept, !decline: finding a mentor and answering offers."""

from __future__ import annotations

from bot.core.errors import InvalidInput
from bot.core.groups.circles import circles_note
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.core.requests import OFFER_ACCEPT, OFFER_DECLINE, Suggestions
from bot.text.base import Handler, Incoming, TextContext, is_id, numeric
from bot.text.parser import Command


def render_suggestions(loc: str, result: Suggestions, prefix: str) -> Message:
    """Numbered suggestions and how to pick, or the waitlist note."""
    lines = []
    if result.first_contact:
        lines.append(t(loc, "privacy.first_contact", prefix=prefix))
    if result.waitlisted:
        lines.append(t(loc, "mentor.waitlisted"))
        if result.circles:
            lines.append(circles_note(loc, result.circles, prefix))
        return Message("\n".join(lines))
    lines.append(t(loc, "mentor.suggestions_intro"))
    for s in result.suggestions:
        lines.append(t(loc, "mentor.suggestion_line", index=s.index, name=user(s.name),
                       reasons=user(s.reasons)))  # fmt: skip
    lines.append(t(loc, "mentor.how_to_pick", prefix=prefix))
    return Message("\n".join(lines))


async def _mentor(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    topic, _, note = cmd.text.partition("--")
    result = await ctx.services.requests.request_mentor(msg.actor, topic.strip(), note.strip())
    return [render_suggestions(ctx.locale(msg.actor), result, ctx.prefix)]


async def _ask(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc = ctx.locale(msg.actor)
    choice = ctx.need(cmd.word(0), "usage.ask").lower()
    if choice != "any" and numeric(choice, "suggestion") is None:
        raise ctx.usage("usage.ask")
    offered = await ctx.services.requests.ask(msg.actor, None if choice == "any" else int(choice))
    return [Message(t(loc, "ask.sent", mentor=user(offered.mentor_name)))]


async def _answer(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    offer = (cmd.word(0) or "").lstrip("#")
    if offer and not is_id(offer):
        raise InvalidInput("usage.answer", prefix=ctx.prefix, name=cmd.name)
    action = OFFER_ACCEPT if cmd.name == "accept" else OFFER_DECLINE
    return await ctx.run(msg.actor, action.id(offer=offer or None))


COMMANDS: dict[str, Handler] = {
    "mentor": _mentor,
    "ask": _ask,
    "accept": _answer,
    "decline": _answer,
}
