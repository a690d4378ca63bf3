"""German (and English) names and descriptions for slash commands, from the catalog."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.core.i18n import catalog

_LOCALES = {discord.Locale.german: "de"}


def ls(text: str, key: str) -> app_commands.locale_str:
    """A translatable command string: `key` looks up 'discord.<key>' in the catalog."""
    return app_commands.locale_str(text, key=key)


class CatalogTranslator(app_commands.Translator):
    """Serves 'discord.*' catalog entries as Discord localizations."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        code = _LOCALES.get(locale)
        key = string.extras.get("key")
        if code is None or not key:
            return None
        return catalog(code).get(f"discord.{key}")
