"""Meta-tests of the Discord front-end: every cog is wired, loads, and stands on its own."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import discord
from discord import app_commands

from bot.app import DISCORD_COGS
from bot.config import Settings
from bot.core.action import Args
from bot.core.actions import ACTIONS
from bot.core.i18n import t
from bot.core.services import Services
from bot.platforms.discord.client import MentorBot

ROOT = Path(__file__).resolve().parents[2]

# Every slash command members see; names are public (renaming one breaks muscle memory and
# the command mentions in posted messages).
SLASH_COMMANDS = {
    "circle create", "circle join", "circle leave", "circle list",
    "cohort create", "cohort join", "cohort leave", "cohort list", "cohort feedback",
    "mentor", "mentor-signup", "mentor-status",
    "mentoring end", "mentoring goals", "mentoring checkin",
    "mentoring-mod approve", "mentoring-mod remove", "mentoring-mod reassign", "mentoring-mod end",
    "mentoring-mod requests", "mentoring-mod export",
    "mentoring-report", "mentoring-setup",
    "milestone add", "milestone complete", "milestone list",
    "my-data",
    "office-hours schedule", "office-hours list", "office-hours rsvp", "office-hours cancel",
    "profile", "tandem", "thanks",
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    """The modules a file imports (absolute names, as written)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_every_cog_module_is_listed_once() -> None:
    modules = {f"cogs.{p.stem}" for p in (ROOT / "cogs").glob("*.py") if p.stem != "__init__"}
    assert sorted(DISCORD_COGS) == sorted(set(DISCORD_COGS))
    assert set(DISCORD_COGS) == modules


def test_no_cog_imports_another_cog_and_no_platform_imports_cogs() -> None:
    for path in sorted((ROOT / "cogs").glob("*.py")):
        assert not {m for m in _imports(path) if m == "cogs" or m.startswith("cogs.")}, path
    for path in sorted((ROOT / "bot").rglob("*.py")):
        assert not {m for m in _imports(path) if m == "cogs" or m.startswith("cogs.")}, path


def _qualified(command: app_commands.Command | app_commands.Group) -> list[str]:  # type: ignore[type-arg]
    if isinstance(command, app_commands.Group):
        return [name for sub in command.commands for name in _qualified(sub)]
    return [command.qualified_name]


async def test_every_cog_loads_with_distinct_commands_and_its_forms(services: Services) -> None:
    bot = MentorBot(Settings(discord={"token": "not-used"}), services)
    try:
        for name in DISCORD_COGS:
            await bot.load_extension(name)
        assert len(bot.cogs) == len(DISCORD_COGS)

        top = [c.name for cog in bot.cogs.values() for c in cog.get_app_commands()]
        assert [name for name, n in Counter(top).items() if n > 1] == []
        qualified = [q for c in bot.tree.get_commands() for q in _qualified(c)]  # type: ignore[arg-type]
        assert len(qualified) == len(set(qualified))
        assert set(qualified) == SLASH_COMMANDS

        # Every form a declared action opens is registered by the cog owning it.
        assert {a.form for a in ACTIONS if a.form} <= set(bot.forms)
        assert set(bot.forms) == {"feedback", "helpmod"}
        pressed = SimpleNamespace(locale="de")
        for form, title in (
            ("feedback", "discord.feedback_title"),
            ("helpmod", "discord.helpmod_title"),
        ):
            modal = bot.forms[form](pressed, Args({"pair": "7"}))  # type: ignore[arg-type]
            assert isinstance(modal, discord.ui.Modal) and modal.title == t("de", title)[:45]
            assert modal.pair_id == 7  # type: ignore[attr-defined]

        for name in reversed(DISCORD_COGS):
            await bot.unload_extension(name)
        assert bot.forms == {}
        assert bot.tree.get_commands() == []
    finally:
        await bot.close()
