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
from bot.core.i18n import normalize_locale, t
from bot.core.ports import Message

if TYPE_CHECKING:
    from bot.platforms.discord.client import MentorBot

log = logging.getLogger(__name__)

PREFIX = "mb:"
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
        name=user.display_name,
        locale=normalize_locale(str(interaction.locale)),
    )


def locale_of(interaction: discord.Interaction) -> str:
    """The language of replies to this interaction (the user's client language)."""
    return normalize_locale(str(interaction.locale))


def member_actor(member: discord.Member) -> Actor:
    """A guild member as core knows them (someone named in a command, or joining)."""
    return Actor("discord", str(member.guild.id), str(member.id), member.display_name)


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
        view.add_item(ActionButton(guild_id, button.action, button.label, button.style))
    return view


def files_of(message: Message) -> list[discord.File]:
    """Attachments as discord.py files."""
    return [discord.File(io.BytesIO(f.data), filename=f.filename) for f in message.files]


def send_kwargs(message: Message, guild_id: int) -> dict[str, Any]:
    """Keyword arguments for Messageable.send / followup.send."""
    kwargs: dict[str, Any] = {
        "content": message.text[:2000],
        "allowed_mentions": discord.AllowedMentions(users=True, roles=False, everyone=False),
    }
    view = view_of(message, guild_id)
    if view is not None:
        kwargs["view"] = view
    files = files_of(message)
    if files:
        kwargs["files"] = files
    return kwargs


async def reply(
    interaction: discord.Interaction, messages: list[Message], *, ephemeral: bool = True
) -> None:
    """Answer (or follow up on a deferred) interaction with one or more messages."""
    for message in messages or [Message("…")]:
        kwargs = send_kwargs(message, interaction.guild_id or 0)
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
