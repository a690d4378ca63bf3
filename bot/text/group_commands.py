"""Text commands (Matrix, console) for cohorts, office hours, topic circles, tandems, milestones."""

from __future__ import annotations

from bot.core.errors import InvalidInput
from bot.core.goals import tree_text
from bot.core.group_actions import answer_message, joined_message, rsvp_message, tandem_message
from bot.core.groups import day_text, list_message
from bot.core.i18n import t
from bot.core.officehours import sessions_message
from bot.core.ports import Button, Message
from bot.core.vocab import split_list
from bot.text.parser import Command
from bot.text.router import Incoming, TextRouter, command


def _after(cmd: Command, words: int) -> str:
    """The argument text after the first `words` words, without key=value options."""
    return " ".join(cmd.words[words:]).strip()


def _who(token: str) -> str:
    """A Matrix id keeps its '@'; console names lose it."""
    token = token.strip()
    return token if ":" in token else token.lstrip("@")


def _usage(router: TextRouter, key: str) -> InvalidInput:
    return InvalidInput(key, prefix=router.prefix)


@command("cohort")
async def _cohort(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, opts = router.locale(msg.actor), router.services.cohorts, cmd.options
    what = (cmd.word(0) or "list").lower()
    if what == "create":
        leaders = [(_who(x), "") for x in split_list((opts.get("leaders") or opts.get("leader")
                                                       or "").replace(" ", ","))]  # fmt: skip
        view = await svc.create(
            msg.actor, opts.get("name") or _after(cmd, 1), leaders=leaders,
            capacity=opts.get("capacity"), start=opts.get("start", ""), end=opts.get("end", ""),
            moderator=await router.is_moderator(msg.actor),
        )  # fmt: skip
        return [Message(t(loc, "cohort.created", name=view.name, id=view.id,
                          capacity=view.capacity, start=day_text(loc, view.starts_at, None),
                          end=day_text(loc, view.ends_at, None)))]  # fmt: skip
    if what in ("join", "leave"):
        key = _after(cmd, 1)
        if not key:
            raise _usage(router, "usage.cohort")
        if what == "join":
            return [joined_message(loc, await svc.join(msg.actor, key))]
        view = await svc.leave(msg.actor, key)
        return [Message(t(loc, "cohort.left", name=view.name))]
    if what == "feedback":
        name, rating = cmd.word(1), cmd.word(2) or ""
        if not name or not rating.isdigit():
            raise _usage(router, "usage.cohort")
        key = name
        comment = cmd.text.split(None, 3)[3] if len(cmd.text.split(None, 3)) > 3 else ""
        await svc.feedback(msg.actor, key, int(rating), comment)
        return [Message(t(loc, "cohort.feedback_thanks"))]
    if what != "list":
        raise _usage(router, "usage.cohort")
    views = await svc.list_cohorts(msg.actor)
    buttons = tuple(Button(t(loc, "button.join_cohort_n", id=v.id), f"cohort:join:{v.id}")
                    for v in views if not v.joined)[:5]  # fmt: skip
    hint = [t(loc, "cohort.list_hint", prefix=router.prefix)] if views else []
    return [list_message(loc, "cohort", views, hint, buttons)]


@command("office-hours", "officehours")
async def _office_hours(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, opts = router.locale(msg.actor), router.services.office_hours, cmd.options
    what = (cmd.word(0) or "list").lower()
    if what == "schedule":
        day, at = opts.get("day") or opts.get("weekday"), opts.get("time")
        zone = opts.get("tz") or opts.get("timezone")
        if not day or not at or not zone:
            raise _usage(router, "usage.office_hours")
        session = await svc.schedule(
            msg.actor, weekday=day, at=at, timezone=zone,
            topic=opts.get("topic") or _after(cmd, 1), duration=opts.get("duration") or 60,
            moderator=await router.is_moderator(msg.actor),
        )  # fmt: skip
        return [Message(t(loc, "oh.scheduled", id=session.id, topic=session.topic,
                          when=day_text(loc, session.starts_at, session.zone)))]  # fmt: skip
    if what == "rsvp":
        key, day = cmd.word(1), (cmd.word(2) or "").replace("-", "")
        if not key:
            raise _usage(router, "usage.office_hours")
        return [rsvp_message(loc, *await svc.rsvp(msg.actor, key, day or None))]
    if what == "cancel":
        key = cmd.word(1)
        if not key:
            raise _usage(router, "usage.office_hours")
        topic = await svc.cancel(msg.actor, key, moderator=await router.is_moderator(msg.actor))
        return [Message(t(loc, "oh.cancelled_reply", topic=topic))]
    if what != "list":
        raise _usage(router, "usage.office_hours")
    sessions, zone = await svc.upcoming(msg.actor)
    return [sessions_message(loc, sessions, zone)]


@command("circle")
async def _circle(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, opts = router.locale(msg.actor), router.services.groups, cmd.options
    what = (cmd.word(0) or "list").lower()
    if what == "create":
        joined = await svc.create_circle(msg.actor, opts.get("name") or _after(cmd, 1),
                                         opts.get("topic", ""))  # fmt: skip
        return [Message(t(loc, "circle.created", name=joined.group.name, id=joined.group.id,
                          space=joined.space_link or "—"))]  # fmt: skip
    if what in ("join", "leave"):
        key = _after(cmd, 1)
        if not key:
            raise _usage(router, "usage.circle")
        if what == "join":
            return [joined_message(loc, await svc.join_circle(msg.actor, key))]
        view = await svc.leave_circle(msg.actor, key)
        return [Message(t(loc, "circle.left", name=view.name))]
    if what != "list":
        raise _usage(router, "usage.circle")
    views = await svc.list_circles(msg.actor)
    hint = [t(loc, "circle.list_hint", prefix=router.prefix)] if views else []
    return [list_message(loc, "circle", views, hint)]


@command("tandem")
async def _tandem(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, opts = router.locale(msg.actor), router.services.tandem, cmd.options
    what = (cmd.word(0) or "").lower()
    if what in ("confirm", "decline"):
        word = (cmd.word(1) or "").lstrip("#")
        if word and not word.isdigit():
            raise _usage(router, "tandem.usage")
        intro = int(word) if word else None
        answer = await (svc.confirm if what == "confirm" else svc.decline)(msg.actor, intro)
        return [answer_message(loc, answer)]
    offers = opts.get("offer") or opts.get("offers")
    seeks = opts.get("seek") or opts.get("seeks")
    if offers is None and seeks is None and not what:
        return [tandem_message(loc, await svc.status(msg.actor), router.prefix)]
    if not offers or not seeks:
        raise _usage(router, "tandem.usage")
    return [tandem_message(loc, await svc.register(msg.actor, offers, seeks), router.prefix)]


@command("milestone", "milestones")
async def _milestone(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, room = router.locale(msg.actor), router.services.goals, msg.room
    what = (cmd.word(0) or "list").lower()
    if what == "add":
        goal = cmd.word(1) or ""
        if not goal.isdigit():
            raise _usage(router, "usage.milestone")
        number = await svc.add_milestone(msg.actor, int(goal), _after(cmd, 2), space_ref=room)
        return [Message(t(loc, "milestone.added", number=number))]
    if what in ("done", "complete"):
        number = cmd.word(1) or ""
        await svc.complete_milestone(msg.actor, number, space_ref=room)
        return [Message("✅")]
    if what != "list":
        raise _usage(router, "usage.milestone")
    return [Message(tree_text(loc, await svc.tree(msg.actor, space_ref=room)))]
