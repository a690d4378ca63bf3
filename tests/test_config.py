"""Configuration: the example file, environment overrides, clear errors, masked secrets."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"


def test_example_config_loads_and_documents_every_key() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.mentoring.request_timeout == timedelta(hours=48)
    assert settings.mentoring.program_length == timedelta(days=90)
    assert 123456789012345678 in settings.discord.guilds
    text = EXAMPLE.read_text()
    for section, model in settings:
        for key in type(model).model_fields:
            if key not in ("guilds", "rooms"):
                assert f"\n{key} =" in text, f"[{section}] {key} is not documented"
    for key in type(settings.discord.guilds[123456789012345678]).model_fields:
        assert f"\n{key} =" in text
    for key in type(next(iter(settings.matrix.rooms.values()))).model_fields:
        assert f"\n{key} =" in text


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[mentoring]\ncheckin_interval = "7d"\n[discord]\ntoken = "from-file"\n')
    monkeypatch.setenv("MENTORBOT_MENTORING__CHECKIN_INTERVAL", "15s")
    monkeypatch.setenv("MENTORBOT_DISCORD__TOKEN", "from-env")
    settings = load_settings(path)
    assert settings.mentoring.checkin_interval == timedelta(seconds=15)
    assert settings.discord.token.get_secret_value() == "from-env"


def test_one_clear_error_per_problem_and_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[bot]\nlocale = "fr"\n[mentoring]\nrequest_timeout = "soon"\ndefault_capacity = 0\n'
        '[discord]\ntoken = 42\ntokn = "x"\n[discord.guilds."abc"]\nwelcome_channel = -1\n'
    )
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    problems = err.value.problems
    joined = "\n".join(problems)
    assert any("'bot.locale'" in p and "en, de" in p for p in problems)
    assert any("'mentoring.request_timeout'" in p and "30s" in p for p in problems)
    assert any("'mentoring.default_capacity'" in p for p in problems)
    assert any("unknown key 'discord.tokn'" in p for p in problems)
    assert any("discord.guilds" in p for p in problems)
    assert "= 42" not in joined and "'42'" not in joined  # the secret's value is never shown


def test_malformed_toml_exits_2_before_connecting(tmp_path: Path, capsys) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[bot\ndatabase_url = \n")
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "not valid TOML" in err
    assert not (tmp_path / "mentorbot.db").exists()


def test_check_config_masks_secrets(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[discord]\ntoken = "very-secret-token"\n[matrix]\npassword = "hunter2"\n')
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check-config", "--config", str(path)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    assert "very-secret-token" not in out.stdout and "hunter2" not in out.stdout
    data = json.loads(out.stdout)
    assert data["discord"]["token"] == "***"
    assert data["matrix"]["password"] == "***"
    assert data["matrix"]["access_token"] == ""
    assert data["mentoring"]["request_timeout"] == "2d"
