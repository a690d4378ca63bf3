"""Button and reaction actions ('offer:accept:42'), shared by every front-end."""

from __future__ import annotations

from bot.core.context import Actor
from bot.core.errors import InvalidInput
from bot.core.group_actions import PREFIXES as GROUP_PREFIXES
from bot.core.group_actions import run_group_action
from bot.core.i18n import t
from bot.core.ports import Message
from bot.core.services import Services


def _id(text: str) -> int | None:
    """'' means 'the newest one'; anything else must be a number."""
    if text == "":
        return None
    if not text.isdigit():
        raise InvalidInput("error.unknown_action")
    return int(text)


async def run_action(services: Services, actor: Actor, action: str, locale: str) -> list[Message]:
    """Carry out an action; domain errors propagate for the caller to render."""
    loc = locale
    if action.split(":")[0] in GROUP_PREFIXES:
        handled = await run_group_action(services, actor, action, loc)
        if handled is not None:
            return handled
    match action.split(":"):
        case ["ask", request_id, choice] if request_id.isdigit():
            pick = None if choice == "any" else _id(choice)
            offered = await services.requests.ask(actor, pick, request_id=int(request_id))
            return [Message(t(loc, "ask.sent", mentor=offered.mentor_name))]
        case ["offer", "accept", offer_id]:
            pair_id = await services.requests.accept(actor, _id(offer_id))
            view = await services.pairs.view(pair_id)
            return [Message(t(loc, "offer.accepted_reply", mentee=view.mentee_name))]
        case ["offer", "decline", offer_id]:
            declined = await services.requests.decline(actor, _id(offer_id))
            key = f"offer.declined_{declined.outcome}"
            return [Message(t(loc, key, mentee=declined.mentee_name))]
        case ["pair", "ack", pair_id] if pair_id.isdigit():
            both = await services.safety.acknowledge(actor, int(pair_id))
            key = "pair.ack_both" if both else "pair.ack_thanks"
            return [Message(t(loc, key, name=actor.name))]
        case ["pair", "helpmod", pair_id] if pair_id.isdigit():
            await services.pairs.pair_for(actor, int(pair_id), None)
            return [Message(t(loc, "safety.how_to_ask", pair=pair_id))]
        case ["pair", "rate", pair_id, rating] if pair_id.isdigit() and rating.isdigit():
            await services.pairs.feedback(actor, int(pair_id), int(rating))
            return [Message(t(loc, "pair.feedback_thanks"))]
        case ["checkin", answer, pair_id] if pair_id.isdigit():
            done = await services.checkins.answer(actor, answer, pair_id=int(pair_id))
            return [Message(t(loc, f"checkin.thanks_{done}"))]
        case ["pair", "extend", pair_id] if pair_id.isdigit():
            await services.pairs.extend(actor, int(pair_id))
            return [Message(t(loc, "pair.extended"))]
        case ["pair", "feedback", pair_id] if pair_id.isdigit():
            await services.pairs.pair_for(actor, int(pair_id), None)
            return [Message(t(loc, "pair.feedback_how", id=pair_id))]
        case ["graduate", pair_id] if pair_id.isdigit():
            return [Message(t(loc, "wrapup.graduate_how"))]
        case ["privacy", "delete", "confirm"]:
            await services.privacy.delete(actor)
            return [Message(t(loc, "privacy.deleted"))]
    return [Message(t(loc, "error.unknown_action"))]
