"""No secret in any output: check-config, configuration errors and log lines."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot import logs
from bot.cli import main
from bot.config import Settings, secrets_of

PASSWORD = "Sup3r-s3cret-pw"


def _config(tmp_path: Path, url: str) -> str:
    path = tmp_path / "bot.toml"
    path.write_text(
        f'[bot]\ndatabase_url = "{url}"\n[discord]\ntoken = "tok-{PASSWORD}"\n', "utf-8"
    )
    return str(path)


def test_check_config_masks_the_password_inside_the_database_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://mentor:{PASSWORD}@db.example.org:5432/mentorbot"
    assert main(["check-config", "--config", _config(tmp_path, url)]) == 0
    out = capsys.readouterr().out
    assert PASSWORD not in out
    shown = json.loads(out)
    assert shown["bot"]["database_url"] == "postgresql://mentor:***@db.example.org:5432/mentorbot"
    assert shown["discord"]["token"] == "***"


def test_a_refused_database_url_is_named_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"mysql://mentor:{PASSWORD}@db.example.org/mentorbot"
    assert main(["check-config", "--config", _config(tmp_path, url)]) == 2
    err = capsys.readouterr().err
    assert "database_url" in err and "mysql://mentor:***@db.example.org" in err
    assert PASSWORD not in err


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"postgresql://u:{PASSWORD}@h/db", "postgresql://u:***@h/db"),
        (f"connect to postgres://u:{PASSWORD}@h:5432/db failed", "postgres://u:***@h:5432/db"),
        (f"https://hs.example/_matrix?access_token={PASSWORD}&x=1", "access_token=***&x=1"),
        ("sqlite:///data/mentorbot.db", "sqlite:///data/mentorbot.db"),
    ],
)
def test_urls_lose_their_passwords(text: str, shown: str) -> None:
    masked = logs.mask_url(text)
    assert PASSWORD not in masked and shown in masked


def test_log_lines_and_tracebacks_never_carry_a_secret(restore_logging: None) -> None:
    settings = Settings(
        bot={"database_url": f"postgresql://mentor:{PASSWORD}@db/mentorbot"},
        discord={"token": f"tok-{PASSWORD}-end"},
    )
    stream = io.StringIO()
    logs.configure("DEBUG", secrets_of(settings), stream=stream)
    log = logging.getLogger("bot.test")
    log.info("connecting with token %s", settings.discord.token.get_secret_value())
    try:
        raise ConnectionError(f"cannot reach {settings.bot.database_url}")
    except ConnectionError:
        log.exception("database unreachable")
    written = stream.getvalue()
    assert "connecting with token ***" in written
    assert "ConnectionError: cannot reach postgresql://mentor:***@db/mentorbot" in written
    assert PASSWORD not in written


def test_debug_level_keeps_the_chat_libraries_payload_logs_off(restore_logging: None) -> None:
    stream = io.StringIO()
    logs.configure("DEBUG", stream=stream)
    assert logging.getLogger("bot.core.requests").isEnabledFor(logging.DEBUG)
    # discord.py logs REST bodies and gateway events at DEBUG, matrix-nio events at INFO.
    assert not logging.getLogger("discord.gateway").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("discord.http").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("nio.rooms").isEnabledFor(logging.INFO)
    assert logging.getLogger("discord.client").isEnabledFor(logging.INFO)


def test_an_unknown_log_level_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    config = _config(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    assert main(["run", "--config", config, "--log-level", "LOUD"]) == 2
    assert "--log-level" in capsys.readouterr().err


def test_json_log_lines_are_objects_without_secrets(restore_logging: None) -> None:
    stream = io.StringIO()
    logs.configure("INFO", [f"tok-{PASSWORD}"], stream=stream, json_lines=True)
    log = logging.getLogger("bot.test")
    log.warning("token tok-%s refused", PASSWORD)
    try:
        raise OSError(f"postgresql://u:{PASSWORD}@h/db unreachable")
    except OSError:
        log.exception("database away")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "WARNING" and first["logger"] == "bot.test"
    assert first["message"] == "token *** refused"
    assert second["message"] == "database away"
    assert "OSError: postgresql://u:***@h/db unreachable" in second["exception"]
    assert PASSWORD not in stream.getvalue()


def test_json_logs_from_the_ops_setting(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(
        f'[bot]\ndatabase_url = "sqlite:///{tmp_path / "x.db"}"\n[ops]\nlog_format = "json"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(config), "--log-level", "INFO"],
        input="/join alice\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(json.loads(line)["level"] in ("INFO", "WARNING") for line in lines)
    with pytest.raises(ValueError, match="log_format"):
        Settings(ops={"log_format": "yaml"})
