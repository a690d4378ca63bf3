"""Local times for people and sessions: zones, weekdays, 'when' texts and date parsing.

Everything is computed in the zone it belongs to (zoneinfo), so 18:00 Europe/Berlin stays
18:00 local across daylight-saving changes; only its UTC instant moves.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.durations import parse_duration
from bot.core.errors import InvalidInput
from bot.core.i18n import t, user

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$")


def zone_of(name: str | None) -> ZoneInfo:
    """A member's or session's zone; UTC when unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def when_text(locale: str, moment: datetime, zone: str | None) -> str:
    """'Tue 2026-03-31 18:00 (Europe/Berlin)' in the given zone."""
    local = moment.astimezone(zone_of(zone))
    day = t(locale, f"groups.weekday_{local.weekday()}")
    return f"{day} {local:%Y-%m-%d %H:%M} ({zone or 'UTC'})"


def day_text(locale: str, moment: datetime | None, zone: str | None) -> str:
    """'Tue 2026-03-31' in the given zone."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone_of(zone))
    return f"{t(locale, f'groups.weekday_{local.weekday()}')} {local:%Y-%m-%d}"


def parse_when(text: str, now: datetime, zone: str | None, *, base: datetime | None = None
               ) -> datetime:  # fmt: skip
    """'now', '2026-03-01', '2026-03-01 18:00' (in `zone`) or a duration after `base`/now."""
    value = text.strip().lower()
    if value in ("", "now", "jetzt"):
        return now
    found = _DATE.match(value)
    if found:
        y, m, d, hh, mm = found.groups()
        try:
            local = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0),
                             tzinfo=zone_of(zone))  # fmt: skip
        except ValueError as err:
            raise InvalidInput("groups.bad_when", value=user(text[:40])) from err
        return local.astimezone(UTC)
    try:
        return (base or now) + parse_duration(value)
    except ValueError as err:
        raise InvalidInput("groups.bad_when", value=user(text[:40])) from err


def parse_clock(text: str) -> time:
    """'18:00' -> time(18, 0)."""
    found = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", text.strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        raise InvalidInput("groups.bad_time", value=user(text[:20]))
    return time(int(found[1]), int(found[2]))


WEEKDAYS = {
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(
        ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"))},
    "mo": 0, "tu": 1, "di": 1, "we": 2, "mi": 2, "th": 3, "do": 3, "fr": 4, "sa": 5, "su": 6,
    "so": 6,
}  # fmt: skip


def parse_weekday(text: str) -> int:
    """0 (Monday) .. 6 (Sunday) from an English or German name or abbreviation."""
    key = text.strip().lower().rstrip(".")
    if key not in WEEKDAYS:
        raise InvalidInput("oh.bad_weekday", value=user(text[:20]))
    return WEEKDAYS[key]


def local_start(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of `at` local time on `day` in `zone`."""
    return datetime.combine(day, at, tzinfo=zone_of(zone)).astimezone(UTC)


def occurrence_after(weekday: int, at: time, zone: str, after: datetime) -> datetime:
    """The first session (UTC) strictly after `after`."""
    local = after.astimezone(zone_of(zone))
    first = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    for week in range(3):
        start = local_start(first + timedelta(weeks=week), at, zone)
        if start > after:
            return start
    raise AssertionError("unreachable: a weekday recurs within two weeks")


def local_day(moment: datetime, zone: str) -> date:
    """The session's date in its own zone."""
    return moment.astimezone(zone_of(zone)).date()
