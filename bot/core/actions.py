"""Every button and reaction action, listed explicitly; the one place ids are dispatched."""

from __future__ import annotations

from bot.core.action import Action, Args
from bot.core.checkins import CHECKIN_ANSWER
from bot.core.context import Actor
from bot.core.groups.circles import CIRCLE_JOIN
from bot.core.groups.cohorts import COHORT_JOIN, COHORT_RATE
from bot.core.groups.office_hours import OH_RSVP, OH_RSVP_DAY
from bot.core.i18n import t
from bot.core.pairs import GRADUATE, PAIR_EXTEND, PAIR_FEEDBACK, PAIR_RATE
from bot.core.ports import Message
from bot.core.privacy import PRIVACY_DELETE
from bot.core.requests import ASK, ASK_ANY, OFFER_ACCEPT, OFFER_DECLINE
from bot.core.safety import PAIR_ACK, PAIR_HELPMOD
from bot.core.services import Services
from bot.core.tandem import TANDEM_CONFIRM, TANDEM_DECLINE

# Every action the bot knows, feature by feature (declared beside each feature's service).
ACTIONS: tuple[Action, ...] = (
    PAIR_ACK,
    PAIR_HELPMOD,
    PAIR_RATE,
    PAIR_EXTEND,
    PAIR_FEEDBACK,
    GRADUATE,  # pairs, safety
    CHECKIN_ANSWER,
    ASK,
    ASK_ANY,
    OFFER_ACCEPT,
    OFFER_DECLINE,  # requests
    PRIVACY_DELETE,
    COHORT_JOIN,
    COHORT_RATE,
    CIRCLE_JOIN,
    OH_RSVP,
    OH_RSVP_DAY,  # groups
    TANDEM_CONFIRM,
    TANDEM_DECLINE,
)


def find(action_id: str) -> tuple[Action, Args] | None:
    """The declared action an id stands for, with its values."""
    for action in ACTIONS:
        args = action.match(action_id)
        if args is not None:
            return action, args
    return None


async def run_action(services: Services, actor: Actor, action: str, locale: str) -> list[Message]:
    """Carry out an action; domain errors propagate for the caller to render."""
    found = find(action)
    if found is None:
        return [Message(t(locale, "error.unknown_action"))]
    declared, args = found
    return await declared.handler(services, actor, args, locale)
