"""The report as chat messages: text table plus the PNG chart and the CSV file."""

from __future__ import annotations

import asyncio
import threading

from bot.core.ports import Attachment, Message
from bot.core.reports import Report
from bot.reporting.chart import render_png
from bot.reporting.tables import render_csv, render_text


def file_stem(report: Report) -> str:
    """'mentoring-report-30d'."""
    return f"mentoring-report-{report.days}d"


# matplotlib's shared caches (fonts, text layout) are not meant for concurrent threads.
_RENDERING = threading.Lock()


def _attachments(report: Report, locale: str | None) -> tuple[Attachment, Attachment]:
    stem = file_stem(report)
    with _RENDERING:
        chart = render_png(report, locale)
    png = Attachment(f"{stem}.png", chart, "image/png")
    csv = Attachment(f"{stem}.csv", render_csv(report, locale), "text/csv")
    return png, csv


async def attachments(report: Report, locale: str | None) -> tuple[Attachment, Attachment]:
    """The PNG chart and the CSV, rendered in a worker thread (matplotlib is CPU-bound)."""
    return await asyncio.to_thread(_attachments, report, locale)


async def report_messages(report: Report, locale: str | None) -> list[Message]:
    """For the text router (Matrix, console): one message with the table, PNG and CSV."""
    png, csv = await attachments(report, locale)
    return [Message(render_text(report, locale), files=(png, csv))]
