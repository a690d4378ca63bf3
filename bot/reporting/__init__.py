"""Rendering of the moderators' report: PNG chart, CSV, text table, JSON and chat messages."""

from bot.reporting.chart import render_png
from bot.reporting.messages import attachments, report_messages
from bot.reporting.tables import CSV_COLUMNS, render_csv, render_json, render_text

__all__ = [
    "CSV_COLUMNS",
    "attachments",
    "render_csv",
    "render_json",
    "render_png",
    "render_text",
    "report_messages",
]
