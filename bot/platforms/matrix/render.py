"""Core messages as Matrix event content: plain body, HTML with pills, m.mentions, choices."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from bot.core.action import ACCEPT
from bot.core.actions import find
from bot.core.i18n import USER_CLOSE, USER_OPEN, t, unmark
from bot.core.ports import Button, Message

ACTIONS_KEY = "org.mentorbot.actions"
AUDIENCE_KEY = "org.mentorbot.audience"
THUMBS_UP = "👍"
KEYCAPS = (*(f"{n}\ufe0f\u20e3" for n in range(1, 10)), "🔟")
MAX_MENTIONS = 50
# A Matrix user id; the server part never ends with a dot, so "… @a:b.org." stays clean.
MXID = re.compile(r"@[A-Za-z0-9._=\-/+]+:[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*(?::\d{1,5})?")
# A member-written span inside a message (see bot.core.i18n.user); split() keeps its text.
_MARKED = re.compile(f"{USER_OPEN}([^{USER_OPEN}{USER_CLOSE}]*){USER_CLOSE}")
_SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)}
_ALIASES = {THUMBS_UP: ACCEPT}


def normalize_key(key: str) -> str:
    """A reaction key without variation selectors and skin tones; 👍 counts as ✅."""
    clean = "".join(
        c for c in key.strip() if c not in ("\ufe0f", "\ufe0e") and c not in _SKIN_TONES
    )
    return _ALIASES.get(clean, clean)


def action_for(actions: Mapping[str, str], key: str) -> str | None:
    """The action a reaction key stands for in a message's action map."""
    wanted = normalize_key(key)
    for emoji, action in actions.items():
        if normalize_key(emoji) == wanted:
            return action
    return None


def emoji_for(button: Button, index: int) -> str:
    """The reaction an action declares (✅, ❌, a rating's keycap), else a keycap by position."""
    found = find(button.action)
    if found is not None:
        action, args = found
        if action.emoji:
            return action.emoji
        number = args.optional(action.keycap) if action.keycap else None
        if number is not None and 1 <= number <= len(KEYCAPS):
            return KEYCAPS[number - 1]
    return KEYCAPS[index % len(KEYCAPS)]


def command_for(action_id: str, prefix: str) -> str | None:
    """The text command that does what a button does, when its action declares one."""
    found = find(action_id)
    return found[0].command_for(found[1], prefix) if found is not None else None


def choices(buttons: Iterable[Button]) -> dict[str, str]:
    """Emoji -> action for a message's buttons (each emoji used once)."""
    out: dict[str, str] = {}
    for index, button in enumerate(buttons):
        emoji = emoji_for(button, index)
        if emoji in out:
            emoji = next(k for k in KEYCAPS if k not in out)
        out[emoji] = button.action
    return out


def choice_lines(message: Message, locale: str, prefix: str) -> list[str]:
    """How to answer: one line per button, reaction and (if any) command."""
    lines = []
    for (emoji, action), button in zip(
        choices(message.buttons).items(), message.buttons, strict=True
    ):
        command = command_for(action, prefix)
        if command:
            lines.append(t(locale, "matrix.choice_command", emoji=emoji, label=button.label,
                           command=command))  # fmt: skip
        else:
            lines.append(t(locale, "matrix.choice", emoji=emoji, label=button.label))
    return lines


def user_ids_in(text: str) -> list[str]:
    """Matrix user ids written in a text, in order, without duplicates."""
    return list(dict.fromkeys(MXID.findall(text)))


def pill(user_id: str, name: str | None) -> str:
    """An HTML mention pill."""
    return (
        f'<a href="https://matrix.to/#/{html.escape(user_id)}">{html.escape(name or user_id)}</a>'
    )


def _bot_html(text: str, mentioned: Collection[str], names: Mapping[str, str]) -> str:
    """The bot's own words: escaped, with a pill for each user id it means to mention."""
    parts, last = [], 0
    for match in MXID.finditer(text):
        if match.group(0) not in mentioned:
            continue
        parts.append(html.escape(text[last : match.start()]))
        parts.append(pill(match.group(0), names.get(match.group(0))))
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)


def to_html(text: str, names: Mapping[str, str], mentioned: Collection[str] = ()) -> str:
    """Escaped HTML with <br> for line breaks and pills for the `mentioned` user ids.

    What a member wrote (marked with `user(...)`) is only escaped: an id in it stays text.
    """
    pieces = _MARKED.split(text)  # bot text, member text, bot text, ...
    out = [
        html.escape(unmark(piece)) if index % 2 else _bot_html(unmark(piece), mentioned, names)
        for index, piece in enumerate(pieces)
    ]
    return "".join(out).replace("\n", "<br>")


def render(
    message: Message,
    *,
    locale: str,
    prefix: str,
    names: Mapping[str, str] | None = None,
    notify: Iterable[str] = (),
    exclude: str = "",
    audience: Iterable[str] = (),
    reply_to: str | None = None,
    thread: str | None = None,
) -> dict[str, Any]:
    """The content of an m.room.message (m.text) for a core message.

    `m.mentions` and pills name exactly the users the message means (`message.mentions`
    and `notify`, never the bot itself); ids that only appear in the text stay text.
    """
    text = message.text
    if message.buttons:
        text = "\n".join([text, *choice_lines(message, locale, prefix)])
    ids = [*message.mentions, *notify]
    mentioned = [u for u in dict.fromkeys(ids) if u != exclude][:MAX_MENTIONS]
    content: dict[str, Any] = {
        "msgtype": "m.text",
        "body": unmark(text),
        "format": "org.matrix.custom.html",
        "formatted_body": to_html(text, names or {}, mentioned),
        "m.mentions": {"user_ids": mentioned} if mentioned else {},
    }
    if message.buttons:
        content[ACTIONS_KEY] = choices(message.buttons)
        content[AUDIENCE_KEY] = list(audience)
    if thread:
        content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread,
                                   "is_falling_back": not reply_to,
                                   "m.in_reply_to": {"event_id": reply_to or thread}}  # fmt: skip
    elif reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return content


def file_content(
    filename: str, mime: str, size: int, url: str | None, encrypted: dict[str, Any] | None
) -> dict[str, Any]:
    """An m.file message for an uploaded attachment (encrypted rooms get `file`, not `url`)."""
    filename = unmark(filename)
    content: dict[str, Any] = {
        "msgtype": "m.file",
        "body": filename,
        "filename": filename,
        "info": {"mimetype": mime, "size": size},
        "m.mentions": {},
    }
    if encrypted is not None:
        content["file"] = {**encrypted, "url": url}
    else:
        content["url"] = url
    return content
