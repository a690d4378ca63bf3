"""Property tests over the command grammar and the duration parser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.durations import format_duration, parse_duration
from bot.text.parser import parse


@given(st.text(max_size=300))
def test_parse_never_fails_and_only_accepts_the_prefix(line: str) -> None:
    cmd = parse(line)
    if cmd is not None:
        assert line.startswith("!")
        assert cmd.name == cmd.name.lower() and 1 <= len(cmd.name) <= 32


@given(
    st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True),
    st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
                    st.from_regex(r"[A-Za-z0-9,/_.:+-]{1,20}", fullmatch=True), max_size=4),
)  # fmt: skip
def test_key_values_round_trip(name: str, options: dict[str, str]) -> None:
    line = "!" + name + " " + " ".join(f"{k}={v}" for k, v in options.items())
    cmd = parse(line)
    assert cmd is not None and cmd.name == name
    assert cmd.options == options
    assert cmd.words == []


def test_quoted_values_and_words() -> None:
    cmd = parse('!profile goals="ship my first PR" tz=Europe/Berlin extra')
    assert cmd is not None
    assert cmd.options == {"goals": "ship my first PR", "tz": "Europe/Berlin"}
    assert cmd.words == ["extra"]
    assert parse("hello !mentor") is None
    assert parse("!") is None
    assert parse("!!!") is None


@given(st.integers(min_value=1, max_value=10 * 365 * 86400))
def test_durations_round_trip(seconds: int) -> None:
    delta = timedelta(seconds=seconds)
    assert parse_duration(format_duration(delta)) == delta


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("48h", 172800), ("7d", 604800), ("2w", 1209600), ("1h30m", 5400)],
)
def test_documented_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@given(st.text(max_size=30))
def test_bad_durations_raise_value_error_with_help(text: str) -> None:
    try:
        parse_duration(text)
    except ValueError as err:
        assert "duration" in str(err) or "zero" in str(err) or "ten years" in str(err)
