"""The report as CSV (one row per figure or series point), text table and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.core.i18n import t
from bot.core.reports import SECTIONS, Figure, Report

CSV_COLUMNS = ("metric", "value", "unit", "numerator", "denominator", "point", "label")
_DIGITS = {"share": 4, "hours": 2, "rating": 2}


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit in _DIGITS:
        return f"{value:.{_DIGITS[unit]}f}"
    return str(int(value))


def _stamp(report: Report, which: str) -> str:
    moment = report.start if which == "start" else report.end
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_rows(report: Report, locale: str | None) -> list[dict[str, str]]:
    """The CSV rows (as dicts keyed by CSV_COLUMNS)."""

    def row(metric: str, value: str, unit: str, numerator: int | None = None,
            denominator: int | None = None, point: str = "") -> dict[str, str]:  # fmt: skip
        return {
            "metric": metric,
            "value": value,
            "unit": unit,
            "numerator": "" if numerator is None else str(numerator),
            "denominator": "" if denominator is None else str(denominator),
            "point": point,
            "label": t(locale, f"report.label_{metric}"),
        }

    rows = [
        row("days", str(report.days), "days"),
        row("window_start", _stamp(report, "start"), "timestamp"),
        row("window_end", _stamp(report, "end"), "timestamp"),
    ]
    rows += [
        row(f.key, _value(f.value, f.unit), f.unit, f.numerator, f.denominator)
        for f in report.figures()
    ]
    for week in report.weeks:
        day = week.start.isoformat()
        rows.append(row("weekly_requests", str(week.requests), "count", point=day))
        rows.append(row("weekly_matches", str(week.matches), "count", point=day))
    for p in report.retention:
        for metric, active, base in (
            ("retention_mentored", p.mentored_active, p.mentored),
            ("retention_not_mentored", p.others_active, p.others),
        ):
            share = _value(active / base if base else None, "share")
            rows.append(row(metric, share, "share", active, base, str(p.day)))
    return rows


def render_csv(report: Report, locale: str | None) -> bytes:
    """UTF-8 CSV with the columns CSV_COLUMNS."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(report, locale))
    return out.getvalue().encode("utf-8")


def period(report: Report, locale: str | None) -> str:
    """'2026-01-01 to 2026-01-31 (UTC)'."""
    return t(locale, "report.period", start=report.start.date().isoformat(),
             end=report.end.date().isoformat())  # fmt: skip


def render_text(report: Report, locale: str | None) -> str:
    """A plain-text table: title, period, figures by section, then the weekly series."""
    figures = report.figures()
    lines = [report.title(locale), period(report, locale)]
    for section in SECTIONS:
        lines += ["", t(locale, f"report.section_{section}")]
        lines += [_line(f, locale) for f in figures if f.section == section]
    heads = [t(locale, f"report.chart_{k}") for k in ("week", "requests", "matches")]
    widths = [max(10, len(heads[0])), max(4, len(heads[1])), max(4, len(heads[2]))]
    lines += ["", t(locale, "report.section_weekly"), "  " + _cells(heads, widths)]
    for w in report.weeks:
        cells = [w.start.isoformat(), str(w.requests), str(w.matches)]
        lines.append("  " + _cells(cells, widths))
    return "\n".join(lines)


def _line(figure: Figure, locale: str | None) -> str:
    return f"  {figure.label(locale)}: {figure.text(locale)}"


def _cells(cells: list[str], widths: list[int]) -> str:
    first, *rest = cells
    return "  ".join(
        [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
    )


def render_json(report: Report) -> str:
    """Machine-readable: window, every figure with unit and parts, and both series."""
    data: dict[str, Any] = {
        "platform": report.platform,
        "community": report.community,
        "days": report.days,
        "window_start": _stamp(report, "start"),
        "window_end": _stamp(report, "end"),
        "figures": {
            f.key: {
                "value": f.value,
                "unit": f.unit,
                "numerator": f.numerator,
                "denominator": f.denominator,
            }
            for f in report.figures()
        },
        "weekly": [
            {"week_start": w.start.isoformat(), "requests": w.requests, "matches": w.matches}
            for w in report.weeks
        ],
        "retention_curve": [
            {
                "day": p.day,
                "mentored": p.mentored,
                "mentored_active": p.mentored_active,
                "not_mentored": p.others,
                "not_mentored_active": p.others_active,
            }
            for p in report.retention
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
