"""The catalog: English and German complete, same placeholders, every used key present."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.core.i18n import SUPPORTED, catalog, normalize_locale, placeholders, t
from bot.text.commands.help import HELP_ORDER

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "bot" / "locales"
# `<lang>.<feature>.json`: the feature names of the code base, plus the platform-only files
FEATURES = {
    "greeting", "requests", "mentors", "profiles", "pairs", "checkins", "goals", "recognition",
    "privacy", "safety", "moderation", "community", "reports", "cohorts", "office_hours",
    "circles", "tandem", "help", "matrix", "console", "discord",
}  # fmt: skip
KEY = re.compile(
    r"""["']((?:error|text|privacy|help|usage|match|mentor|ask|request|offer|pair|signup|status|profile|thanks|button|greet|goals|checkin|report|setup|discord|mod|safety|wrapup|badge|digest|console)\.[a-z_-]+)["']"""
)


def test_english_and_german_have_the_same_keys_and_placeholders() -> None:
    en, de = catalog("en"), catalog("de")
    assert set(en) == set(de)
    for key in en:
        assert placeholders(en[key]) == placeholders(de[key]), key
        assert de[key].strip(), key


def test_every_key_the_code_uses_exists() -> None:
    used = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("cogs/**/*.py")]:
        used |= set(KEY.findall(path.read_text()))
        # ls("text", "cmd.x.name") keys of slash commands live under "discord."
        used |= {
            f"discord.{k}"
            for k in re.findall(r'ls\([^)]*?"((?:cmd|opt)\.[a-z_.-]+)"\)', path.read_text())
        }
    used |= {f"checkin.thanks_{a}" for a in ("well", "help", "wrap_up")}
    used |= {f"help.{name}" for name in HELP_ORDER}
    used |= {f"request.already_{s}" for s in ("offered", "waitlisted")}
    used |= {f"offer.declined_{s}" for s in ("passed_on", "waitlisted", "accepted", "cancelled")}
    missing = sorted(k for k in used if k not in catalog("en"))
    assert not missing


def test_locales_fall_back_and_fill_in() -> None:
    assert normalize_locale("de-DE") == "de"
    assert normalize_locale("fr") == "en"
    assert (
        t("de", "ask.sent", mentor="Bob")
        == "Ich habe Bob gefragt. Du hörst von mir, sobald eine Antwort da ist."
    )
    assert t("xx", "ask.sent", mentor="Bob").startswith("I've asked Bob")
    assert "{mentor}" in t("en", "ask.sent")  # a missing parameter never crashes


def _locale_files(lang: str) -> dict[str, dict[str, str]]:
    """The catalogue files of one language by feature ("" for the shared `<lang>.json`)."""
    files = {}
    for path in sorted(LOCALES.glob(f"{lang}.*json")):
        feature = path.name.removeprefix(f"{lang}.").removesuffix("json").removesuffix(".")
        files[feature] = json.loads(path.read_text("utf-8"))
    return files


def test_one_locale_file_per_feature_twinned_in_every_language() -> None:
    names = {path.name for path in LOCALES.iterdir()}
    assert all(name.endswith(".json") and name.split(".")[0] in SUPPORTED for name in names), names
    files = {lang: _locale_files(lang) for lang in SUPPORTED}
    for lang, by_feature in files.items():
        assert "" in by_feature, f"{lang}.json"
        unknown = sorted(f for f in by_feature if f and f not in FEATURES)
        assert not unknown, (lang, unknown)
        seen: dict[str, str] = {}
        for feature, keys in by_feature.items():
            twice = sorted(k for k in keys if k in seen)
            assert not twice, (lang, feature, [(k, seen[k]) for k in twice])
            seen |= dict.fromkeys(keys, feature)
    first, *others = SUPPORTED
    for lang in others:
        assert set(files[lang]) == set(files[first]), lang
        for feature, keys in files[first].items():
            assert set(files[lang][feature]) == set(keys), (lang, feature)
