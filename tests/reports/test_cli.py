"""`mentorbot report --community ID [--days N] --format text|csv|json`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.core.clock import FakeClock
from bot.reporting import CSV_COLUMNS
from bot.reporting.operator import run_report
from storage.db import create_engine
from storage.migrate import upgrade
from tests.reports.seed import GUILD, NOW, seed


@pytest.fixture
async def config(tmp_path: Path) -> Path:
    """A config file whose SQLite database holds the known community."""
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    await upgrade(engine)
    await seed(engine)
    await engine.dispose()
    path = tmp_path / "mentorbot.toml"
    path.write_text(f'[bot]\ndatabase_url = "sqlite:///{tmp_path / "bot.db"}"\n')
    return path


async def report(config: Path, **options: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run_report(load_settings(str(config)), out=out, err=err,
                            clock=FakeClock(NOW), **options)  # type: ignore[arg-type]  # fmt: skip
    return code, out.getvalue(), err.getvalue()


async def test_text_csv_and_json(config: Path) -> None:
    code, text, _ = await report(config, community=GUILD)
    assert code == 0 and text.startswith("Mentoring report, last 30 days")
    assert "Newcomers who asked for a mentor: 60% (6 of 10)" in text
    code, table, _ = await report(config, community=GUILD, fmt="csv", locale="de")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {r["metric"]: r["label"] for r in rows}["thanks"] == "Ausgesprochener Dank"
    code, raw, _ = await report(config, community=GUILD, fmt="json", days=7, platform="fake")
    data = json.loads(raw)
    assert data["days"] == 7 and data["figures"]["newcomers"]["value"] == 3


async def test_unknown_community_exits_2_with_a_clear_message(config: Path) -> None:
    code, out, err = await report(config, community="123456")
    assert code == 2 and out == ""
    assert "No community with the id 123456 is known" in err
    code, _, err = await report(config, community=GUILD, days=0)
    assert code == 2 and "1 to 3650 days" in err


def test_the_command_line(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--config", str(config), "--community", GUILD, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["community"] == GUILD
    assert main(["report", "--config", str(config), "--community", "nope"]) == 2
    assert "No community with the id nope" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--config", str(config), "--community", GUILD, "--format", "xml"])
    assert exit_.value.code == 2
