"""Buttons and reactions of cohorts, circles, office hours and tandems, and their replies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.context import Actor
from bot.core.groups import Joined, day_text, when_text
from bot.core.i18n import t
from bot.core.officehours import Session
from bot.core.ports import Message
from bot.core.tandem import Answer, TandemResult

if TYPE_CHECKING:
    from bot.core.services import Services

PREFIXES = ("cohort", "circle", "oh", "tandem")


def joined_message(locale: str, joined: Joined) -> Message:
    """'You joined …' with the group's space, or when it opens."""
    view = joined.group
    if view.kind == "circle":
        key = "circle.joined" if joined.space_link else "circle.joined_nospace"
        return Message(t(locale, key, name=view.name, space=joined.space_link))
    if joined.space_link:
        return Message(t(locale, "cohort.joined_space", name=view.name, space=joined.space_link))
    return Message(t(locale, "cohort.joined", name=view.name, members=view.members,
                     capacity=view.capacity or "∞",
                     start=day_text(locale, view.starts_at, None)))  # fmt: skip


def rsvp_message(locale: str, session: Session, new: bool, zone: str | None) -> Message:
    """The RSVP confirmation, with the time in the member's own zone when known."""
    when = when_text(locale, session.starts_at, zone or session.zone)
    return Message(t(locale, "oh.rsvp_done" if new else "oh.rsvp_again", topic=session.topic,
                     when=when))  # fmt: skip


def answer_message(locale: str, answer: Answer) -> Message:
    """After Confirm or Decline on a tandem introduction."""
    key = {"started": "tandem.started", "waiting": "tandem.confirmed_waiting"}.get(
        answer.outcome, "tandem.declined"
    )
    return Message(t(locale, key, partner=answer.partner, space=answer.space_link))


def tandem_message(locale: str, result: TandemResult, prefix: str) -> Message:
    """What `/tandem` or `!tandem` found."""
    offers, seeks = ", ".join(result.offers), ", ".join(result.seeks)
    key = {"introduced": "tandem.introduced", "pending": "tandem.status_pending",
           "paired": "tandem.status_paired", "none": "tandem.usage"}.get(
        result.status, "tandem.waiting")  # fmt: skip
    return Message(t(locale, key, partner=result.partner, offers=offers, seeks=seeks,
                     prefix=prefix))  # fmt: skip


async def run_group_action(services: Services, actor: Actor, action: str, loc: str
                           ) -> list[Message] | None:  # fmt: skip
    """Carry out a group or tandem action; None when the action is not one of these."""
    match action.split(":"):
        case ["cohort", "join", gid] if gid.isdigit():
            return [joined_message(loc, await services.cohorts.join(actor, int(gid)))]
        case ["cohort", "rate", gid, rating] if gid.isdigit() and rating.isdigit():
            await services.cohorts.feedback(actor, int(gid), int(rating))
            return [Message(t(loc, "cohort.feedback_thanks"))]
        case ["circle", "join", gid] if gid.isdigit():
            return [joined_message(loc, await services.groups.join_circle(actor, int(gid)))]
        case ["oh", "rsvp", gid, *day] if gid.isdigit() and len(day) <= 1:
            found = await services.office_hours.rsvp(actor, int(gid), day[0] if day else None)
            return [rsvp_message(loc, *found)]
        case ["tandem", intro, ("confirm" | "decline") as verb] if intro.isdigit():
            svc = services.tandem
            answer = await (svc.confirm if verb == "confirm" else svc.decline)(actor, int(intro))
            return [answer_message(loc, answer)]
    return None
