"""The action registry: every id the bot has ever posted still parses, once, to one action."""

from __future__ import annotations

import pytest

from bot.core.action import ACCEPT, DECLINE, Action, Args
from bot.core.actions import ACTIONS, find

# Ids as buttons already posted in servers carry them (Discord: `mb:<guild>:<id>`); they must
# keep working forever, so this list only ever grows.
POSTED = {
    "ask:3:any": ("ask:{request}:any", {"request": "3"}),
    "ask:3:2": ("ask:{request}:{index}", {"request": "3", "index": "2"}),
    "offer:accept:42": ("offer:accept:{offer?}", {"offer": "42"}),
    "offer:accept:": ("offer:accept:{offer?}", {"offer": ""}),
    "offer:decline:42": ("offer:decline:{offer?}", {"offer": "42"}),
    "pair:ack:7": ("pair:ack:{pair}", {"pair": "7"}),
    "pair:helpmod:7": ("pair:helpmod:{pair}", {"pair": "7"}),
    "pair:rate:7:5": ("pair:rate:{pair}:{rating}", {"pair": "7", "rating": "5"}),
    "pair:extend:7": ("pair:extend:{pair}", {"pair": "7"}),
    "pair:feedback:7": ("pair:feedback:{pair}", {"pair": "7"}),
    "checkin:well:7": (None, {"pair": "7"}),
    "checkin:help:7": (None, {"pair": "7"}),
    "checkin:wrap_up:7": (None, {"pair": "7"}),
    "graduate:7": ("graduate:{pair}", {"pair": "7"}),
    "privacy:delete:confirm": ("privacy:delete:confirm", {}),
    "cohort:join:4": ("cohort:join:{group}", {"group": "4"}),
    "cohort:rate:4:3": ("cohort:rate:{group}:{rating}", {"group": "4", "rating": "3"}),
    "circle:join:4": ("circle:join:{group}", {"group": "4"}),
    "oh:rsvp:4": ("oh:rsvp:{group}", {"group": "4"}),
    "oh:rsvp:4:20260331": ("oh:rsvp:{group}:{day}", {"group": "4", "day": "20260331"}),
    "tandem:9:confirm": ("tandem:{intro}:confirm", {"intro": "9"}),
    "tandem:9:decline": ("tandem:{intro}:decline", {"intro": "9"}),
}


@pytest.mark.parametrize("action_id", sorted(POSTED))
def test_every_posted_id_finds_exactly_one_action(action_id: str) -> None:
    pattern, values = POSTED[action_id]
    matches = [a for a in ACTIONS if a.match(action_id) is not None]
    assert len(matches) == 1, [a.pattern for a in matches]
    found = find(action_id)
    assert found is not None
    action, args = found
    if pattern is not None:
        assert action.pattern == pattern
    for name, value in values.items():
        assert args.word(name) == value


@pytest.mark.parametrize(
    "action_id",
    [
        "offer:accept:²", "offer:accept:①", "pair:rate:7:٥", "pair:ack:", "pair:ack:x",
        "offer:accept:42:extra", "privacy:delete", "checkin:maybe:7", "tandem:9:maybe", "",
        "offer", "mb:1:offer:accept:4",
    ],
)  # fmt: skip
def test_odd_ids_find_no_action(action_id: str) -> None:
    assert find(action_id) is None


def test_patterns_are_unique_and_ids_round_trip() -> None:
    assert len({a.pattern for a in ACTIONS}) == len(ACTIONS)
    for action_id in POSTED:
        found = find(action_id)
        assert found is not None
        action, args = found
        assert action.id(**args.values) == action_id


def test_buttons_commands_and_emoji_come_from_the_declaration() -> None:
    found = find("offer:accept:42")
    assert found is not None
    action, args = found
    assert action.slow and action.emoji == ACCEPT
    assert action.command_for(args, "!") == "!accept 42"
    button = action.button("Accept", "success", offer=42)
    assert (button.label, button.action, button.style) == ("Accept", "offer:accept:42", "success")
    decline = find("offer:decline:")
    assert decline is not None and decline[0].emoji == DECLINE
    rate = find("pair:rate:7:5")
    assert rate is not None and rate[0].keycap == "rating"
    assert rate[0].command_for(rate[1], "!") == "!feedback 7 5"
    feedback = find("pair:feedback:7")
    assert feedback is not None and feedback[0].form == "feedback"


def test_an_id_that_does_not_fit_its_pattern_is_refused() -> None:
    async def handler(*_: object) -> list:  # pragma: no cover - never run
        return []

    action = Action("demo:{n}:{w:a|b}", handler)
    assert action.match("demo:12:a") == Args({"n": "12", "w": "a"})
    assert action.match("demo:12:c") is None
    with pytest.raises(ValueError):
        action.id(n="x", w="a")
