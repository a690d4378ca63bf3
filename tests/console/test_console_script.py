"""The console community end to end: a script in, a pair space out, on ./mentorbot.db."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

SCRIPT = """\
/join alice
/join bob
bob> !mentor-signup skills=python,git languages=en,de tz=Europe/Berlin capacity=2
alice> !mentor python
alice> !ask 1
bob> 1
"""


def run_script(script: str, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", *extra],
        input=script, capture_output=True, text=True, cwd=cwd, env=env, timeout=60,
    )  # fmt: skip


def test_scripted_session_ends_with_a_pair_space(tmp_path: Path) -> None:
    done = run_script(SCRIPT, tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[#welcome] Welcome @alice!" in out
    assert "1. bob — shares: python" in out
    assert "[DM to bob] [1] Accept  [2] Decline" in out
    assert '[space] "Mentoring: alice & bob" opened for alice, bob' in out
    assert "[Mentoring: alice & bob] Welcome, @alice and @bob!" in out
    db = sqlite3.connect(tmp_path / "mentorbot.db")
    assert db.execute("SELECT status, space_ref FROM pairs").fetchall() == [("active", "space-1")]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_state_survives_a_restart_on_the_same_database(tmp_path: Path) -> None:
    run_script(SCRIPT, tmp_path)
    again = run_script("alice> !mentor python\nbob> !end\n", tmp_path)
    assert "already" in again.stdout or "These mentors" in again.stdout
    assert "Your pair has ended" in again.stdout
    db = sqlite3.connect(tmp_path / "mentorbot.db")
    assert db.execute("SELECT status FROM pairs").fetchall() == [("ended",)]


def test_odd_lines_get_help_not_a_crash(tmp_path: Path) -> None:
    done = run_script("hello\n/join\nalice> 7\nalice> !nope\n" + "x" * 10000 + "\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "lines look like" in done.stdout
    assert "control lines" in done.stdout
    assert "alice has no choice number 7" in done.stdout
    assert 'I don\'t know the command "nope"' in done.stdout
    assert "Traceback" not in done.stderr


def test_german_console(tmp_path: Path) -> None:
    env_script = "/join alice\nalice> !mentor python\n"
    (tmp_path / "c.toml").write_text('[bot]\nlocale = "de"\n')
    done = run_script(env_script, tmp_path, "--config", "c.toml")
    assert "Willkommen @alice!" in done.stdout
    assert "Warteliste" in done.stdout
