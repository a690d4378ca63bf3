"""Input checks at the edge, one way for every front-end (text commands, Discord, buttons).

- Numbers are ASCII digits only: ``²``, ``①`` or ``٣`` are refused, never guessed, and ids
  are range-checked against the id columns (INTEGER: 1 to 2147483647 on PostgreSQL), so an
  odd number never reaches the database.
- Free text loses NUL and the other control characters (a newline stays where the field
  allows one), unpaired surrogates and the private-use marks of member text
  (`bot.core.i18n.user`); lengths are checked after cleaning, and too long is an error that
  names the field, never a silent cut.

Every refusal is an `InvalidInput` whose message names the field (a `Term`, shown in the
reader's language) and what is allowed. Lookups by id treat an id out of range as unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.errors import InvalidInput
from bot.core.i18n import USER_CLOSE, USER_OPEN, has, t, user

MAX_ID = 2_147_483_647  # ids and counts are INTEGER columns; PostgreSQL's bound holds everywhere
MAX_DIGITS = len(str(MAX_ID))  # a longer number is refused before int() reads it
SHOWN = 24  # characters of a refused value echoed back
RANGES = {"rating": (1, 5)}  # fields whose numbers are not ids (1 to MAX_ID)

# Control characters (C0 without tab/newline/return, DEL, C1), unpaired surrogates, the marks.
_DROP = re.compile(
    "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff" + USER_OPEN + USER_CLOSE + "]"
)
_BREAKS = re.compile(r"\r\n?")


@dataclass(frozen=True)
class Term:
    """A word of the catalogue used as a message parameter, shown in the reader's language."""

    key: str
    fallback: str = ""

    def localized(self, locale: str | None) -> str:
        """The word in `locale` (i18n's `t` calls this for parameters that are terms)."""
        return t(locale, self.key) if has(self.key) else self.fallback or self.key

    def __str__(self) -> str:
        return self.localized(None)


def field(name: str) -> Term:
    """The name of an input field (``pair``, ``topic`` …) as a message shows it."""
    return Term(f"error.field_{name}", name.replace("_", " "))


def shown(text: str) -> str:
    """A member's refused value as a reply echoes it: cleaned, shortened, marked."""
    text = clean(text, newlines=False).strip()
    return user(text if len(text) <= SHOWN else text[: SHOWN - 1] + "…")


# ----- numbers ---------------------------------------------------------------------------
def is_digits(text: str) -> bool:
    """ASCII digits only, and few enough to be a number the bot can accept."""
    return 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()


def ascii_int(text: str) -> int:
    """`int()` for ASCII digits only: ``²``, ``٣``, ``1_0`` or ``+1`` raise ValueError."""
    text = text.strip()
    if not is_digits(text):
        raise ValueError(f"not a whole number in ASCII digits: {text[:SHOWN]!r}")
    return int(text)


def is_snowflake(text: str) -> bool:
    """Whether `text` is a platform's numeric id (a Discord user, role or channel id)."""
    return 0 < len(text) <= 20 and text.isascii() and text.isdigit()


def looks_numeric(text: str) -> bool:
    """Whether every character is a digit or number sign of some script (``12``, ``²``, ``①``)."""
    return text.isnumeric()


def number(
    text: str | None, what: str, low: int | None = None, high: int | None = None
) -> int | None:
    """The whole number `text` stands for; None when it is no number at all (a word).

    A number that is not written in ASCII digits, or lies outside `low`..`high` (by default
    the field's own range: a rating 1 to 5, an id 1 to MAX_ID), is refused with a message
    naming the field `what` and the range.
    """
    text = (text or "").strip()
    if not looks_numeric(text):
        return None
    low = RANGES.get(what, (1, MAX_ID))[0] if low is None else low
    high = RANGES.get(what, (1, MAX_ID))[1] if high is None else high
    if is_digits(text) and low <= int(text) <= high:
        return int(text)
    raise InvalidInput("error.number", field=field(what), value=shown(text), low=low, high=high)


def whole(value: int, what: str, low: int = 1, high: int = MAX_ID) -> int:
    """A number a front-end already parsed (a Discord option), refused outside `low`..`high`."""
    if isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(
            "error.number", field=field(what), value=shown(str(value)), low=low, high=high
        )
    return value


def id_of(key: str | int | None) -> int | None:
    """An id from a lookup key (``3``, ``"#3"``); None when it is none or out of range."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key if 1 <= key <= MAX_ID else None
    text = (key or "").strip() if isinstance(key, str) else ""
    text = text.removeprefix("#").strip()
    return int(text) if is_digits(text) and 1 <= int(text) <= MAX_ID else None


# ----- free text ---------------------------------------------------------------------------
def clean(text: str, *, newlines: bool = True) -> str:
    """`text` without NUL, control characters, unpaired surrogates and user-text marks.

    Line breaks become ``\\n`` (or a space where `newlines` is false), a tab a space.
    """
    text = _BREAKS.sub("\n", text).replace("\t", " ")
    if not newlines:
        text = text.replace("\n", " ")
    return _DROP.sub("", text)


def check_text(value: str, limit: int, what: str, *, newlines: bool = True) -> str:
    """Cleaned, stripped free text of at most `limit` characters, else a refusal naming it."""
    value = clean(value, newlines=newlines).strip()
    if len(value) > limit:
        raise InvalidInput("error.too_long", what=field(what), limit=limit, length=len(value))
    return value


def clean_line(value: str, limit: int) -> str:
    """A one-line value (a display name): cleaned, whitespace collapsed, cut to `limit`."""
    return " ".join(clean(value, newlines=False).split())[:limit]
