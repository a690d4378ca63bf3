"""!office-hours schedule|rsvp|cancel|list: a mentor's weekly sessions."""

from __future__ import annotations

from bot.core.groups.office_hours import rsvp_message, sessions_message
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.core.times import day_text
from bot.text.base import Handler, Incoming, TextContext, after
from bot.text.parser import Command


async def _office_hours(ctx: TextContext, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, opts = ctx.locale(msg.actor), ctx.services.office_hours, cmd.options
    what = (cmd.word(0) or "list").lower()
    if what == "schedule":
        day, at = opts.get("day") or opts.get("weekday"), opts.get("time")
        zone = opts.get("tz") or opts.get("timezone")
        if not day or not at or not zone:
            raise ctx.usage("usage.office_hours")
        session = await svc.schedule(
            msg.actor, weekday=day, at=at, timezone=zone,
            topic=opts.get("topic") or after(cmd, 1), duration=opts.get("duration") or 60,
            moderator=await ctx.is_moderator(msg.actor),
        )  # fmt: skip
        return [Message(t(loc, "oh.scheduled", id=session.id, topic=user(session.topic),
                          when=day_text(loc, session.starts_at, session.zone)))]  # fmt: skip
    if what == "rsvp":
        key, day = cmd.word(1), (cmd.word(2) or "").replace("-", "")
        if not key:
            raise ctx.usage("usage.office_hours")
        return [rsvp_message(loc, *await svc.rsvp(msg.actor, key, day or None))]
    if what == "cancel":
        key = cmd.word(1)
        if not key:
            raise ctx.usage("usage.office_hours")
        topic = await svc.cancel(msg.actor, key, moderator=await ctx.is_moderator(msg.actor))
        return [Message(t(loc, "oh.cancelled_reply", topic=user(topic)))]
    if what != "list":
        raise ctx.usage("usage.office_hours")
    sessions, zone = await svc.upcoming(msg.actor)
    return [sessions_message(loc, sessions, zone)]


COMMANDS: dict[str, Handler] = {"office-hours": _office_hours, "officehours": _office_hours}
