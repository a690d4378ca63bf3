"""Rendering core messages as Matrix content (no homeserver needed)."""

from __future__ import annotations

from bot.core.ports import Button, Message
from bot.platforms.matrix.events import is_bot_like
from bot.platforms.matrix.moderators import creators_are_privileged, level_of
from bot.platforms.matrix.render import (
    ACTIONS_KEY,
    AUDIENCE_KEY,
    action_for,
    normalize_key,
    render,
    user_ids_in,
)

OFFER = Message(
    "@new:hs.org would like you as their mentor.",
    buttons=(
        Button("Accept", "offer:accept:42", "success"),
        Button("Decline", "offer:decline:42", "danger"),
    ),
    mentions=("@new:hs.org",),
)


def test_body_keeps_ids_html_has_pills_and_mentions() -> None:
    content = render(
        Message("Welcome @a:hs.org and @b_c:hs.org:8448! <b>hi</b> & bye.\nNext line"),
        locale="en", prefix="!", names={"@a:hs.org": "Alice <A>"}, notify=["@asker:hs.org"],
        exclude="@bot:hs.org",
    )  # fmt: skip
    assert content["body"].startswith("Welcome @a:hs.org and @b_c:hs.org:8448!")
    html = content["formatted_body"]
    assert '<a href="https://matrix.to/#/@a:hs.org">Alice &lt;A&gt;</a>' in html
    assert '<a href="https://matrix.to/#/@b_c:hs.org:8448">@b_c:hs.org:8448</a>' in html
    assert "&lt;b&gt;hi&lt;/b&gt; &amp; bye.<br>Next line" in html
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {"user_ids": ["@a:hs.org", "@b_c:hs.org:8448", "@asker:hs.org"]}


def test_no_mentions_still_sends_an_empty_m_mentions() -> None:
    assert render(Message("plain"), locale="en", prefix="!")["m.mentions"] == {}


def test_user_ids_stop_before_punctuation() -> None:
    assert user_ids_in("thanks @x:example.org. and (@y:hs.org)") == ["@x:example.org", "@y:hs.org"]


def test_offer_choices_are_reactions_and_commands() -> None:
    content = render(OFFER, locale="en", prefix="!", audience=["@mentor:hs.org"])
    assert content[ACTIONS_KEY] == {"✅": "offer:accept:42", "❌": "offer:decline:42"}
    assert content[AUDIENCE_KEY] == ["@mentor:hs.org"]
    assert "react with ✅ or type !accept 42" in content["body"]
    assert "react with ❌ or type !decline 42" in content["body"]
    german = render(OFFER, locale="de", prefix="?")
    assert "reagiere mit ✅ oder schreibe ?accept 42" in german["body"]


def test_reaction_keys_with_and_without_variation_selector() -> None:
    actions = {"✅": "offer:accept:1", "❌": "offer:decline:1", "3\ufe0f\u20e3": "pair:rate:1:3"}
    assert action_for(actions, "✅") == "offer:accept:1"
    assert action_for(actions, "✅\ufe0f") == "offer:accept:1"
    assert action_for(actions, "👍") == "offer:accept:1"
    assert action_for(actions, "👍🏽") == "offer:accept:1"
    assert action_for(actions, "❌\ufe0f") == "offer:decline:1"
    assert action_for(actions, "3\u20e3") == "pair:rate:1:3"
    assert action_for(actions, "🎉") is None
    assert normalize_key(" ✅\ufe0f ") == "✅"


def test_rating_buttons_get_number_keycaps() -> None:
    rate = Message(
        "Rate it", buttons=tuple(Button(str(n), f"pair:rate:7:{n}") for n in range(1, 6))
    )
    content = render(rate, locale="en", prefix="!")
    assert list(content[ACTIONS_KEY].values()) == [f"pair:rate:7:{n}" for n in range(1, 6)]
    assert "!feedback 7 5" in content["body"]


def test_power_levels_and_creators() -> None:
    levels = {"users": {"@mod:hs": 50, "@admin:hs": 100}, "users_default": 0}
    assert level_of(levels, "@mod:hs") == 50
    assert level_of(levels, "@nobody:hs") == 0
    assert level_of({"users_default": "10"}, "@x:hs") == 10
    assert level_of({"users": {"@x:hs": "oops"}}, "@x:hs") == 0
    assert creators_are_privileged("12") and creators_are_privileged("org.matrix.hydra.11")
    assert not creators_are_privileged("10") and not creators_are_privileged("1")


def test_bot_like_accounts() -> None:
    assert is_bot_like("@mentorbot:hs") and is_bot_like("@_discord_123:hs")
    assert is_bot_like("@otherbot-7-a1b2c3:hs") and is_bot_like("@bot:hs")
    assert not is_bot_like("@newcomer-1-abcdef:hs") and not is_bot_like("@robert:hs")


def test_replies_in_a_thread_stay_in_the_thread() -> None:
    content = render(Message("ok"), locale="en", prefix="!", reply_to="$cmd", thread="$root")
    assert content["m.relates_to"] == {
        "rel_type": "m.thread", "event_id": "$root", "is_falling_back": False,
        "m.in_reply_to": {"event_id": "$cmd"},
    }  # fmt: skip
    plain = render(Message("ok"), locale="en", prefix="!", reply_to="$cmd")
    assert plain["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
