"""Core messages as Discord content, persistent buttons and files; replies with one error path."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.core.context import Actor
from bot.core.errors import DomainError
from bot.core.i18n import normalize_locale, render_marked, t, unmark
from bot.core.ports import Message

if TYPE_CHECKING:
    from bot.platforms.discord.client import MentorBot

log = logging.getLogger(__name__)

PREFIX = "mb:"
CONTENT_LIMIT = 2000
_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
    "secondary": discord.ButtonStyle.secondary,
}


def actor_of(interaction: discord.Interaction, guild_id: int | None = None) -> Actor:
    """The member pressing or typing, as core knows them (`guild_id` for buttons in DMs)."""
    user = interaction.user
    return Actor(
        platform="discord",
        community=str(interaction.guild_id or guild_id or 0),
        user_id=str(user.id),
        name=unmark(user.display_name),
        locale=normalize_locale(str(interaction.locale)),
    )


def locale_of(interaction: discord.Interaction) -> str:
    """The language of replies to this interaction (the user's client language)."""
    return normalize_locale(str(interaction.locale))


def member_actor(member: discord.Member) -> Actor:
    """A guild member as core knows them (someone named in a command, or joining)."""
    return Actor("discord", str(member.guild.id), str(member.id), unmark(member.display_name))


def space_of(interaction: discord.Interaction) -> str | None:
    """The pair or tandem space an interaction came from: its thread, if it is in one."""
    return str(interaction.channel_id) if isinstance(interaction.channel, discord.Thread) else None


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mb:(?P<guild>[0-9]+):(?P<action>[a-z_]+(?::[a-z0-9_]*)*)",
):
    """A button whose custom id carries guild and action, so it works after any restart.

    The guild scopes who presses it when the button sits in a DM.
    """

    def __init__(
        self, guild_id: int, action: str, label: str = "…", style: str = "secondary"
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                custom_id=f"{PREFIX}{guild_id}:{action}"[:100],
                style=_STYLES.get(style, discord.ButtonStyle.secondary),
            )
        )
        self.guild_id, self.action = guild_id, action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ActionButton:
        return cls(int(match["guild"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: MentorBot = interaction.client  # type: ignore[assignment]
        await bot.press(interaction, self.action, self.guild_id)


def view_of(message: Message, guild_id: int) -> discord.ui.View | None:
    """A persistent view with one ActionButton per core button."""
    if not message.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in message.buttons[:25]:
        view.add_item(ActionButton(guild_id, button.action, unmark(button.label), button.style))
    return view


def files_of(message: Message) -> list[discord.File]:
    """Attachments as discord.py files."""
    return [discord.File(io.BytesIO(f.data), filename=unmark(f.filename)) for f in message.files]


# ----- member text ------------------------------------------------------------------------
# One token of escape_markdown's output: an escaped pair or a single character.
_TOKEN = re.compile(r"\\.|.", re.DOTALL)
_LINE_MARKUP = frozenset("#>-+*")  # headings, quotes, lists and subtext (-#) at a line start
_NUMBERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s)", re.MULTILINE)
_MASS_MENTION = ("everyone", "here")


def inert(text: str) -> str:
    """Member text as Discord shows it literally: it never pings, links, quotes or formats.

    `discord.utils.escape_markdown` escapes emphasis, code, spoilers and the first masked
    link; on top of that every `<` (user, role and channel mentions, command mentions,
    timestamps, custom emoji), every `[`/`]` (every masked link), `@everyone`/`@here`, and
    headings, quotes and list markers at a line start are escaped with a backslash, which
    Discord hides: the member's characters show exactly as typed.
    """
    escaped = discord.utils.escape_markdown(text)
    out: list[str] = []
    line_start = True
    for match in _TOKEN.finditer(escaped):
        token = match.group(0)
        if len(token) == 2 and token[1].isspace():
            token = token[1]  # escape_markdown's stray `\` before an indented list marker
        if token == "\n":
            line_start = True
        elif line_start and not token.isspace():
            line_start = False
            if token in _LINE_MARKUP:
                token = "\\" + token
        if token in ("<", "[", "]") or (
            token == "@" and escaped.startswith(_MASS_MENTION, match.end())
        ):
            token = "\\" + token
        out.append(token)
    return _NUMBERED.sub(r"\1\\\2", "".join(out))


def content_of(message: Message) -> str:
    """The message text for Discord: member-written spans inert, everything else as is."""
    return render_marked(message.text, inert)


def allowed_mentions_of(message: Message) -> discord.AllowedMentions:
    """Ping exactly the users the message means (`Message.mentions`): no role, no everyone."""
    ids = [int(u) for u in dict.fromkeys(message.mentions) if u.isascii() and u.isdigit()]
    return discord.AllowedMentions(
        everyone=False,
        users=[discord.Object(id=i) for i in ids[:100]],
        roles=False,
        replied_user=False,
    )


def split_content(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Text in pieces Discord accepts, split at line breaks (a longer line at a space)."""
    chunks: list[str] = []
    lines: list[str] = []
    size = -1
    for line in text.split("\n"):
        for piece in _pieces(line, limit):
            if lines and size + 1 + len(piece) > limit:
                chunks.append("\n".join(lines))
                lines, size = [], -1
            lines.append(piece)
            size += 1 + len(piece)
    chunks.append("\n".join(lines))
    return [c for c in chunks if c.strip()] or [chunks[0]]


def _pieces(line: str, limit: int) -> list[str]:
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        backslashes = len(line[:cut]) - len(line[:cut].rstrip("\\"))
        cut -= backslashes % 2  # never separate a backslash from what it escapes
        pieces.append(line[:cut])
        line = line[cut:]
    pieces.append(line)
    return pieces


def send_parts(message: Message, guild_id: int) -> list[dict[str, Any]]:
    """Keyword arguments for Messageable.send / followup.send, one dict per Discord message.

    Long texts are split at line breaks; buttons and files go with the last part; every
    part pings only the users the message means.
    """
    mentions = allowed_mentions_of(message)
    parts: list[dict[str, Any]] = [
        {"content": chunk, "allowed_mentions": mentions}
        for chunk in split_content(content_of(message))
    ]
    view = view_of(message, guild_id)
    if view is not None:
        parts[-1]["view"] = view
    files = files_of(message)
    if files:
        parts[-1]["files"] = files
    return parts


async def reply(
    interaction: discord.Interaction, messages: list[Message], *, ephemeral: bool = True
) -> None:
    """Answer (or follow up on a deferred) interaction with one or more messages."""
    for message in messages or [Message("…")]:
        for kwargs in send_parts(message, interaction.guild_id or 0):
            if not interaction.response.is_done():
                await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
            else:
                await interaction.followup.send(ephemeral=ephemeral, **kwargs)


# Deferred work queues here, so a burst of interactions cannot starve the event loop that
# must still acknowledge the newest ones within Discord's 3 seconds.
_WORK_SLOTS = asyncio.Semaphore(8)


async def guarded(
    interaction: discord.Interaction,
    work: Callable[[], Awaitable[list[Message]]],
    *,
    ephemeral: bool = True,
    defer: bool = False,
) -> None:
    """Run `work` and reply; domain errors and crashes become a localized ephemeral note."""
    loc = locale_of(interaction)
    try:
        if defer and not interaction.response.is_done():
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            async with _WORK_SLOTS:
                messages = await work()
        else:
            messages = await work()
    except DomainError as err:
        await reply(interaction, [Message(t(loc, err.key, **err.params))], ephemeral=True)
        return
    except discord.HTTPException:
        raise
    except Exception:
        error_id = secrets.token_hex(4)
        log.exception("interaction failed (error id %s)", error_id)
        await reply(interaction, [Message(t(loc, "error.unexpected", error_id=error_id))])
        return
    await reply(interaction, messages, ephemeral=ephemeral)
