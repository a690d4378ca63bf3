"""`mentorbot report`: the report of one community on standard output, for operators."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.errors import DomainError
from bot.core.i18n import t, unmark
from bot.reporting.tables import render_csv, render_json, render_text

EXIT_UNKNOWN = 2
FORMATS = ("text", "csv", "json")
PLATFORMS = ("discord", "matrix", "console")


async def run_report(settings: Settings, *, community: str, days: int = 30, fmt: str = "text",
                     platform: str | None = None, locale: str | None = None,
                     out: TextIO | None = None, err: TextIO | None = None,
                     clock: Clock | None = None) -> int:  # fmt: skip
    """Print the report; 2 with a clear message for an unknown community or a bad window."""
    from bot.app import core

    out, err = out or sys.stdout, err or sys.stderr
    loc = locale or settings.bot.locale
    async with core(settings, clock) as services:
        try:
            report = await services.reports.for_community(community, days, platform)
        except DomainError as problem:
            print(f"mentorbot: {unmark(t(loc, problem.key, **problem.params))}", file=err)
            return EXIT_UNKNOWN
    if fmt == "csv":
        out.write(render_csv(report, loc).decode("utf-8"))
    elif fmt == "json":
        out.write(render_json(report) + "\n")
    else:
        out.write(render_text(report, loc) + "\n")
    out.flush()
    return 0
