"""Rendering core messages as Matrix content (no homeserver needed), and as console text."""

from __future__ import annotations

import asyncio

from bot.core.i18n import USER_CLOSE, USER_OPEN, user
from bot.core.ports import Button, CommunityRef, Message
from bot.platforms.console.platform import ConsolePlatform
from bot.platforms.matrix.events import is_bot_like
from bot.platforms.matrix.moderators import creators_are_privileged, level_of
from bot.platforms.matrix.render import (
    ACTIONS_KEY,
    AUDIENCE_KEY,
    action_for,
    file_content,
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


def test_pills_and_m_mentions_only_for_the_users_a_message_means() -> None:
    content = render(
        Message("Welcome @a:hs.org and @b_c:hs.org:8448! <b>hi</b> & bye, @c:hs.org.\nNext line",
                mentions=("@a:hs.org", "@b_c:hs.org:8448")),
        locale="en", prefix="!", names={"@a:hs.org": "Alice <A>"}, notify=["@asker:hs.org"],
        exclude="@bot:hs.org",
    )  # fmt: skip
    assert content["body"].startswith("Welcome @a:hs.org and @b_c:hs.org:8448!")
    html = content["formatted_body"]
    assert '<a href="https://matrix.to/#/@a:hs.org">Alice &lt;A&gt;</a>' in html
    assert '<a href="https://matrix.to/#/@b_c:hs.org:8448">@b_c:hs.org:8448</a>' in html
    assert "&lt;b&gt;hi&lt;/b&gt; &amp; bye, @c:hs.org.<br>Next line" in html  # @c: not meant
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {"user_ids": ["@a:hs.org", "@b_c:hs.org:8448", "@asker:hs.org"]}


def test_member_text_never_mentions_anyone() -> None:
    """Ids, HTML and @room a member wrote stay text: escaped, no pill, not in m.mentions."""
    wrote = user('@eve:hs.org <a href="https://matrix.to/#/@eve:hs.org">x</a> @room & <b>')
    content = render(
        Message(f"@bob:hs.org thanks @amy:hs.org: “{wrote}” (also @bob:hs.org)",
                mentions=("@bob:hs.org", "@amy:hs.org")),
        locale="en", prefix="!", names={"@bob:hs.org": "Bob"}, exclude="@bot:hs.org",
    )  # fmt: skip
    plain = '@eve:hs.org <a href="https://matrix.to/#/@eve:hs.org">x</a> @room & <b>'
    assert content["body"] == f"@bob:hs.org thanks @amy:hs.org: “{plain}” (also @bob:hs.org)"
    assert content["m.mentions"] == {"user_ids": ["@bob:hs.org", "@amy:hs.org"]}
    html = content["formatted_body"]
    assert html.count("<a ") == 3 and "@eve" not in html.split("“")[0]
    assert (
        "“@eve:hs.org &lt;a href=&quot;https://matrix.to/#/@eve:hs.org&quot;&gt;x&lt;/a&gt; "
        "@room &amp; &lt;b&gt;”" in html
    )
    assert not any(m in html + content["body"] for m in (USER_OPEN, USER_CLOSE))
    # A meant user's id inside member text is not a pill either (the bot's own words are).
    only = render(Message(f"for {user('@bob:hs.org')}", mentions=("@bob:hs.org",)),
                  locale="en", prefix="!")  # fmt: skip
    assert only["formatted_body"] == "for @bob:hs.org"
    assert only["m.mentions"] == {"user_ids": ["@bob:hs.org"]}


def test_choices_and_files_drop_the_marks() -> None:
    content = render(
        Message("Pick", buttons=(Button(f"Ask {user('@eve:hs.org *x*')}", "request:ask:1"),)),
        locale="en", prefix="!",
    )  # fmt: skip
    assert "Ask @eve:hs.org *x*" in content["body"]
    assert "<a " not in content["formatted_body"] and content["m.mentions"] == {}
    assert not any(m in str(content) for m in (USER_OPEN, USER_CLOSE))
    attached = file_content(f"{user('notes')}.csv", "text/csv", 3, "mxc://x/y", None)
    assert attached["body"] == attached["filename"] == "notes.csv"


def test_console_shows_member_text_as_typed() -> None:
    lines: list[str] = []
    console = ConsolePlatform(write=lines.append)
    ref = CommunityRef(1, "console", "console")
    asyncio.run(
        console.send_to_channel(
            ref, "recognition", Message(f"thanks {user('<@1> **x**')}", (Button(user("B"), "a:b"),))
        )
    )
    space = asyncio.run(console.open_space(ref, f"Circle: {user('# c')}", ["amy"]))
    console.write(f"[to amy] {user('@room')}")
    assert lines == [
        "[#recognition] thanks <@1> **x**",
        "[#recognition] [1] B",
        '[space] "Circle: # c" opened for amy',
        "[to amy] @room",
    ]
    assert console.spaces[space].name == "Circle: # c"


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
