"""What a hostile member types, as hypothesis strategies, and how a test sees what it did.

Shared by the property tests of the text commands (tests/core/test_hostile_input.py) and of
the slash commands (tests/discord/test_hostile_options.py).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import DomainError
from bot.core.i18n import SUPPORTED, t


def _apologies() -> tuple[str, ...]:
    """The start of the generic apology of an unexpected failure, in every language."""
    return tuple(t(loc, "error.unexpected", error_id="\0").split("\0")[0] for loc in SUPPORTED)


APOLOGIES = _apologies()


def apology(text: str) -> bool:
    """Whether `text` holds the generic apology ("… (error id 1a2b3c4d) …") in any language."""
    return any(start in text for start in APOLOGIES)


# NUL, C0/C1 controls, DEL, escape sequences, unpaired surrogates, the private-use marks of
# member text, bidi overrides, BOM, line and paragraph separators.
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x1f", "\x7f", "\x85",
            "\x9b", "\r", "\r\n", "\t", "\n", "\ud800", "\udfff", "\ue000", "\ue001", "\u202e",
            "\u2066", "\ufeff", "\u2028", "\u2029", "\u200b", "\uffff"]  # fmt: skip
NUMBERS = ["0", "1", "2", "-1", "+1", "1.5", "1e9", "0x10", "00000000001", "2147483647",
           "2147483648", "4294967296", "9007199254740991", "9007199254740993",
           "9223372036854775807", "9223372036854775808", "18446744073709551616",
           "99999999999999999999", "#1", "#2147483648", "1.1", "99999999999.1", "9" * 5000]  # fmt: skip
# Digits and numbers of other scripts: str.isdigit() accepts many of them, int() not all.
ODD_DIGITS = ["²", "¹²", "①", "⑳", "½", "Ⅻ", "٣", "١٢", "۷", "߁", "०", "໒", "𝟙", "１２", "五", "〇"]
WORDS = ["add", "done", "complete", "list", "join", "leave", "feedback", "rsvp", "cancel", "end",
         "reassign", "confirm", "decline", "well", "help", "wrap-up", "export", "delete",
         "create", "schedule", "approve", "remove", "requests", "paused", "available", "any",
         "on", "off", "attention", "@bob", "bob", "alice", "carol", "@alice:localhost",
         "@everyone", "<@1>", "<@&2>", "Python", "--", "\"", "'", "“", "=", "@", "#"]  # fmt: skip
# One of each kind: a digit of another script, a number beyond int()'s 4300 digits (and every
# column), beyond INTEGER, negative, NUL with a surrogate and escape, nothing.
NASTY = ["²", "①", "٣", "9" * 5000, "2147483648", "-1", "a\x00b\ud800\x1b[0m", ""]
KEYS = ["skills", "languages", "tz", "timezone", "capacity", "name", "topic", "start", "end",
        "leaders", "leader", "day", "weekday", "time", "duration", "offer", "seek", "interests",
        "goals", "bio", "locale", "until", "digest"]  # fmt: skip

unicode_char = st.one_of(
    st.characters(),  # any code point but surrogates
    st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Nd", "No", "Nl"]),
)
unicode_text = st.text(unicode_char, max_size=40)
long_text = st.builds(lambda piece, n: (piece * n)[:n], st.text(unicode_char, min_size=1,
                      max_size=8), st.integers(2000, 6500))  # fmt: skip
huge_number = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=2**31 - 2, max_value=2**31 + 2).map(str),
)
odd_digits = st.lists(st.sampled_from(ODD_DIGITS), min_size=1, max_size=3).map("".join)
token = st.one_of(
    st.sampled_from(WORDS),
    huge_number,
    odd_digits,
    st.sampled_from(CONTROLS),
    unicode_text,
    st.builds("".join, st.lists(st.one_of(st.sampled_from(CONTROLS), unicode_text), max_size=4)),
)
key_value = st.builds(lambda k, v, q: f'{k}={q}{v}{q}', st.sampled_from(KEYS), token,
                      st.sampled_from(["", '"', "'"]))  # fmt: skip
# One argument text: often a subcommand word first, then a few words, numbers, key=values and
# odd characters; or one long string.
arguments = st.one_of(
    st.builds(
        lambda head, rest: " ".join([head, *rest]).strip(),
        st.sampled_from(["", *WORDS]),
        st.lists(st.one_of(token, key_value), max_size=5),
    ),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(WORDS), long_text),
    long_text,
)
# A value for one free-text field (a slash command's string option, a form field).
field_value = st.one_of(token, long_text, arguments)


@st.composite
def mutated(draw: st.DrawFn, line: str) -> str:
    """`line` (a command that works) with one or two of its words, or the values of its
    key=value words, replaced by hostile ones: the odd value then meets the code behind the
    checks that a wholly random line stops at."""
    words = line.split(" ")
    for _ in range(draw(st.integers(1, 2))):
        i = draw(st.integers(0, len(words) - 1))
        key, eq, _ = words[i].partition("=")
        value = draw(st.one_of(st.sampled_from(NASTY), token, long_text))
        words[i] = f"{key}={value}" if eq else value
    return " ".join(words)


# Characters that must never be stored: NUL and the other controls (newline and tab aside),
# unpaired surrogates and the private-use marks of member text.
Tables = dict[str, list[tuple[Any, ...]]]
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000\ue001]")


class Snapshots:
    """Every row of every table of a database (alembic's bookkeeping aside), comparably."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.tables: list[str] = []
        self.columns: dict[str, list[str]] = {}

    async def take(self) -> Tables:
        async with self.engine.connect() as conn:
            if not self.tables:
                names = await conn.run_sync(lambda c: inspect(c).get_table_names())
                self.tables = sorted(n for n in names if n != "alembic_version")
            out = {}
            for name in self.tables:
                result = await conn.execute(text(f'SELECT * FROM "{name}"'))
                self.columns[name] = list(result.keys())
                out[name] = sorted((tuple(r) for r in result.all()), key=repr)
        return out

    def without_contact(self, before: Tables, after: Tables, user_id: str) -> Tables:
        """`after` less what merely meeting `user_id` records: the first contact of someone the
        bot had never seen registers them, and a member without a language setting takes their
        client's, even when what they asked for is refused."""
        if "members" not in after:
            return after
        cols = self.columns["members"]
        who, lang = cols.index("platform_user_id"), cols.index("locale")
        known = {r[who]: r for r in before["members"]}
        if user_id not in known:
            return {**after, "members": [r for r in after["members"] if r[who] != user_id]}
        old = known[user_id]

        def undo(row: tuple[Any, ...]) -> tuple[Any, ...]:
            if row[who] != user_id or old[lang] is not None:
                return row
            return (*row[:lang], None, *row[lang + 1 :])

        return {**after, "members": sorted((undo(r) for r in after["members"]), key=repr)}


def forbidden_text(tables: Tables) -> list[tuple[str, str]]:
    """Stored strings holding a character that the input checks should have removed."""
    return [(name, value[:80]) for name, rows in tables.items() for row in rows
            for value in row if isinstance(value, str) and FORBIDDEN.search(value)]  # fmt: skip


@contextlib.contextmanager
def refusals() -> Iterator[list[DomainError]]:
    """The domain errors raised meanwhile (a refusal of the user's input, as the reply says).

    Domain errors are caught only at the edges (the text router, Discord's `guarded`), so a
    command during which one was raised answered with it.
    """
    seen: list[DomainError] = []
    original = DomainError.__init__

    def recording(self: DomainError, *args: Any, **params: Any) -> None:
        original(self, *args, **params)
        seen.append(self)

    DomainError.__init__ = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        DomainError.__init__ = original  # type: ignore[method-assign]


@contextlib.contextmanager
def reported(what: str) -> Iterator[None]:
    """Print a failure as it happens: the examples share data, so hypothesis's replay of the
    failing one may fail elsewhere or not at all, and then it reports only that."""
    try:
        yield
    except Exception as err:
        print(f"FAILED at {what!r}:\n{err!r}"[:4000])
        raise
