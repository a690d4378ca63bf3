"""The message catalog: every user-facing string, in English and German."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
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
    params = {k: v.localized(loc) if hasattr(v, "localized") else v for k, v in params.items()}
    return template.format_map(_Keep(params))


# What a member wrote (a display name, a note, a goal, a group name) is marked inside a
# message so each platform can render it as inert text: Discord escapes markdown and
# mention syntax inside the marks, Matrix and the console only drop the marks. The marks are
# private-use characters; member input never carries them (`unmark` strips them at the edge).
USER_OPEN, USER_CLOSE = "\ue000", "\ue001"
_MARKS = str.maketrans("", "", USER_OPEN + USER_CLOSE)
_MARKED = re.compile(f"{USER_OPEN}([^{USER_OPEN}{USER_CLOSE}]*){USER_CLOSE}")


def user(text: object) -> str:
    """Mark member-written text for a message (renderers decide how to keep it inert)."""
    return f"{USER_OPEN}{unmark(str(text))}{USER_CLOSE}"


def unmark(text: str) -> str:
    """The text without user-text marks (what is stored, logged or shown as plain text)."""
    return text.translate(_MARKS)


def render_marked(text: str, inert: Callable[[str], str]) -> str:
    """Replace every marked span with `inert(span)` and drop stray marks."""
    return unmark(_MARKED.sub(lambda m: inert(m.group(1)), text))


def has(key: str) -> bool:
    """Whether the English catalog knows this key."""
    return key in catalog(DEFAULT)
