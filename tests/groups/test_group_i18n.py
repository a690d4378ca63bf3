"""Every catalog key the group features use exists in English and German."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.i18n import catalog

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    str(p.relative_to(ROOT)) for folder in ("bot", "cogs") for p in (ROOT / folder).rglob("*.py")
)
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

