"""The text commands (Matrix, console), one module per feature, listed explicitly."""

from __future__ import annotations

from types import ModuleType

from bot.text.base import Handler
from bot.text.commands import (
    checkins,
    circles,
    cohorts,
    community,
    goals,
    help,
    mentors,
    moderation,
    office_hours,
    pairs,
    privacy,
    profiles,
    recognition,
    reports,
    requests,
    safety,
    tandem,
)

FEATURES: tuple[ModuleType, ...] = (
    requests, mentors, profiles, pairs, checkins, goals, recognition, privacy, safety,
    moderation, community, reports, cohorts, office_hours, circles, tandem, help,
)  # fmt: skip


def table(features: tuple[ModuleType, ...] = FEATURES) -> dict[str, Handler]:
    """Command name → handler, from every feature's COMMANDS; a name may be claimed once."""
    found: dict[str, Handler] = {}
    for feature in features:
        commands: dict[str, Handler] = feature.COMMANDS
        for name, handler in commands.items():
            if name in found:
                raise ValueError(f"text command {name!r} is claimed twice ({feature.__name__})")
            found[name] = handler
    return found


COMMANDS = table()
