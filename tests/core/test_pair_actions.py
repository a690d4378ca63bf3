"""The declared actions of pairs and check-ins parse the ids already posted, and rebuild them."""

from __future__ import annotations

import pytest

from bot.core.action import ACCEPT, Args
from bot.core.actions import find
from bot.core.checkins import CHECKIN_ANSWER
from bot.core.pairs import GRADUATE, PAIR_EXTEND, PAIR_FEEDBACK, PAIR_RATE
from bot.core.safety import PAIR_ACK, PAIR_HELPMOD


@pytest.mark.parametrize(
    ("action_id", "declared", "values"),
    [
        ("pair:ack:7", PAIR_ACK, {"pair": "7"}),
        ("pair:helpmod:7", PAIR_HELPMOD, {"pair": "7"}),
        ("pair:rate:7:5", PAIR_RATE, {"pair": "7", "rating": "5"}),
        ("pair:extend:7", PAIR_EXTEND, {"pair": "7"}),
        ("pair:feedback:7", PAIR_FEEDBACK, {"pair": "7"}),
        ("graduate:7", GRADUATE, {"pair": "7"}),
        ("checkin:well:7", CHECKIN_ANSWER, {"answer": "well", "pair": "7"}),
        ("checkin:help:7", CHECKIN_ANSWER, {"answer": "help", "pair": "7"}),
        ("checkin:wrap_up:7", CHECKIN_ANSWER, {"answer": "wrap_up", "pair": "7"}),
    ],
)
def test_posted_ids_find_their_action(action_id: str, declared: object, values: dict) -> None:
    found = find(action_id)
    assert found is not None and found[0] is declared and found[1] == Args(values)
    assert found[0].id(**values) == action_id


def test_ids_that_are_not_ours_do_not_match() -> None:
    for action_id in ("pair:ack:", "pair:ack:x", "pair:rate:7", "checkin:maybe:7", "graduate:"):
        assert find(action_id) is None


def test_metadata_matches_what_front_ends_did() -> None:
    assert PAIR_ACK.emoji == ACCEPT
    assert (PAIR_HELPMOD.form, PAIR_FEEDBACK.form) == ("helpmod", "feedback")
    assert PAIR_RATE.keycap == "rating"
    assert PAIR_RATE.command_for(PAIR_RATE.match("pair:rate:7:5") or Args(), "!") == (
        "!feedback 7 5"
    )
    declared = (PAIR_ACK, PAIR_HELPMOD, PAIR_RATE, PAIR_EXTEND, PAIR_FEEDBACK, GRADUATE)
    assert not any(a.slow for a in (*declared, CHECKIN_ANSWER))
    assert all(a.command is None for a in declared if a is not PAIR_RATE)
