"""Every catalog key the group features use exists in English and German."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.core.i18n import catalog, placeholders

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    "bot/core/groups.py", "bot/core/cohorts.py", "bot/core/officehours.py", "bot/core/tandem.py",
    "bot/core/goals.py", "bot/core/group_actions.py", "bot/text/group_commands.py",
    "cogs/groups.py", "cogs/tandem.py",
]  # fmt: skip
KEY = re.compile(r"""["']((?:groups|cohort|circle|oh|office_hours|tandem|milestone|button|usage|badge|error|pair|goals|help)\.[a-z_-]+)["']""")
DYNAMIC = {
    *(f"groups.weekday_{d}" for d in range(7)),
    *(f"{kind}.{part}" for kind in ("cohort", "circle") for part in ("list_title", "list_line", "list_empty", "unknown")),
    "office_hours.unknown", "badge.first_milestone", "badge.ten_milestones",
    *(f"tandem.already_{s}" for s in ("started", "declined", "expired")),
    *(f"help.{n}" for n in ("cohort", "office-hours", "circle", "tandem", "milestone")),
}


def test_every_group_key_exists_in_both_languages() -> None:
    used = set(DYNAMIC)
    for name in FILES:
        text = (ROOT / name).read_text()
        used |= set(KEY.findall(text))
        used |= {f"discord.{k}" for k in re.findall(r'"((?:cmd|opt)\.[a-z_.-]+)"', text)}
    en, de = catalog("en"), catalog("de")
    assert sorted(k for k in used if k not in en) == []
    assert sorted(k for k in used if k not in de) == []


def test_group_catalogs_match() -> None:
    folder = ROOT / "bot" / "locales"
    en = json.loads((folder / "en.groups.json").read_text())
    de = json.loads((folder / "de.groups.json").read_text())
    assert set(en) == set(de)
    for key in en:
        assert placeholders(en[key]) == placeholders(de[key]), key
