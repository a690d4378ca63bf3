"""Normalising skills, languages and time zones as members type them."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

ALIASES = {
    "py": "python", "python3": "python", "py3": "python",
    "js": "javascript", "ecmascript": "javascript", "ts": "typescript",
    "k8s": "kubernetes", "kube": "kubernetes",
    "postgres": "postgresql", "psql": "postgresql", "pg": "postgresql",
    "golang": "go", "c++": "cpp", "c#": "csharp", "f#": "fsharp",
    "ml": "machine learning", "ai": "artificial intelligence",
    "reactjs": "react", "react.js": "react", "node": "nodejs", "node.js": "nodejs",
    "vuejs": "vue", "vue.js": "vue", "rustlang": "rust", "ux": "design", "ui": "design",
    "github": "git", "gitlab": "git", "devops": "ops",
}  # fmt: skip

LANGUAGE_ALIASES = {
    "english": "en", "englisch": "en", "german": "de", "deutsch": "de", "french": "fr",
    "français": "fr", "spanish": "es", "español": "es", "italian": "it", "dutch": "nl",
    "portuguese": "pt", "polish": "pl", "russian": "ru", "japanese": "ja", "chinese": "zh",
}  # fmt: skip

MAX_ITEMS = 20
MAX_ITEM_LEN = 40
_SPLIT = re.compile(r"[,;/\n]+")


def split_list(text: str) -> list[str]:
    """Split 'python, git; docker' into items, dropping blanks."""
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def normalize_skill(skill: str) -> str:
    """Lower-case, single-spaced, alias-resolved skill name."""
    key = " ".join(skill.strip().lower().split())
    return ALIASES.get(key, key)[:MAX_ITEM_LEN]


def normalize_skills(items: list[str] | str) -> list[str]:
    """Normalised, de-duplicated skills in the order given."""
    raw = split_list(items) if isinstance(items, str) else items
    return list(dict.fromkeys(normalize_skill(s) for s in raw if normalize_skill(s)))


def topic_terms(topic: str) -> list[str]:
    """Skills named in a free-text topic: the comma list, plus its single words."""
    terms = normalize_skills(topic)
    words = [normalize_skill(w) for w in re.split(r"[\s,;/]+", topic) if len(w) > 1]
    return list(dict.fromkeys([*terms, *words]))[:MAX_ITEMS]


def normalize_language(lang: str) -> str | None:
    """An ISO-639-1 code ('de', 'en'...) or None when it does not look like one."""
    key = lang.strip().lower().replace("_", "-")
    key = LANGUAGE_ALIASES.get(key, key).split("-")[0]
    return key if re.fullmatch(r"[a-z]{2,3}", key) else None


def normalize_languages(items: list[str] | str) -> tuple[list[str], list[str]]:
    """(codes, unrecognised) for a list of languages."""
    raw = split_list(items) if isinstance(items, str) else items
    codes: list[str] = []
    bad: list[str] = []
    for item in raw:
        code = normalize_language(item)
        if code is None:
            bad.append(item)
        elif code not in codes:
            codes.append(code)
    return codes, bad


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def normalize_timezone(name: str) -> str | None:
    """The canonical IANA name for `name` (case-insensitive), or None if unknown."""
    key = name.strip()
    if not key or len(key) > 64:
        return None
    canonical = _zone_names().get(key.lower())
    if canonical is None:
        return None
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return canonical


def suggest_timezones(prefix: str, limit: int = 25) -> list[str]:
    """Time zones containing `prefix`, for autocomplete."""
    needle = prefix.strip().lower()
    names = sorted(_zone_names().values())
    starts = [n for n in names if n.lower().startswith(needle)]
    contains = [n for n in names if needle in n.lower() and n not in starts]
    return (starts + contains)[:limit]
