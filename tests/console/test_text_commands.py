"""Meta-tests of the text commands (Matrix, console): one module per feature, listed explicitly."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

import pytest

from bot.text.commands import COMMANDS, FEATURES, table
from bot.text.commands.help import HELP_ORDER

ROOT = Path(__file__).resolve().parents[2]
ALIASES = {"milestones": "milestone", "officehours": "office-hours"}


def test_every_feature_module_is_listed() -> None:
    folder = ROOT / "bot" / "text" / "commands"
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    assert {m.__name__.rsplit(".", 1)[1] for m in FEATURES} == modules
    assert len(FEATURES) == len(set(FEATURES))


def test_a_command_name_is_claimed_once() -> None:
    twice = ModuleType("twice")
    twice.COMMANDS = {"mentor": COMMANDS["help"]}  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="mentor"):
        table((*FEATURES, twice))


def test_help_names_every_command_once() -> None:
    assert len(HELP_ORDER) == len(set(HELP_ORDER))
    assert set(HELP_ORDER) == set(COMMANDS) - set(ALIASES)
    assert all(COMMANDS[alias] is COMMANDS[name] for alias, name in ALIASES.items())


def test_commands_do_not_import_the_router_or_a_platform() -> None:
    banned = ("bot.text.router", "bot.platforms", "cogs", "discord", "nio")
    for path in sorted((ROOT / "bot" / "text").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                hit = [b for b in banned if name == b or name.startswith(b + ".")]
                assert not hit, f"{path.relative_to(ROOT)} imports {name}"
