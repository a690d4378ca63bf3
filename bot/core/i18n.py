"""The message catalog: every user-facing string, in English and German."""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources
from typing import Any

SUPPORTED = ("en", "de")
DEFAULT = "en"


def normalize_locale(locale: str | None, default: str = DEFAULT) -> str:
    """Map platform locales (de-DE, en-US, EN) to a supported catalog."""
    if not locale:
        return default
    base = locale.replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED else default


@cache
def catalog(locale: str) -> dict[str, str]:
    """The flat key -> template mapping of one locale: `<locale>.json` plus `<locale>.*.json`."""
    folder = resources.files("bot").joinpath("locales")
    names = sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name == f"{locale}.json"
        or (entry.name.startswith(f"{locale}.") and entry.name.endswith(".json"))
    )
    data: dict[str, str] = {}
    for name in names:
        data.update(json.loads(folder.joinpath(name).read_text("utf-8")))
    return data


def placeholders(template: str) -> set[str]:
    """The {names} a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(locale: str | None, key: str, /, **params: Any) -> str:
    """Translate `key` into `locale` (falling back to English), filling in params."""
    loc = normalize_locale(locale)
    template = catalog(loc).get(key) or catalog(DEFAULT).get(key)
    if template is None:
        return key
    return template.format_map(_Keep(params))


def has(key: str) -> bool:
    """Whether the English catalog knows this key."""
    return key in catalog(DEFAULT)
