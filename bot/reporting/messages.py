"""The report as chat messages: text table plus the PNG chart and the CSV file."""

from __future__ import annotations

import asyncio
import threading

from bot.core.i18n import t
from bot.core.ports import Attachment, Message
from bot.core.reports import Report
from bot.reporting.chart import ChartUnavailable, render_png
from bot.reporting.tables import render_csv, render_text


def file_stem(report: Report) -> str:
    """'mentoring-report-30d'."""
    return f"mentoring-report-{report.days}d"


# matplotlib's shared caches (fonts, text layout) are not meant for concurrent threads.
_RENDERING = threading.Lock()


def chart_missing(locale: str | None) -> str:
    """The line that stands in for the chart when matplotlib (the `charts` extra) is missing."""
    return t(locale, "report.chart_missing")


def _attachments(report: Report, locale: str | None) -> tuple[Attachment | None, Attachment]:
    stem = file_stem(report)
    png: Attachment | None = None
    try:
        with _RENDERING:
            png = Attachment(f"{stem}.png", render_png(report, locale), "image/png")
    except ChartUnavailable:
        pass  # chart_missing() says so in the message
    csv = Attachment(f"{stem}.csv", render_csv(report, locale), "text/csv")
    return png, csv


async def attachments(report: Report, locale: str | None) -> tuple[Attachment | None, Attachment]:
    """The PNG chart (None without matplotlib) and the CSV, rendered in a worker thread."""
    return await asyncio.to_thread(_attachments, report, locale)


async def report_messages(report: Report, locale: str | None) -> list[Message]:
    """For the text router (Matrix, console): one message with the table, PNG and CSV.

    Without matplotlib the PNG is left out and a line in the text says why.
    """
    png, csv = await attachments(report, locale)
    if png is None:
        return [Message(f"{render_text(report, locale)}\n\n{chart_missing(locale)}", files=(csv,))]
    return [Message(render_text(report, locale), files=(png, csv))]
