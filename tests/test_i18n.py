"""The catalog: English and German complete, same placeholders, every used key present."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.i18n import catalog, normalize_locale, placeholders, t
from bot.text.router import HELP_ORDER

ROOT = Path(__file__).resolve().parent.parent
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
        used |= {f"discord.{k}" for k in re.findall(r'ls\([^)]*?"((?:cmd|opt)\.[a-z_.-]+)"\)', path.read_text())}
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
