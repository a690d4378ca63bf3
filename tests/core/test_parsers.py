"""Property tests over the command grammar, the input checks and the duration parser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.durations import format_duration, parse_duration
from bot.core.errors import InvalidInput
from bot.core.i18n import t, user
from bot.core.inputs import MAX_ID, check_text, clean, clean_line, id_of, is_digits, number
from bot.text.base import is_id
from bot.text.parser import parse

# Any code point, surrogates and controls included.
anything = st.text(st.characters(exclude_categories=()) | st.sampled_from(
    ["\x00", "\x1b", "\x7f", "\x85", "\r", "\n", "\t", "\ud800", "\ue000", "\ue001", "²", "٣"]))  # fmt: skip


def forbidden(c: str) -> bool:
    """What no handler and no table may see: controls (newline aside), surrogates, marks."""
    return (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or "\ud800" <= c <= "\udfff" \
        or c in "\ue000\ue001"  # fmt: skip


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


@given(anything)
def test_parsed_commands_carry_no_control_characters_or_marks(line: str) -> None:
    cmd = parse("!mentor " + line)
    assert cmd is not None
    for part in [cmd.text, *cmd.words, *cmd.options.values()]:
        assert not any(forbidden(c) for c in part), repr(part)


@given(anything, st.booleans())
def test_clean_keeps_everything_else_and_is_idempotent(text: str, newlines: bool) -> None:
    cleaned = clean(text, newlines=newlines)
    assert not any(forbidden(c) for c in cleaned)
    assert ("\n" in cleaned) <= newlines
    assert clean(cleaned, newlines=newlines) == cleaned
    kept = [c for c in text if not forbidden(c) and c not in " \n"]
    assert [c for c in cleaned if c not in " \n"] == kept
    assert "\n" not in clean_line(text, 100) and len(clean_line(text, 100)) <= 100


@given(anything | st.integers(min_value=-(2**80), max_value=2**80).map(str))
def test_numbers_are_ascii_digits_in_range_or_refused_naming_the_field(text: str) -> None:
    try:
        found = number(text, "pair")
    except InvalidInput as err:
        assert text.strip().isnumeric()
        shown = t("en", err.key, **err.params)
        assert "pair number" in shown and "from 1 to 2147483647" in shown and "0-9" in shown
        assert "Paarnummer" in t("de", err.key, **err.params)
        return
    if found is None:
        assert not text.strip().isnumeric()
    else:
        assert is_digits(text.strip()) and 1 <= found <= MAX_ID and found == int(text)


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_ids_beyond_the_integer_columns_are_no_ids(value: int) -> None:
    inside = 1 <= value <= MAX_ID
    assert (id_of(value) is not None) == inside
    assert (id_of(str(value)) is not None) == inside == (id_of(f"#{value}") is not None)
    assert is_id(str(value)) == inside


@pytest.mark.parametrize("odd", ["²", "¹²", "①", "٣", "١٢", "１２", "五", "9" * 5000])
def test_digits_of_other_scripts_are_refused_not_guessed(odd: str) -> None:
    with pytest.raises(InvalidInput) as err:
        number(odd, "pair")
    assert err.value.params["value"].startswith(user("")[0])  # echoed as member text
    assert id_of(odd) is None and not is_id(odd)


def test_too_long_counts_what_is_stored_and_names_the_field() -> None:
    assert check_text(" a\x00b\r\nc\t ", 10, "note") == "ab\nc"
    assert check_text("a\nb", 10, "name", newlines=False) == "a b"
    with pytest.raises(InvalidInput) as err:
        check_text("x" * 11 + "\x00" * 50, 10, "note")
    assert t("en", err.value.key, **err.value.params) == (
        "The note is too long (11 characters); please keep it to at most 10 characters."
    )
    assert "„Notiz“" in t("de", err.value.key, **err.value.params)
