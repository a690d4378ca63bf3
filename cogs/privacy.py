"""/my-data export|delete."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.i18n import t
from bot.core.ports import Attachment, Message
from bot.core.privacy import PRIVACY_DELETE
from bot.platforms.discord.client import MentorBot
from bot.platforms.discord.render import actor_of, guarded, locale_of
from bot.platforms.discord.translator import ls


class Privacy(commands.Cog):
    """A member's own data."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=ls("my-data", "cmd.my-data.name"),
        description=ls("Export or delete your data", "cmd.my-data.description"),
    )
    @app_commands.describe(action=ls("export or delete", "opt.data_action"))
    @app_commands.guild_only()
    async def my_data(self, interaction: discord.Interaction,
                      action: Literal["export", "delete", "stop-messages", "allow-messages"]
                      ) -> None:  # fmt: skip
        async def work() -> list[Message]:
            loc = locale_of(interaction)
            if action == "export":
                data = await self.bot.services.privacy.export(actor_of(interaction))
                file = Attachment("my-data.json", data, "application/json")
                return [Message(t(loc, "privacy.exported"), files=(file,))]
            if action in ("stop-messages", "allow-messages"):
                given = action == "allow-messages"
                await self.bot.services.privacy.set_consent(actor_of(interaction), given)
                return [Message(t(loc, "privacy.consent_on" if given else "privacy.consent_off"))]
            button = PRIVACY_DELETE.button(t(loc, "button.delete_data"), "danger")
            return [Message(t(loc, "discord.confirm_delete"), buttons=(button,))]

        await guarded(interaction, work, defer=action == "export")


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Privacy(bot))
